package dev.sparq.core.preset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.difficulty.InBandOnly;
import dev.sparq.core.difficulty.ValidityGuard;
import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.engine.Variant;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Problem;
import dev.sparq.testkit.math.ArithmeticModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Full engine runs of the paper preset against the scripted arithmetic model. */
class PaperPresetTest {
  private static List<Problem> seeds() {
    return ArithmeticModel.seedProblems();
  }


  /** Wraps a model and records the n and batch size of every call. */
  private static final class Recording implements LanguageModel {
    final LanguageModel inner;
    final List<int[]> calls = new ArrayList<>();

    Recording(LanguageModel inner) {
      this.inner = inner;
    }

    @Override
    public synchronized List<List<Completion>> complete(List<ChatRequest> requests, SamplingParams params) {
      calls.add(new int[] {requests.size(), params.n()});
      return inner.complete(requests, params);
    }
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void everyVariantRunsWithThePaperNumbers(Variant variant) {
    Recording model = new Recording(new ArithmeticModel(0.2, 0.0, 0.05));
    PaperPreset.Setup setup = PaperPreset.builder().model(model).seedProblems(seeds()).variant(variant)
        .nicheCapacity(4).randomSeed(11).setup();
    assertEquals(1, model.calls.size(), "the 10 seeds are labelled in one call");
    try (Sparq sparq = setup.sparq().budget(Budget.iterations(3)).build()) {
      RunStats totals = sparq.run();
      assertEquals(3, totals.iterations());
      assertEquals(3L * PaperPreset.BATCH_SIZE, totals.candidates());
      // per iteration: one generation call (64 requests), one solve call (n = 16), one labelling call
      assertEquals(1 + 3 * 3, model.calls.size());
      int[] gen = model.calls.get(1);
      int[] solve = model.calls.get(2);
      assertEquals(PaperPreset.BATCH_SIZE, gen[0]);
      assertEquals(1, gen[1]);
      assertEquals(PaperPreset.K, solve[1]);
      assertFalse(sparq.archive().isEmpty());
      int generatedMembers = 0;
      for (Elite e : sparq.archive().members()) {
        assertTrue(e.descriptor().labels().size() <= PaperPreset.SKILLS_PER_PROBLEM);
        if (e.iteration() >= 0) {
          generatedMembers++;
          assertEquals(PaperPreset.K, e.difficulty().rollouts());
          assertEquals(PaperPreset.BAND.quality(e.difficulty().correct(), PaperPreset.K), e.quality(), 1e-12);
        }
      }
      assertTrue(generatedMembers > 0, "children reached the archive");
      long generatorRejections = totals.rejections().entrySet().stream()
          .filter(en -> en.getKey().startsWith("generate/")).mapToLong(en -> en.getValue()).sum();
      assertTrue(generatorRejections > 0, "garbage generator output is counted: " + totals.rejections());
      assertEquals(setup.generator().rejectionCounts().values().stream().mapToLong(Long::longValue).sum(),
          generatorRejections);
    }
  }

  @Test
  void inBandOnlyRunEndsWithAnArchiveOfUsefulProblems() {
    ArithmeticModel model = new ArithmeticModel(0.2, 0.0, 0.0);
    PaperPreset.Setup setup = PaperPreset.builder().model(model).seedProblems(seeds())
        .variant(Variant.DYNAMIC_DIVERSE).nicheCapacity(5).inBandOnly(true).randomSeed(3).setup();
    List<EvaluatedCandidate> sunk = new ArrayList<>();
    try (Sparq sparq = setup.sparq().budget(Budget.iterations(4))
        .sink((it, batch) -> sunk.addAll(batch)).build()) {
      RunStats totals = sparq.run();
      List<Elite> generated = sparq.archive().members().stream().filter(e -> e.iteration() >= 0).toList();
      assertFalse(generated.isEmpty(), "the archive has generated members");
      for (Elite e : generated) {
        assertTrue(e.quality() >= 0.1 - 1e-12 && e.quality() <= 0.9 + 1e-12,
            "quality in the band: " + e.difficulty());
        double sr = e.difficulty().solveRate();
        assertTrue(PaperPreset.BAND.contains(sr));
      }
      long outOfBand = totals.rejections().entrySet().stream()
          .filter(en -> en.getKey().contains(InBandOnly.OUT_OF_BAND)).mapToLong(en -> en.getValue()).sum();
      assertTrue(outOfBand > 0, "some children were out of band: " + totals.rejections());
      assertTrue(sunk.stream().allMatch(c -> c.difficulty().quality() > 0));
    }
  }

