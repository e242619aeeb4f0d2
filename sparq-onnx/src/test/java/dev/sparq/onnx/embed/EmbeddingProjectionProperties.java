package dev.sparq.onnx.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.onnx.embed.EmbeddingProjection.Spec;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** Invariants of {@link EmbeddingProjection} over random seed sets and specs. */
class EmbeddingProjectionProperties {
  private static float[][] gaussian(int n, int dim, long seed, double scale) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] x = new float[n][dim];
    for (float[] row : x) {
      for (int j = 0; j < dim; j++) {
        row[j] = (float) (r.nextGaussian() * scale * (1 + j % 3));
      }
    }
    return x;
  }

  private static Spec spec(boolean pca, int d, long seed, double lower, double width, double q,
      double margin) {
    Spec s = pca ? Spec.pca(d) : Spec.random(d, seed);
    return s.withBounds(lower, lower + width).withQuantile(q).withMargin(margin);
  }

  @Property(tries = 60)
  void measuresStayInBoundsAndComponentsAreOrthonormal(
      @ForAll boolean pca,
      @ForAll @IntRange(min = 1, max = 6) int d,
      @ForAll @IntRange(min = 8, max = 40) int n,
      @ForAll @IntRange(min = 6, max = 48) int dim,
      @ForAll long seed,
      @ForAll @DoubleRange(min = -5, max = 5) double lower,
      @ForAll @DoubleRange(min = 0.1, max = 10) double width,
      @ForAll @DoubleRange(min = 0, max = 0.2) double q,
      @ForAll @DoubleRange(min = 0, max = 0.5) double margin) {
    float[][] x = gaussian(n, dim, seed, 1);
    EmbeddingProjection p = EmbeddingProjection.fit(x, spec(pca, Math.min(d, dim), seed, lower,
        width, q, margin));
    EmbeddingProjectionTest.assertOrthonormal(p.components());
    float[][] probes = gaussian(30, dim, seed + 1, 10); // far beyond the seeds too
    for (float[][] set : new float[][][] {x, probes}) {
      for (float[] e : set) {
        for (double m : p.measures(e)) {
          assertTrue(m >= lower && m <= lower + width, m + " outside [" + lower + ", "
              + (lower + width) + "]");
        }
      }
    }
    double sum = 0;
    for (double v : p.explainedVariance()) {
      assertTrue(v >= 0);
      sum += v;
    }
    assertTrue(sum <= 1 + 1e-9, "explained variance sums to " + sum);
  }

  @Property(tries = 40)
  void jsonRoundTripGivesIdenticalMeasures(
      @ForAll boolean pca,
      @ForAll @IntRange(min = 1, max = 5) int d,
      @ForAll @IntRange(min = 8, max = 30) int n,
      @ForAll long seed) {
    float[][] x = gaussian(n, 16, seed, 0.1);
    EmbeddingProjection p = EmbeddingProjection.fit(x, spec(pca, d, seed, 0, 1, 0, 0.1));
    EmbeddingProjection back = EmbeddingProjection.fromJson(p.toJson());
    assertEquals(p, back);
    for (float[] e : gaussian(10, 16, seed ^ 7, 0.2)) {
      assertArrayEquals(p.measures(e), back.measures(e));
    }
  }

  @Property(tries = 30)
  void pcaCapturesAtLeastAsMuchVarianceAsRandomDirections(
      @ForAll @IntRange(min = 1, max = 5) int d,
      @ForAll @IntRange(min = 10, max = 40) int n,
      @ForAll long seed) {
    float[][] x = gaussian(n, 24, seed, 1);
    double pcaVar = sum(EmbeddingProjection.fit(x, Spec.pca(d)).explainedVariance());
    double randomVar = sum(EmbeddingProjection.fit(x, Spec.random(d, seed)).explainedVariance());
    assertTrue(pcaVar >= randomVar - 1e-9, "PCA " + pcaVar + " < random " + randomVar);
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s;
  }
}
