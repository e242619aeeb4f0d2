package dev.sparq.onnx.embed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.ConfigException;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * A fitted map from embeddings to a few bounded measures: subtract the seed mean, project onto
 * {@code d} orthonormal directions (the seed set's principal components, or random directions),
 * then scale each direction so the seeds' range (widened by a margin) spans
 * {@code [lower, upper]}, clipping anything beyond. A grid or CVT archive over the box
 * {@code [lower, upper]^d} then tessellates the space the seeds occupy.
 *
 * <p>The record is the whole fitted state; {@link #toJson()} / {@link #fromJson(JsonNode)} and
 * {@link #save(Path)} / {@link #load(Path)} round-trip it exactly (doubles are written in their
 * shortest exact form), so a resumed run maps every text to the same measures.
 *
 * @param method how the directions were chosen
 * @param inputDimension length of the embeddings
 * @param mean the seed mean, {@code inputDimension} values
 * @param components {@code d} unit directions of {@code inputDimension} values each, orthogonal
 * @param low per direction, the raw projection mapped to {@code lower}
 * @param high per direction, the raw projection mapped to {@code upper} (greater than {@code low})
 * @param lower the lower end of every measure
 * @param upper the upper end of every measure
 * @param explainedVariance per direction, the fraction of the seeds' total variance it carries
 */
public record EmbeddingProjection(
    Method method,
    int inputDimension,
    double[] mean,
    double[][] components,
    double[] low,
    double[] high,
    double lower,
    double upper,
    double[] explainedVariance) {

  /** How the directions are chosen. */
  public enum Method {
    /** The seeds' top principal components (Commons Math decomposition of the covariance). */
    PCA,
    /** Gaussian random directions from a seed, orthonormalised (Johnson-Lindenstrauss style). */
    RANDOM
  }

  /**
   * How to fit a projection.
   *
   * @param method PCA or random directions
   * @param dimensions number of measures {@code d} (1 to 127, the CVT limit)
   * @param lower lower end of every measure
   * @param upper upper end of every measure
   * @param quantile per direction, the seeds' {@code quantile} and {@code 1 - quantile} values span
   *     the range (0 uses the minimum and maximum; 0.05 ignores 5% outliers on each side)
   * @param margin the range is widened on each side by this fraction of its width, so problems a
   *     little beyond the seeds still get cells of their own
   * @param seed seed of the random directions (ignored by PCA)
   */
  public record Spec(Method method, int dimensions, double lower, double upper, double quantile,
      double margin, long seed) {
    public Spec {
      Objects.requireNonNull(method, "method");
      if (dimensions < 1 || dimensions > 127) {
        throw ConfigException.forKey("dimensions", "must be 1..127, was " + dimensions);
      }
      if (!Double.isFinite(lower) || !Double.isFinite(upper) || !(upper > lower)) {
        throw ConfigException.forKey("bounds", "need finite lower < upper, got [" + lower + ", "
            + upper + "]");
      }
      if (!(quantile >= 0 && quantile < 0.5)) {
        throw ConfigException.forKey("quantile", "must be in [0, 0.5), was " + quantile);
      }
      if (!(margin >= 0 && margin <= 10)) {
        throw ConfigException.forKey("margin", "must be in [0, 10], was " + margin);
      }
    }

    /** PCA to {@code d} measures in [0, 1], seed minimum to maximum plus a 10% margin. */
    public static Spec pca(int dimensions) {
      return new Spec(Method.PCA, dimensions, 0, 1, 0, 0.1, 0);
    }

    /** Random directions from {@code seed} to {@code d} measures in [0, 1], 10% margin. */
    public static Spec random(int dimensions, long seed) {
      return new Spec(Method.RANDOM, dimensions, 0, 1, 0, 0.1, seed);
    }

    /** This spec with other bounds for the measures. */
    public Spec withBounds(double lower, double upper) {
      return new Spec(method, dimensions, lower, upper, quantile, margin, seed);
    }

    /** This spec with another quantile. */
    public Spec withQuantile(double quantile) {
      return new Spec(method, dimensions, lower, upper, quantile, margin, seed);
    }

    /** This spec with another margin. */
    public Spec withMargin(double margin) {
      return new Spec(method, dimensions, lower, upper, quantile, margin, seed);
    }
  }

  /** Checks the shapes, copies the arrays. */
  public EmbeddingProjection {
    Objects.requireNonNull(method, "method");
    if (inputDimension < 1) {
      throw new IllegalArgumentException("inputDimension must be >= 1, was " + inputDimension);
    }
    int d = components == null ? 0 : components.length;
    if (d < 1) {
      throw new IllegalArgumentException("a projection needs at least one component");
    }
    check("mean", mean, inputDimension);
    check("low", low, d);
    check("high", high, d);
    check("explainedVariance", explainedVariance, d);
    double[][] comps = new double[d][];
    for (int k = 0; k < d; k++) {
      check("components[" + k + "]", components[k], inputDimension);
      comps[k] = components[k].clone();
      if (!(high[k] > low[k])) {
        throw new IllegalArgumentException("component " + k + " needs low < high, got [" + low[k]
            + ", " + high[k] + "]");
      }
    }
    if (!Double.isFinite(lower) || !Double.isFinite(upper) || !(upper > lower)) {
      throw new IllegalArgumentException("need finite lower < upper, got [" + lower + ", " + upper
          + "]");
    }
    mean = mean.clone();
    components = comps;
    low = low.clone();
    high = high.clone();
    explainedVariance = explainedVariance.clone();
  }

  private static void check(String name, double[] values, int length) {
    if (values == null || values.length != length) {
      throw new IllegalArgumentException(name + " needs " + length + " values, has "
          + (values == null ? "none" : values.length));
    }
    for (double v : values) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException(name + " has a non-finite value");
      }
    }
  }

  /**
   * Fits a projection on seed embeddings.
   *
   * @param seeds at least two embeddings of one length; PCA needs more seeds than dimensions
   * @throws ConfigException when there are too few seeds or a direction has no spread
   */
  public static EmbeddingProjection fit(float[][] seeds, Spec spec) {
    int n = seeds.length;
    if (n < 2) {
      throw ConfigException.forKey("seeds", "fitting a projection needs at least 2 seed embeddings,"
          + " got " + n);
    }
    int dim = seeds[0].length;
    for (int i = 0; i < n; i++) {
      if (seeds[i].length != dim) {
        throw ConfigException.forKey("seeds", "embedding " + i + " has " + seeds[i].length
            + " values, embedding 0 has " + dim);
      }
    }
    int d = spec.dimensions();
    if (d > dim) {
      throw ConfigException.forKey("dimensions", d + " measures from " + dim + "-dimensional"
          + " embeddings");
    }
    if (spec.method() == Method.PCA && d > n - 1) {
      throw ConfigException.forKey("dimensions", "PCA to " + d + " dimensions needs at least "
          + (d + 1) + " seeds, got " + n);
    }
    double[] mean = new double[dim];
    for (float[] s : seeds) {
      for (int j = 0; j < dim; j++) {
        mean[j] += s[j];
      }
    }
    for (int j = 0; j < dim; j++) {
      mean[j] /= n;
    }
    double[][] centred = new double[n][dim];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < dim; j++) {
        centred[i][j] = seeds[i][j] - mean[j];
      }
    }
    double[][] cov = covariance(centred);
    double total = 0;
    for (int j = 0; j < dim; j++) {
      total += cov[j][j];
    }
    if (!(total > 0)) {
      throw ConfigException.forKey("seeds", "the seed embeddings are all identical");
    }
    double[][] comps = spec.method() == Method.PCA ? principal(centred, cov, d) : randomDirections(dim, d,
        spec.seed());
    double[] explained = new double[d];
    double[][] proj = new double[d][n];
    for (int k = 0; k < d; k++) {
      double var = 0;
      for (int i = 0; i < n; i++) {
        double p = dot(comps[k], centred[i]);
        proj[k][i] = p;
        var += p * p;
      }
      explained[k] = var / (n - 1) / total;
    }
    double[] low = new double[d];
    double[] high = new double[d];
    for (int k = 0; k < d; k++) {
      double[] sorted = proj[k].clone();
      Arrays.sort(sorted);
      double lo = quantile(sorted, spec.quantile());
      double hi = quantile(sorted, 1 - spec.quantile());
      if (!(hi > lo)) {
        throw ConfigException.forKey("seeds", "direction " + k + " has no spread over the seeds"
            + " (all project to " + lo + "); use more varied seeds or fewer dimensions");
      }
      double w = hi - lo;
      low[k] = lo - spec.margin() * w;
      high[k] = hi + spec.margin() * w;
    }
    return new EmbeddingProjection(spec.method(), dim, mean, comps, low, high, spec.lower(),
        spec.upper(), explained);
  }

  private static double[][] covariance(double[][] x) {
    int n = x.length;
    int dim = x[0].length;
    double[][] c = new double[dim][dim];
    for (double[] row : x) {
      for (int a = 0; a < dim; a++) {
        double ra = row[a];
        if (ra == 0) {
          continue;
        }
        double[] ca = c[a];
        for (int b = a; b < dim; b++) {
          ca[b] += ra * row[b];
        }
      }
    }
    for (int a = 0; a < dim; a++) {
      for (int b = a; b < dim; b++) {
        c[a][b] /= n - 1;
        c[b][a] = c[a][b];
      }
    }
    return c;
  }

  /**
   * The top-d principal axes, largest variance first, each with its largest entry positive (so a
   * fit is reproducible). With at most as many seeds as embedding dimensions they are the right
   * singular vectors of the centred seed matrix (a small SVD); with more seeds, the eigenvectors of
   * the covariance. Commons Math's {@code EigenDecomposition} may fail to converge on a
   * rank-deficient covariance; the SVD of the covariance (slower, always stable) is the fallback.
   */
  private static double[][] principal(double[][] centred, double[][] cov, int d) {
    int n = centred.length;
    int dim = cov.length;
    double[][] axes = new double[d][];
    if (n <= dim) {
      RealMatrix v = new SingularValueDecomposition(new Array2DRowRealMatrix(centred, false))
          .getV(); // columns in order of decreasing singular value
      for (int k = 0; k < d; k++) {
        axes[k] = v.getColumn(k);
      }
    } else {
      RealMatrix c = new Array2DRowRealMatrix(cov, false);
      try {
        EigenDecomposition eig = new EigenDecomposition(c);
        double[] values = eig.getRealEigenvalues();
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
          order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        for (int k = 0; k < d; k++) {
          axes[k] = eig.getEigenvector(order[k]).toArray();
        }
      } catch (MathIllegalStateException e) {
        RealMatrix v = new SingularValueDecomposition(c).getV();
        for (int k = 0; k < d; k++) {
          axes[k] = v.getColumn(k);
        }
      }
    }
    for (double[] a : axes) {
      normalise(a);
      int arg = 0;
      for (int j = 1; j < a.length; j++) {
        if (Math.abs(a[j]) > Math.abs(a[arg])) {
          arg = j;
        }
      }
      if (a[arg] < 0) {
        for (int j = 0; j < a.length; j++) {
          a[j] = -a[j];
        }
      }
    }
    return axes;
  }

  /** d Gaussian directions, orthonormalised by modified Gram-Schmidt. */
  private static double[][] randomDirections(int dim, int d, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] out = new double[d][dim];
    for (int k = 0; k < d; k++) {
      double[] v = out[k];
      do {
        for (int j = 0; j < dim; j++) {
          v[j] = r.nextGaussian();
        }
        for (int p = 0; p < k; p++) {
          double proj = dot(v, out[p]);
          for (int j = 0; j < dim; j++) {
            v[j] -= proj * out[p][j];
          }
        }
      } while (normalise(v) < 1e-6);
    }
    return out;
  }

  private static double normalise(double[] v) {
    double sq = 0;
    for (double x : v) {
      sq += x * x;
    }
    double norm = Math.sqrt(sq);
    if (norm > 0) {
      for (int j = 0; j < v.length; j++) {
        v[j] /= norm;
      }
    }
    return norm;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      s += a[j] * b[j];
    }
    return s;
  }

  /** Linear interpolation between order statistics of sorted values. */
  private static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int i = (int) Math.floor(pos);
    if (i >= sorted.length - 1) {
      return sorted[sorted.length - 1];
    }
    double f = pos - i;
    return sorted[i] + f * (sorted[i + 1] - sorted[i]);
  }

  /** Number of measures. */
  public int dimensions() {
    return components.length;
  }

  /** The raw coordinates of an embedding along the directions (before scaling and clipping). */
  public double[] project(float[] embedding) {
    if (embedding.length != inputDimension) {
      throw new IllegalArgumentException("embedding has " + embedding.length
          + " values, the projection expects " + inputDimension);
    }
    double[] out = new double[components.length];
    for (int k = 0; k < components.length; k++) {
      double[] c = components[k];
      double s = 0;
      for (int j = 0; j < inputDimension; j++) {
        s += c[j] * (embedding[j] - mean[j]);
      }
      out[k] = s;
    }
    return out;
  }

  /** The bounded measures of an embedding: each in {@code [lower, upper]}. */
  public double[] measures(float[] embedding) {
    double[] p = project(embedding);
    for (int k = 0; k < p.length; k++) {
      double t = (p[k] - low[k]) / (high[k] - low[k]);
      t = Math.max(0, Math.min(1, t));
      p[k] = lower + t * (upper - lower);
    }
    return p;
  }

  /** {@code lower} repeated per measure (for grid and CVT bounds). */
  public double[] lowerBounds() {
    double[] b = new double[components.length];
    Arrays.fill(b, lower);
    return b;
  }

  /** {@code upper} repeated per measure (for grid and CVT bounds). */
  public double[] upperBounds() {
    double[] b = new double[components.length];
    Arrays.fill(b, upper);
    return b;
  }

  @Override
  public double[] mean() {
    return mean.clone();
  }

  @Override
  public double[][] components() {
    double[][] out = new double[components.length][];
    for (int k = 0; k < out.length; k++) {
      out[k] = components[k].clone();
    }
    return out;
  }

  @Override
  public double[] low() {
    return low.clone();
  }

  @Override
  public double[] high() {
    return high.clone();
  }

  @Override
  public double[] explainedVariance() {
    return explainedVariance.clone();
  }

  /** The fitted state as a JSON tree (for a checkpoint slot). */
  public JsonNode toJson() {
    return Json.mapper().valueToTree(this);
  }

  /**
   * Reads the JSON written by {@link #toJson()}.
   *
   * @throws DataException naming the field when the tree is not a valid projection
   */
  public static EmbeddingProjection fromJson(JsonNode json) {
    return fromJson(json, null);
  }

  private static EmbeddingProjection fromJson(JsonNode json, Path file) {
    for (String f : new String[] {"method", "inputDimension", "mean", "components", "low", "high",
        "lower", "upper", "explainedVariance"}) {
      if (json == null || !json.hasNonNull(f)) {
        throw new DataException(file, 0, f, "missing from the embedding projection");
      }
    }
    try {
      return Json.mapper().treeToValue(json, EmbeddingProjection.class);
    } catch (JsonProcessingException e) {
      Throwable c = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
      throw new DataException(file, 0, null, "not a valid embedding projection: "
          + c.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new DataException(file, 0, null, "not a valid embedding projection: "
          + e.getMessage(), e);
    }
  }

  /** Writes the projection as JSON, atomically (a temporary file renamed over the target). */
  public void save(Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    Files.writeString(tmp, Json.mapper().writeValueAsString(this), StandardCharsets.UTF_8);
    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Reads a projection written by {@link #save(Path)}.
   *
   * @throws DataException naming the file (and field) when it is not a valid projection
   */
  public static EmbeddingProjection load(Path file) throws IOException {
    JsonNode tree;
    try {
      tree = Json.mapper().readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new DataException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          null, "invalid JSON: " + e.getOriginalMessage(), e);
    }
    return fromJson(tree, file);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EmbeddingProjection p && method == p.method
        && inputDimension == p.inputDimension && Arrays.equals(mean, p.mean)
        && Arrays.deepEquals(components, p.components) && Arrays.equals(low, p.low)
        && Arrays.equals(high, p.high) && Double.compare(lower, p.lower) == 0
        && Double.compare(upper, p.upper) == 0 && Arrays.equals(explainedVariance,
            p.explainedVariance);
  }

  @Override
  public int hashCode() {
    return Objects.hash(method, inputDimension, Arrays.hashCode(mean),
        Arrays.deepHashCode(components), Arrays.hashCode(low), Arrays.hashCode(high), lower, upper);
  }

  @Override
  public String toString() {
    return "EmbeddingProjection[" + method + ", " + inputDimension + " -> " + components.length
        + ", bounds [" + lower + ", " + upper + "], explained variance "
        + Arrays.toString(explainedVariance) + "]";
  }
}
