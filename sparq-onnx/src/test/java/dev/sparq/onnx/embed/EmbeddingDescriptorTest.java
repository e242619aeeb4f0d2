package dev.sparq.onnx.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.ConfigException;
import dev.sparq.core.Outcome;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.archive.CvtTessellation;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.StageContext;
import dev.sparq.onnx.embed.EmbeddingProjection.Spec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EmbeddingDescriptor} with the real (quantised) all-MiniLM-L6-v2. */
class EmbeddingDescriptorTest {
  private static OnnxEmbedder model;
  /** The real model's vectors, memoised so the seeds are embedded once for all the tests. */
  private static TextEmbedder embedder;
  private static List<Problem> seeds;
  private static List<Integer> topicOf;

  @BeforeAll
  static void open() {
    model = MiniLm.QUANTIZED.openTwoThreads();
    Map<String, float[]> memo = new ConcurrentHashMap<>();
    embedder = new TextEmbedder() {
      @Override
      public float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
          out[i] = memo.computeIfAbsent(texts.get(i), t -> model.embed(List.of(t))[0]).clone();
        }
        return out;
      }

      @Override
      public int dimension() {
        return model.dimension();
      }
    };
    seeds = new ArrayList<>();
    topicOf = new ArrayList<>();
    for (int t = 0; t < MathTexts.TOPICS.size(); t++) {
      for (String s : MathTexts.TOPICS.get(t)) {
        seeds.add(Problem.of(s, "", "0"));
        topicOf.add(t);
      }
    }
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static List<Problem> unseen() {
    List<Problem> out = new ArrayList<>();
    for (MathTexts.Triple t : MathTexts.TRIPLES) {
      out.add(Problem.of(t.problem(), "", "0"));
    }
    return out;
  }

  @Test
  void seedsOfDifferentTopicsSpreadOverCvtCells() {
    for (Spec spec : List.of(Spec.pca(4), Spec.random(4, 11), Spec.random(32, 11))) {
      EmbeddingDescriptor d = EmbeddingDescriptor.fit(embedder, seeds, spec);
      CvtTessellation cvt = d.cvt(32, 20_000, new SplittableRandom(5));
      CellArchive archive = CellArchive.builder().tessellation(cvt).capacity(1).build();
      List<Outcome<Descriptor>> out = d.describe(seeds, StageContext.of(new SplittableRandom(1)));
      Set<Integer> cells = new HashSet<>();
      List<Set<Integer>> cellsOfTopic = new ArrayList<>();
      for (int t = 0; t < MathTexts.TOPICS.size(); t++) {
        cellsOfTopic.add(new HashSet<>());
      }
      for (int i = 0; i < out.size(); i++) {
        int c = archive.cellOf(out.get(i).value());
        cells.add(c);
        cellsOfTopic.get(topicOf.get(i)).add(c);
      }
      // topics are told apart: a seed's nearest other seed (in measure space) shares its topic
      double[][] m = d.measures(seeds);
      int sameTopic = 0;
      for (int i = 0; i < m.length; i++) {
        int best = -1;
        double bestDist = Double.MAX_VALUE;
        for (int j = 0; j < m.length; j++) {
          double dist = 0;
          for (int k = 0; k < m[i].length; k++) {
            dist += (m[i][k] - m[j][k]) * (m[i][k] - m[j][k]);
          }
          if (j != i && dist < bestDist) {
            bestDist = dist;
            best = j;
          }
        }
        if (topicOf.get(best).equals(topicOf.get(i))) {
          sameTopic++;
        }
      }
      Set<Integer> topicsWithOwnCell = new HashSet<>();
      for (int t = 0; t < cellsOfTopic.size(); t++) {
        Set<Integer> own = new HashSet<>(cellsOfTopic.get(t));
        for (int u = 0; u < cellsOfTopic.size(); u++) {
          if (u != t) {
            own.removeAll(cellsOfTopic.get(u));
          }
        }
        if (!own.isEmpty()) {
          topicsWithOwnCell.add(t);
        }
      }
      System.out.printf("%s to %d dims (explained variance %.3f): %d seeds of %d topics occupy %d of"
              + " %d CVT cells (coverage %.1f%%); %d of 6 topics have a cell of their own;"
              + " nearest-neighbour topic agreement %d/%d%n",
          spec.method(), spec.dimensions(), sum(d.projection().explainedVariance()), seeds.size(),
          MathTexts.TOPICS.size(), cells.size(), cvt.cellCount(),
          100.0 * cells.size() / cvt.cellCount(), topicsWithOwnCell.size(), sameTopic, m.length);
      boolean pca = spec.method() == EmbeddingProjection.Method.PCA;
      String what = spec.method() + "-" + spec.dimensions();
      assertTrue(cells.size() >= 12, what + ": only " + cells.size() + " cells occupied");
      assertTrue(topicsWithOwnCell.size() >= (pca ? 5 : 4), what + ": topics with a cell of their"
          + " own: " + topicsWithOwnCell);
      // chance level is about 6 of 36; PCA keeps the topics apart, random directions need many
      // dimensions to (4 random directions keep 4/384 of the variance and separate nothing)
      int minAgreement = pca ? 30 : spec.dimensions() >= 32 ? 15 : 0;
      assertTrue(sameTopic >= minAgreement, what + ": nearest neighbour shares the topic for "
          + sameTopic + " of " + m.length);
    }
  }

  @Test
  void measuresAreBoundedAndIndependentOfTheBatch() {
    EmbeddingDescriptor d = EmbeddingDescriptor.fit(model, seeds, Spec.pca(3));
    List<Problem> probs = unseen();
    List<Outcome<Descriptor>> all = d.describe(probs, StageContext.of(new SplittableRandom(1)));
    assertEquals(probs.size(), all.size());
    for (int i = 0; i < probs.size(); i++) {
      Descriptor x = all.get(i).value();
      assertEquals(3, x.dimensions());
      for (double v : x.measures()) {
        assertTrue(v >= 0 && v <= 1, "measure " + v);
      }
      Descriptor alone = d.describe(List.of(probs.get(i)), StageContext.of(new SplittableRandom(2)))
          .get(0).value();
      assertEquals(x, alone);
    }
    // seeds lie strictly inside: min..max plus a 10% margin
    for (double[] m : d.measures(seeds)) {
      for (double v : m) {
        assertTrue(v >= 1.0 / 12 - 1e-9 && v <= 11.0 / 12 + 1e-9, "seed measure " + v);
      }
    }
  }

  @Test
  void aRestoredProjectionGivesIdenticalDescriptors(@TempDir Path dir) throws IOException {
    for (Spec spec : List.of(Spec.pca(4), Spec.random(2, 3))) {
      EmbeddingDescriptor fitted = EmbeddingDescriptor.fit(embedder, seeds, spec);
      Path f = dir.resolve("projection-" + spec.method() + ".json");
      fitted.projection().save(f);
      EmbeddingDescriptor restored = new EmbeddingDescriptor(embedder,
          EmbeddingProjection.load(f));
      assertEquals(fitted.projection(), restored.projection());
      List<Problem> probs = unseen();
      StageContext ctx = StageContext.of(new SplittableRandom(3));
      assertEquals(fitted.describe(probs, ctx), restored.describe(probs, ctx));
      // refitting on the same seeds gives the same projection (PCA: no randomness; random: seeded)
      assertEquals(fitted.projection(),
          EmbeddingDescriptor.fit(embedder, seeds, spec).projection());
    }
  }

  @Test
  void aProjectionOfAnotherEmbeddingSizeIsRejected() {
    float[][] other = EmbeddingProjectionTest.structured(10, 16, 1);
    EmbeddingProjection p = EmbeddingProjection.fit(other, Spec.pca(2));
    ConfigException e = assertThrows(ConfigException.class,
        () -> new EmbeddingDescriptor(embedder, p));
    assertTrue(e.getMessage().contains("16-dimensional") && e.getMessage().contains("384"),
        e.getMessage());
  }

  @Test
  void gridAndSeedCvtCoverTheSameBox() {
    EmbeddingDescriptor d = EmbeddingDescriptor.fit(embedder, seeds, Spec.pca(2));
    assertArrayEquals(new int[] {5, 5}, d.grid(5).bins());
    assertArrayEquals(new double[] {0, 0}, d.grid(5).lower());
    CvtTessellation fromSeeds = d.cvtFromSeeds(seeds, 6, new SplittableRandom(4));
    assertEquals(6, fromSeeds.cellCount());
    Set<Integer> used = new HashSet<>();
    for (double[] m : d.measures(seeds)) {
      used.add(fromSeeds.nearest(m));
    }
    assertEquals(6, used.size(), "k-means over the seeds leaves no cell empty");
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s;
  }
}