  @Test
  void wrongIntendedAnswersAreDisputedAndDroppedOrReSolved() {
    ArithmeticModel model = new ArithmeticModel(0.05, 0.5, 0.0);
    PaperPreset.Setup drop = PaperPreset.builder().model(model).seedProblems(seeds())
        .guardPolicy(ValidityGuard.Policy.DROP).randomSeed(5).setup();
    try (Sparq sparq = drop.sparq().budget(Budget.iterations(2)).build()) {
      RunStats totals = sparq.run();
      ValidityGuard.Stats stats = drop.guard().stats();
      assertTrue(stats.disputed() > 20, "about half of 128 children have a wrong intended answer: " + stats);
      assertEquals(stats.disputed(), stats.dropped());
      long rejected = totals.rejections().entrySet().stream()
          .filter(en -> en.getKey().contains(ValidityGuard.DISPUTED)).mapToLong(en -> en.getValue()).sum();
      assertEquals(stats.dropped(), rejected);
      for (Elite e : sparq.archive().members()) {
        assertEquals(dev.sparq.core.model.Validity.VALID, e.difficulty().validity());
      }
    }
    PaperPreset.Setup resolve = PaperPreset.builder().model(model).seedProblems(seeds())
        .guardPolicy(ValidityGuard.Policy.RESOLVE).randomSeed(5).setup();
    try (Sparq sparq = resolve.sparq().budget(Budget.iterations(2)).build()) {
      sparq.run();
      ValidityGuard.Stats stats = resolve.guard().stats();
      assertTrue(stats.disputed() > 20);
      // the arithmetic model re-solves correctly, so it never confirms an off-by-one intended answer
      assertEquals(0, stats.confirmed());
      assertEquals(stats.disputed(), stats.dropped());
    }
  }

  @Test
  void adaptivePresetSpendsFewerRollouts() {
    ArithmeticModel model = new ArithmeticModel(0.2, 0.0, 0.0);
    try (Sparq fixed = PaperPreset.builder().model(model).seedProblems(seeds()).randomSeed(8).setup()
            .sparq().budget(Budget.iterations(3)).build();
        Sparq adaptive = PaperPreset.builder().model(model).seedProblems(seeds()).randomSeed(8).adaptive(true).setup()
            .sparq().budget(Budget.iterations(3)).build()) {
      long f = fixed.run().rollouts();
      long a = adaptive.run().rollouts();
      assertTrue(a < f, "adaptive " + a + " < fixed " + f);
    }
  }

  @Test
  void sameArchiveOnOneOrFourThreadsWithTheAdaptiveEstimator() {
    List<String> one = runIds(1);
    List<String> four = runIds(4);
    assertFalse(one.isEmpty());
    assertEquals(one, four);
  }

  private static List<String> runIds(int threads) {
    ArithmeticModel model = new ArithmeticModel(0.2, 0.1, 0.05);
    PaperPreset.Setup setup = PaperPreset.builder().model(model).seedProblems(seeds())
        .variant(Variant.DYNAMIC_DIVERSE).nicheCapacity(3).adaptive(true)
        .guardPolicy(ValidityGuard.Policy.DROP).randomSeed(21).setup();
    try (Sparq sparq = setup.sparq().chunkSize(16).threads(threads).budget(Budget.iterations(4)).build()) {
      sparq.run();
      List<String> ids = new ArrayList<>();
      for (Elite e : sparq.archive().members()) {
        ids.add(e.id() + ":" + e.difficulty() + ":" + e.descriptor().key());
      }
      ids.sort(null);
      return ids;
    }
  }
}
