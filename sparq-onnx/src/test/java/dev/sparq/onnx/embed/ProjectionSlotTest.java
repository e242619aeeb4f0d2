package dev.sparq.onnx.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.ConfigException;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.engine.Variant;
import dev.sparq.core.model.Problem;
import dev.sparq.testkit.math.ArithmeticDomain;
import dev.sparq.core.store.SparqRun;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EmbeddingDescriptor#saveState()} in a resumed {@link SparqRun}. */
class ProjectionSlotTest {
  @TempDir Path tmp;

  /** Embeds an arithmetic statement by counts of its characters, deterministic. */
  private static final TextEmbedder FAKE = new TextEmbedder() {
    @Override
    public float[][] embed(List<String> texts) {
      float[][] out = new float[texts.size()][];
      for (int i = 0; i < out.length; i++) {
        String t = texts.get(i);
        out[i] = new float[] {t.length(), t.chars().filter(Character::isDigit).count(),
            t.chars().filter(c -> c == '+').count(), t.chars().filter(c -> c == '*').count(),
            t.chars().filter(c -> c == '-').count(), t.chars().filter(c -> c == '(').count()};
      }
      return out;
    }

    @Override
    public int dimension() {
      return 6;
    }
  };

  private static final List<Problem> SEEDS = ArithmeticDomain.seeds(12, new SplittableRandom(7));

  private static EmbeddingDescriptor fitted(long projectionSeed) {
    return EmbeddingDescriptor.fit(FAKE, SEEDS, EmbeddingProjection.Spec.random(2, projectionSeed));
  }

  private static Sparq.Builder engine(EmbeddingDescriptor d) {
    return Sparq.builder()
        .generator(ArithmeticDomain.generator())
        .solver(ArithmeticDomain.solver(0.15))
        .estimator(ArithmeticDomain.estimator(8, 0.1, 0.9))
        .descriptor(d)
        .archive(CellArchive.builder().tessellation(d.grid(6)).capacity(2).build())
        .seedProblems(SEEDS)
        .variant(Variant.DYNAMIC_DIVERSE)
        .batchSize(16)
        .budget(Budget.iterations(20))
        .randomSeed(99);
  }

  @Test
  void resumedRunKeepsTheProjectionItStartedWith() {
    EmbeddingDescriptor original = fitted(1);
    String whole;
    try (SparqRun run = SparqRun.builder(tmp.resolve("whole"), engine(original))
        .slot(original).checkpointEvery(5).open()) {
      run.run();
      whole = ArchiveJson.toJson((CellArchive) run.engine().archive());
    }
    for (boolean withSlot : new boolean[] {true, false}) {
      Path dir = tmp.resolve("parts-" + withSlot);
      EmbeddingDescriptor first = fitted(1);
      try (SparqRun run = SparqRun.builder(dir, engine(first)).slot(first)
          .checkpointEvery(5).open()) {
        for (int i = 0; i < 8; i++) {
          run.engine().step();
        }
      }
      // the resumed process fits its projection with another seed
      EmbeddingDescriptor refitted = fitted(2);
      assertNotEquals(original.projection(), refitted.projection());
      // the run finds the descriptor's state on its own; hidden behind a lambda it is not restored
      SparqRun.Builder b = SparqRun.builder(dir, withSlot ? engine(refitted)
          : engine(refitted).descriptor(refitted::describe)).checkpointEvery(5);
      try (SparqRun run = b.open()) {
        assertTrue(run.resumed());
        run.run();
        String archive = ArchiveJson.toJson((CellArchive) run.engine().archive());
        if (withSlot) {
          assertEquals(original.projection(), refitted.projection());
          assertTrue(whole.equals(archive), "the resumed run ends with the same archive");
        } else {
          assertTrue(!whole.equals(archive), "without the slot problems land elsewhere");
        }
      }
    }
  }

  @Test
  void aProjectionOfAnotherShapeIsRefused() {
    EmbeddingDescriptor two = fitted(1);
    EmbeddingDescriptor three = EmbeddingDescriptor.fit(FAKE, SEEDS,
        EmbeddingProjection.Spec.random(3, 1));
    ConfigException e = assertThrows(ConfigException.class,
        () -> two.restoreState(three.saveState()));
    assertTrue(e.getMessage().contains("embedding_projection"), e.getMessage());
    assertEquals(2, two.dimensions());
  }
}
