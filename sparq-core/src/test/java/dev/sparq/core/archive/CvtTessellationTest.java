package dev.sparq.core.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.model.Descriptor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CvtTessellationTest {

  /** The nearest centroid by a full scan; ties to the smaller index. */
  private static int bruteForce(double[][] centroids, double[] q) {
    int best = -1;
    double bestDist = Double.POSITIVE_INFINITY;
    for (int i = 0; i < centroids.length; i++) {
      double d = 0;
      for (int j = 0; j < q.length; j++) {
        double diff = centroids[i][j] - q[j];
        d += diff * diff;
      }
      if (d < bestDist) {
        bestDist = d;
        best = i;
      }
    }
    return best;
  }

  private static double[][] randomPoints(int n, int d, double lo, double hi, SplittableRandom r) {
    double[][] p = new double[n][d];
    for (double[] x : p) {
      for (int j = 0; j < d; j++) {
        x[j] = r.nextDouble(lo, hi);
      }
    }
    return p;
  }

  @Test
  void nearestCentroidEqualsBruteForceAt10000Cells() {
    SplittableRandom r = new SplittableRandom(1);
    for (int d : new int[] {2, 3, 6}) {
      double[][] centroids = randomPoints(10_000, d, 0, 1, r);
      CvtTessellation cvt = new CvtTessellation(centroids);
      // queries inside and outside the box the centroids were drawn from
      double[][] queries = randomPoints(5_000, d, -0.5, 1.5, r);
      for (double[] q : queries) {
        assertEquals(bruteForce(centroids, q), cvt.cellOf(Descriptor.ofMeasures(q), false),
            () -> "dimension " + d);
      }
    }
  }

  @Test
  void tiesGoToTheSmallerCentroidIndexLikeBruteForce() {
    // a lattice of integer centroids (with duplicates) queried at half-integers: many exact ties
    double[][] centroids = new double[2 * 25][];
    int k = 0;
    for (int rep = 0; rep < 2; rep++) {
      for (int x = 0; x < 5; x++) {
        for (int y = 0; y < 5; y++) {
          centroids[k++] = new double[] {(x * 3 + rep) % 5, y};
        }
      }
    }
    CvtTessellation cvt = new CvtTessellation(centroids);
    for (int x = -2; x <= 12; x++) {
      for (int y = -2; y <= 12; y++) {
        double[] q = {x * 0.5, y * 0.5};
        assertEquals(bruteForce(centroids, q), cvt.nearest(q));
      }
    }
  }

  @Test
  void degenerateLayoutsAgreeWithBruteForce() {
    SplittableRandom r = new SplittableRandom(11);
    double[][] line = new double[300][];
    for (int i = 0; i < line.length; i++) {
      line[i] = new double[] {r.nextDouble(-5, 5), 2.0};
    }
    double[][] far = randomPoints(500, 2, 1e6, 1e6 + 1e-3, r);
    double[][] clustered = new double[400][];
    for (int i = 0; i < clustered.length; i++) {
      // a dense cluster plus a few distant outliers
      clustered[i] = i % 100 == 0 ? new double[] {r.nextDouble(-100, 100), r.nextDouble(-100, 100)}
          : new double[] {r.nextDouble(0, 0.01), r.nextDouble(0, 0.01)};
    }
    double[][][] layouts = {line, far, clustered, {{3, 4}}, {{1, 1}, {1, 1}, {1, 1}}};
    for (double[][] centroids : layouts) {
      CvtTessellation cvt = new CvtTessellation(centroids);
      double[] lo = {Double.MAX_VALUE, Double.MAX_VALUE};
      double[] hi = {-Double.MAX_VALUE, -Double.MAX_VALUE};
      for (double[] c : centroids) {
        for (int j = 0; j < 2; j++) {
          lo[j] = Math.min(lo[j], c[j]);
          hi[j] = Math.max(hi[j], c[j]);
        }
      }
      for (int k = 0; k < 4_000; k++) {
        double[] q = new double[2];
        for (int j = 0; j < 2; j++) {
          double span = Math.max(hi[j] - lo[j], 1e-3);
          q[j] = r.nextDouble(lo[j] - 0.3 * span, hi[j] + 0.3 * span);
        }
        assertEquals(bruteForce(centroids, q), cvt.nearest(q));
      }
    }
  }

  @Test
  void builtTessellationAt10000CellsAgreesWithBruteForce() {
    CvtTessellation cvt = CvtTessellation.build(10_000, new double[] {0, 0}, new double[] {1, 1},
        20_000, 3, new SplittableRandom(3));
    assertEquals(10_000, cvt.cellCount());
    double[][] centroids = cvt.centroids();
    SplittableRandom r = new SplittableRandom(4);
    for (double[] q : randomPoints(2_000, 2, -0.2, 1.2, r)) {
      assertEquals(bruteForce(centroids, q), cvt.nearest(q));
    }
  }

  @Test
  void buildAndFromPointsAreDeterministicForASeed() {
    double[] lo = {0, -1, 2};
    double[] hi = {1, 1, 5};
    CvtTessellation a = CvtTessellation.build(50, lo, hi, 2_000, 10, new SplittableRandom(42));
    CvtTessellation b = CvtTessellation.build(50, lo, hi, 2_000, 10, new SplittableRandom(42));
    CvtTessellation c = CvtTessellation.build(50, lo, hi, 2_000, 10, new SplittableRandom(43));
    assertEquals(a, b);
    assertFalse(a.equals(c));
    double[][] points = randomPoints(1_000, 4, 0, 1, new SplittableRandom(5));
    CvtTessellation p = CvtTessellation.fromPoints(30, points, 8, new SplittableRandom(6));
    CvtTessellation q = CvtTessellation.fromPoints(30, points, 8, new SplittableRandom(6));
    assertEquals(p, q);
    assertEquals(30, p.cellCount());
    assertEquals(4, p.dimensions());
  }

  @Test
  void kMeansCentroidsLieInsideTheSampledBox() {
    CvtTessellation cvt = CvtTessellation.build(40, new double[] {-2, 10}, new double[] {2, 20},
        4_000, 15, new SplittableRandom(9));
    for (double[] c : cvt.centroids()) {
      assertTrue(c[0] >= -2 && c[0] <= 2 && c[1] >= 10 && c[1] <= 20);
    }
  }

  @Test
  void rejectsNanInfiniteAndWrongDimension() {
    CvtTessellation cvt = new CvtTessellation(new double[][] {{0, 0}, {1, 1}});
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> cvt.cellOf(Descriptor.ofMeasures(0.5, bad), true));
      assertTrue(e.getMessage().contains("measure 1") && e.getMessage().contains("finite"),
          e.getMessage());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> cvt.cellOf(Descriptor.ofMeasures(0.5, 0.5, 0.5), true));
    assertTrue(e.getMessage().contains("2 dimensions") && e.getMessage().contains("3 measures"),
        e.getMessage());
  }

  @Test
  void rejectsBadCentroidsAndBuildArguments() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new CvtTessellation(new double[][] {{0, 0}, {1}})).getMessage().contains("centroid 1"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new CvtTessellation(new double[][] {{0, Double.NaN}})).getMessage().contains("non-finite"));
    assertThrows(IllegalArgumentException.class, () -> CvtTessellation.build(10, new double[] {0},
        new double[] {1}, 5, 3, new SplittableRandom(1)));
  }
}
