package dev.sparq.onnx.embed;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Finds near duplicates by cosine similarity of embedding vectors: a vector is a duplicate when some
 * stored vector has cosine similarity at least {@link #threshold()} with it. Model-agnostic: it takes
 * float vectors from any embedder (see {@link EmbeddingDeduplicator} for one that embeds texts).
 *
 * <p>Vectors are stored L2-normalised in one contiguous array and searched exhaustively, so a query
 * costs {@code size() * dimension()} multiply-adds (3 to 5 ms for 10,000 stored 384-dimensional
 * vectors on one core, src-docs/benchmarks.md) and answers are exact, never approximate. Thread-safe.
 */
public final class NearDuplicateIndex {
  /**
   * A stored vector close to a query.
   *
   * @param index position of the stored vector, in the order added
   * @param key the key it was added with (may be null)
   * @param similarity cosine similarity with the query, in [-1, 1]
   */
  public record Match(int index, String key, double similarity) {}

  private final int dimension;
  private final double threshold;
  private float[] data;
  private String[] keys;
  private int size;

  /**
   * @param dimension length of every vector
   * @param threshold cosine similarity at or above which two vectors are duplicates, in (-1, 1]
   */
  public NearDuplicateIndex(int dimension, double threshold) {
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be >= 1, was " + dimension);
    }
    if (!(threshold > -1 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in (-1, 1], was " + threshold);
    }
    this.dimension = dimension;
    this.threshold = threshold;
    this.data = new float[16 * dimension];
    this.keys = new String[16];
  }

  /** Length of every vector. */
  public int dimension() {
    return dimension;
  }

  /** The duplicate threshold on cosine similarity. */
  public double threshold() {
    return threshold;
  }

  /** Vectors stored. */
  public synchronized int size() {
    return size;
  }

  /** The most similar stored vector, if any is stored. */
  public synchronized Optional<Match> nearest(float[] vector) {
    float[] q = unit(vector);
    int best = -1;
    double bestSim = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < size; i++) {
      double s = dot(q, i);
      if (s > bestSim) {
        bestSim = s;
        best = i;
      }
    }
    return best < 0 ? Optional.empty() : Optional.of(new Match(best, keys[best], bestSim));
  }

  /** The most similar stored vector when it is a duplicate (similarity at least the threshold). */
  public Optional<Match> findDuplicate(float[] vector) {
    return nearest(vector).filter(m -> m.similarity() >= threshold);
  }

  /** Whether a stored vector is a duplicate of this one. */
  public boolean isDuplicate(float[] vector) {
    return findDuplicate(vector).isPresent();
  }

  /** Stores a vector (without checking) and returns its index. */
  public synchronized int add(String key, float[] vector) {
    float[] q = unit(vector);
    if ((size + 1) * dimension > data.length) {
      data = Arrays.copyOf(data, data.length * 2);
      keys = Arrays.copyOf(keys, keys.length * 2);
    }
    System.arraycopy(q, 0, data, size * dimension, dimension);
    keys[size] = key;
    return size++;
  }

  /**
   * Stores the vector unless it duplicates a stored one; check and store are one atomic step.
   *
   * @return the duplicate found (nothing stored), or empty (stored)
   */
  public synchronized Optional<Match> addIfNovel(String key, float[] vector) {
    Optional<Match> dup = findDuplicate(vector);
    if (dup.isEmpty()) {
      add(key, vector);
    }
    return dup;
  }

  /**
   * Greedy deduplication in order: keeps a vector when no earlier kept vector is its duplicate.
   *
   * @return indices of the kept vectors, ascending
   */
  public static int[] keepFirst(List<float[]> vectors, double threshold) {
    if (vectors.isEmpty()) {
      return new int[0];
    }
    NearDuplicateIndex index = new NearDuplicateIndex(vectors.get(0).length, threshold);
    int[] kept = new int[vectors.size()];
    int n = 0;
    for (int i = 0; i < vectors.size(); i++) {
      if (index.addIfNovel(null, vectors.get(i)).isEmpty()) {
        kept[n++] = i;
      }
    }
    return Arrays.copyOf(kept, n);
  }

  private float[] unit(float[] v) {
    if (v.length != dimension) {
      throw new IllegalArgumentException("vector has " + v.length + " values, the index holds "
          + dimension);
    }
    double sq = 0;
    for (float x : v) {
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException("vector has a non-finite value");
      }
      sq += (double) x * x;
    }
    if (sq == 0) {
      throw new IllegalArgumentException("a zero vector has no direction");
    }
    double norm = Math.sqrt(sq);
    float[] out = new float[dimension];
    for (int j = 0; j < dimension; j++) {
      out[j] = (float) (v[j] / norm);
    }
    return out;
  }

  private double dot(float[] q, int row) {
    int base = row * dimension;
    double s = 0;
    for (int j = 0; j < dimension; j++) {
      s += q[j] * data[base + j];
    }
    return s;
  }
}
