package dev.sparq.onnx.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.ConfigException;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.Json;
import dev.sparq.onnx.embed.EmbeddingProjection.Method;
import dev.sparq.onnx.embed.EmbeddingProjection.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EmbeddingProjection} on synthetic data whose structure is known. */
class EmbeddingProjectionTest {
  /** n points in dim dimensions: a large spread along e0+e1, a smaller one along e2, small noise. */
  static float[][] structured(int n, int dim, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] x = new float[n][dim];
    for (int i = 0; i < n; i++) {
      double a = r.nextGaussian() * 5;
      double b = r.nextGaussian() * 2;
      for (int j = 0; j < dim; j++) {
        x[i][j] = (float) (0.1 * r.nextGaussian() + 1.0);
      }
      x[i][0] += (float) (a / Math.sqrt(2));
      x[i][1] += (float) (a / Math.sqrt(2));
      x[i][2] += (float) b;
    }
    return x;
  }

  @Test
  void pcaFindsTheDirectionsOfLargestVariance() {
    float[][] x = structured(400, 16, 1);
    EmbeddingProjection p = EmbeddingProjection.fit(x, Spec.pca(2));
    double[][] c = p.components();
    assertEquals(Method.PCA, p.method());
    assertTrue(Math.abs(c[0][0] + c[0][1]) / Math.sqrt(2) > 0.99, "first axis is e0+e1");
    assertTrue(Math.abs(c[1][2]) > 0.99, "second axis is e2");
    double[] ev = p.explainedVariance();
    // variances 25, 4 and 16 * 0.01 of noise
    assertEquals(25 / 29.16, ev[0], 0.05);
    assertEquals(4 / 29.16, ev[1], 0.03);
    assertOrthonormal(c);
  }

  @Test
  void pcaWorksWithFewerSeedsThanEmbeddingDimensions() {
    float[][] x = structured(12, 64, 10);
    EmbeddingProjection p = EmbeddingProjection.fit(x, Spec.pca(4));
    double[][] c = p.components();
    assertOrthonormal(c);
    assertTrue(Math.abs(c[0][0] + c[0][1]) / Math.sqrt(2) > 0.95, "first axis is e0+e1");
    double[] ev = p.explainedVariance();
    for (int k = 1; k < ev.length; k++) {
      assertTrue(ev[k] <= ev[k - 1] + 1e-12, "explained variance decreases");
    }
  }

  @Test
  void randomDirectionsAreOrthonormalAndReproducibleFromTheSeed() {
    float[][] x = structured(50, 32, 2);
    EmbeddingProjection a = EmbeddingProjection.fit(x, Spec.random(5, 42));
    EmbeddingProjection b = EmbeddingProjection.fit(x, Spec.random(5, 42));
    EmbeddingProjection c = EmbeddingProjection.fit(x, Spec.random(5, 43));
    assertEquals(a, b);
    assertNotEquals(a, c);
    assertOrthonormal(a.components());
  }

  @Test
  void seedsMapInsideTheBoundsAndFarPointsAreClipped() {
    float[][] x = structured(100, 8, 3);
    EmbeddingProjection p = EmbeddingProjection.fit(x, Spec.pca(3).withBounds(-1, 1));
    for (float[] s : x) {
      for (double m : p.measures(s)) {
        // min..max of the seeds plus a 10% margin: seeds stay within [-1 + 2/12, 1 - 2/12]
        assertTrue(m >= -1 + 2.0 / 12 - 1e-9 && m <= 1 - 2.0 / 12 + 1e-9, "measure " + m);
      }
    }
    float[] far = x[0].clone();
    far[0] += 1000;
    far[1] += 1000;
    double[] m = p.measures(far);
    assertTrue(m[0] == 1.0 || m[0] == -1.0, "clipped to an edge: " + m[0]);
    assertArrayEquals(new double[] {-1, -1, -1}, p.lowerBounds());
    assertArrayEquals(new double[] {1, 1, 1}, p.upperBounds());
  }

  @Test
  void quantileBoundsIgnoreOutliers() {
    float[][] x = structured(200, 8, 4);
    x[0][0] += 500;
    x[0][1] += 500;
    EmbeddingProjection minMax = EmbeddingProjection.fit(x, Spec.pca(1).withMargin(0));
    EmbeddingProjection robust = EmbeddingProjection.fit(x,
        Spec.pca(1).withMargin(0).withQuantile(0.02));
    double wMinMax = minMax.high()[0] - minMax.low()[0];
    double wRobust = robust.high()[0] - robust.low()[0];
    assertTrue(wRobust < wMinMax / 5, "robust width " + wRobust + " vs " + wMinMax);
  }

  @Test
  void badFitsNameTheProblem() {
    float[][] x = structured(3, 8, 5);
    ConfigException few = assertThrows(ConfigException.class,
        () -> EmbeddingProjection.fit(new float[][] {x[0]}, Spec.pca(1)));
    assertTrue(few.getMessage().contains("seeds"), few.getMessage());
    ConfigException dims = assertThrows(ConfigException.class,
        () -> EmbeddingProjection.fit(x, Spec.pca(3)));
    assertTrue(dims.getMessage().contains("needs at least 4 seeds"), dims.getMessage());
    ConfigException same = assertThrows(ConfigException.class,
        () -> EmbeddingProjection.fit(new float[][] {x[0], x[0], x[0]}, Spec.random(1, 1)));
    assertTrue(same.getMessage().contains("identical"), same.getMessage());
    assertThrows(ConfigException.class, () -> Spec.pca(0));
    assertThrows(ConfigException.class, () -> Spec.pca(2).withBounds(1, 1));
    assertThrows(ConfigException.class, () -> Spec.pca(2).withQuantile(0.5));
  }

  @Test
  void jsonRoundTripIsExact(@TempDir Path dir) throws IOException {
    float[][] x = structured(60, 24, 6);
    for (EmbeddingProjection p : new EmbeddingProjection[] {
        EmbeddingProjection.fit(x, Spec.pca(4)), EmbeddingProjection.fit(x, Spec.random(3, 9))}) {
      EmbeddingProjection back = EmbeddingProjection.fromJson(p.toJson());
      assertEquals(p, back);
      Path f = dir.resolve(p.method() + ".json");
      p.save(f);
      EmbeddingProjection loaded = EmbeddingProjection.load(f);
      assertEquals(p, loaded);
      float[][] fresh = structured(20, 24, 7);
      for (float[] e : fresh) {
        assertArrayEquals(p.measures(e), loaded.measures(e));
      }
      assertEquals(Files.readString(f), Json.mapper().writeValueAsString(loaded));
    }
  }

  @Test
  void invalidFilesGiveErrorsNamingFileAndField(@TempDir Path dir) throws IOException {
    EmbeddingProjection p = EmbeddingProjection.fit(structured(30, 8, 8), Spec.pca(2));
    ObjectNode tree = (ObjectNode) p.toJson();
    tree.remove("components");
    Path f = dir.resolve("projection.json");
    Files.writeString(f, tree.toString());
    DataException missing = assertThrows(DataException.class, () -> EmbeddingProjection.load(f));
    assertTrue(missing.getMessage().startsWith(f + ": field 'components'"), missing.getMessage());
    ObjectNode bad = (ObjectNode) p.toJson();
    bad.putArray("mean").add(1.0);
    Files.writeString(f, bad.toString());
    DataException shape = assertThrows(DataException.class, () -> EmbeddingProjection.load(f));
    assertTrue(shape.getMessage().contains("mean needs 8 values"), shape.getMessage());
    Files.writeString(f, "{\n\"method\": \"PCA\",\n oops");
    DataException syntax = assertThrows(DataException.class, () -> EmbeddingProjection.load(f));
    assertTrue(syntax.getMessage().startsWith(f + ":3: "), syntax.getMessage());
  }

  @Test
  void projectRejectsAnEmbeddingOfTheWrongLength() {
    EmbeddingProjection p = EmbeddingProjection.fit(structured(30, 8, 9), Spec.pca(2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> p.measures(new float[7]));
    assertTrue(e.getMessage().contains("expects 8"), e.getMessage());
  }

  static void assertOrthonormal(double[][] c) {
    for (int a = 0; a < c.length; a++) {
      for (int b = 0; b < c.length; b++) {
        double dot = 0;
        for (int j = 0; j < c[a].length; j++) {
          dot += c[a][j] * c[b][j];
        }
        assertEquals(a == b ? 1.0 : 0.0, dot, 1e-9, "components " + a + ", " + b);
      }
    }
  }
}
