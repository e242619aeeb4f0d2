package dev.sparq.core.archive;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sparq.core.model.Descriptor;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A centroidal Voronoi tessellation: each cell is the region nearest to one centroid. Centroids come
 * from k-means over points sampled uniformly inside bounds ({@link #build}) or are given directly.
 * Lookup is exact and stays fast at 10,000 cells and more: a k-d tree, and in two dimensions a
 * bucket grid in front of it ({@link PlaneBuckets}). Measures outside the sampled
 * bounds still map to the nearest centroid; NaN or infinite measures are an error.
 */
public final class CvtTessellation implements Tessellation {
  private final double[][] centroids;
  private final KdTree tree;
  /** A faster exact index for two dimensions; null otherwise. */
  private final PlaneBuckets buckets;

  /** A tessellation with the given centroids (all of one dimension, finite). */
  @JsonCreator
  public CvtTessellation(@JsonProperty("centroids") double[][] centroids) {
    if (centroids == null || centroids.length == 0) {
      throw new IllegalArgumentException("CVT needs at least one centroid");
    }
    int d = centroids[0].length;
    if (d == 0 || d > 127) {
      throw new IllegalArgumentException("CVT centroids need 1..127 dimensions, got " + d);
    }
    this.centroids = new double[centroids.length][];
    for (int i = 0; i < centroids.length; i++) {
      if (centroids[i].length != d) {
        throw new IllegalArgumentException("centroid " + i + " has " + centroids[i].length
            + " dimensions, expected " + d);
      }
      for (double v : centroids[i]) {
        if (!Double.isFinite(v)) {
          throw new IllegalArgumentException("centroid " + i + " has a non-finite coordinate");
        }
      }
      this.centroids[i] = centroids[i].clone();
    }
    this.tree = new KdTree(this.centroids);
    this.buckets = d == 2 ? new PlaneBuckets(this.centroids, tree) : null;
  }

  /**
   * Builds {@code cells} centroids by Lloyd's k-means over {@code samples} points drawn uniformly in
   * the box {@code [lower, upper]}, starting from randomly chosen samples. Deterministic for a given
   * random generator state.
   *
   * @param iterations Lloyd iterations (10 to 20 is usually plenty)
   */
  public static CvtTessellation build(
      int cells, double[] lower, double[] upper, int samples, int iterations, RandomGenerator random) {
    if (lower.length != upper.length || lower.length == 0) {
      throw new IllegalArgumentException("lower and upper need the same, non-zero length");
    }
    if (cells < 1 || samples < cells) {
      throw new IllegalArgumentException("need 1 <= cells <= samples, got cells=" + cells
          + ", samples=" + samples);
    }
    int d = lower.length;
    double[][] pts = new double[samples][d];
    for (double[] p : pts) {
      for (int j = 0; j < d; j++) {
        if (!(upper[j] > lower[j])) {
          throw new IllegalArgumentException("dimension " + j + " needs lower < upper");
        }
        p[j] = lower[j] + random.nextDouble() * (upper[j] - lower[j]);
      }
    }
    return fromPoints(cells, pts, iterations, random);
  }

  /**
   * Builds {@code cells} centroids by Lloyd's k-means over the given points (for example projected
   * embeddings of the seed set).
   */
  public static CvtTessellation fromPoints(
      int cells, double[][] points, int iterations, RandomGenerator random) {
    if (cells < 1 || points.length < cells) {
      throw new IllegalArgumentException("need 1 <= cells <= points, got cells=" + cells
          + ", points=" + points.length);
    }
    int n = points.length;
    int d = points[0].length;
    // initial centroids: a random subset of the points (partial Fisher-Yates)
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    double[][] c = new double[cells][];
    for (int i = 0; i < cells; i++) {
      int j = i + random.nextInt(n - i);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
      c[i] = points[perm[i]].clone();
    }
    int[] assign = new int[n];
    for (int it = 0; it < iterations; it++) {
      KdTree t = new KdTree(c);
      double[][] sum = new double[cells][d];
      int[] count = new int[cells];
      for (int i = 0; i < n; i++) {
        int a = t.nearest(points[i]);
        assign[i] = a;
        count[a]++;
        for (int j = 0; j < d; j++) {
          sum[a][j] += points[i][j];
        }
      }
      for (int k = 0; k < cells; k++) {
        if (count[k] > 0) {
          for (int j = 0; j < d; j++) {
            sum[k][j] /= count[k];
          }
          c[k] = sum[k];
        } else {
          // an empty cluster restarts at a random point
          c[k] = points[random.nextInt(n)].clone();
        }
      }
    }
    return new CvtTessellation(c);
  }

  /** A copy of the centroids. */
  @JsonProperty("centroids")
  public double[][] centroids() {
    double[][] out = new double[centroids.length][];
    for (int i = 0; i < out.length; i++) {
      out[i] = centroids[i].clone();
    }
    return out;
  }

  public int dimensions() {
    return centroids[0].length;
  }

  /** Index of the nearest centroid to a point. */
  public int nearest(double[] point) {
    if (buckets != null && point.length == 2) {
      int c = buckets.nearest(point[0], point[1]);
      if (c >= 0) {
        return c;
      }
    }
    return tree.nearest(point);
  }

  @Override
  public int cellOf(Descriptor descriptor, boolean create) {
    int d = centroids[0].length;
    if (descriptor.dimensions() != d) {
      throw new IllegalArgumentException("CVT has " + d + " dimensions but the descriptor has "
          + descriptor.dimensions() + " measures");
    }
    for (int i = 0; i < d; i++) {
      double x = descriptor.measure(i);
      if (!Double.isFinite(x)) {
        throw new IllegalArgumentException("CVT: measure " + i + " is " + x + "; measures must be finite");
      }
    }
    if (buckets != null) {
      int c = buckets.nearest(descriptor.measure(0), descriptor.measure(1));
      if (c >= 0) {
        return c;
      }
    }
    return tree.nearest(descriptor);
  }

  @Override
  public int cellCount() {
    return centroids.length;
  }

  @Override
  public int existingCells() {
    return centroids.length;
  }

  @Override
  public String label(int cell) {
    return "c" + cell;
  }

  @Override
  public Tessellation copy() {
    return this; // immutable
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CvtTessellation c && Arrays.deepEquals(centroids, c.centroids);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(centroids);
  }
}
