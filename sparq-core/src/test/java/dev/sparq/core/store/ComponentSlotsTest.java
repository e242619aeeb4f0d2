package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.DataException;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.difficulty.AdaptiveEstimator;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.StageContext;
import dev.sparq.testkit.math.ArithmeticDomain;
import dev.sparq.core.describe.SkillDescriptor;
import dev.sparq.core.describe.SkillLabeler;
import dev.sparq.core.describe.SkillVocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stateful components restored from checkpoint slots by {@link SparqRun}. */
class ComponentSlotsTest {
  @TempDir Path tmp;

  private static AdaptiveEstimator adaptive() {
    return AdaptiveEstimator.builder().build();
  }

  /** What a finished run left: archive JSON, totals, log records. */
  private record Outcome(String archive, RunStats totals, java.util.List<String> log) {}

  /**
   * Runs 24 iterations checkpointing every 5, either in one go or stopped after 13 steps (last
   * checkpoint after iteration 10) and resumed with a fresh estimator.
   */
  private Outcome run(Path dir, boolean interrupt, boolean withSlot,
      Function<AdaptiveEstimator, AdaptiveEstimator> check) {
    if (interrupt) {
      AdaptiveEstimator first = adaptive();
      // the run finds the estimator's state on its own; hidden behind a lambda it is not saved
      SparqRun.Builder b = SparqRun.builder(dir, RunFixtures.engine(24)
          .estimator(withSlot ? first : first::estimate)).checkpointEvery(5);
      try (SparqRun run = b.open()) {
        for (int i = 0; i < 13; i++) {
          run.engine().step();
        }
      }
    }
    AdaptiveEstimator est = adaptive();
    SparqRun.Builder b = SparqRun.builder(dir, RunFixtures.engine(24)
        .estimator(withSlot ? est : est::estimate)).checkpointEvery(5);
    try (SparqRun run = b.open()) {
      assertEquals(interrupt, run.resumed());
      RunStats totals = run.run();
      check.apply(est);
      return new Outcome(ArchiveJson.toJson((CellArchive) run.engine().archive()), totals,
          SparqRunTest.logLines(dir));
    }
  }

  @Test
  void adaptiveEstimatorResumesWithItsLearnedPrior() {
    AdaptiveEstimator[] wholeEst = new AdaptiveEstimator[1];
    Outcome whole = run(tmp.resolve("whole"), false, true, e -> wholeEst[0] = e);
    AdaptiveEstimator[] resumedEst = new AdaptiveEstimator[1];
    Outcome resumed = run(tmp.resolve("parts"), true, true, e -> resumedEst[0] = e);
    assertTrue(whole.equals(resumed), "same archive, totals and log");
    assertEquals(wholeEst[0].priorState(), resumedEst[0].priorState());
    assertEquals(wholeEst[0].rolloutsSpent(), resumedEst[0].rolloutsSpent());
    assertEquals(wholeEst[0].problemsEstimated(), resumedEst[0].problemsEstimated());
    assertTrue(wholeEst[0].priorState().observations() > 100, "the prior learned something");

    // without the slot the resumed run starts from an empty prior and spends rollouts differently
    Outcome forgetful = run(tmp.resolve("noslot"), true, false, e -> e);
    assertNotEquals(whole.totals(), forgetful.totals());
    assertTrue(!whole.log().equals(forgetful.log()), "the log differs without the slot");
  }

  @Test
  void adaptiveSlotRejectsAMalformedState() {
    AdaptiveEstimator est = adaptive();
    ObjectNode state = (ObjectNode) est.saveState();
    ((ObjectNode) state.get("prior")).remove("counts");
    DataException e = assertThrows(DataException.class, () -> est.restoreState(state));
    assertTrue(e.getMessage().contains("slots.adaptive_estimator.counts"), e.getMessage());
  }

  /**
   * A labeller model that names the operations of an arithmetic problem; {@code salt} puts an extra
   * label first in the replies for the {@code salted} problems, as a sampled model could label the
   * seeds differently on a rerun.
   */
  private static SkillLabeler labeler(String salt, List<Problem> salted) {
    LanguageModel model = new LanguageModel() {
      @Override
      public List<List<Completion>> complete(List<ChatRequest> requests, SamplingParams params) {
        List<List<Completion>> out = new ArrayList<>();
        for (ChatRequest r : requests) {
          String text = r.messages().get(r.messages().size() - 1).content();
          Matcher m = Pattern.compile("Compute (.*)\\.").matcher(text);
          String expr = m.find() ? m.group(1) : "";
          List<String> labels = new ArrayList<>();
          if (expr.contains("+")) {
            labels.add("addition");
          }
          if (expr.contains(" - ")) {
            labels.add("subtraction");
          }
          if (expr.contains("*")) {
            labels.add("multiplication");
          }
          if (expr.matches(".*\\d{3}.*")) {
            labels.add("large numbers");
          }
          if (salted.stream().anyMatch(p -> text.contains(p.statement()))) {
            labels.add(0, salt);
          }
          out.add(List.of(Completion.of(String.join("\n", labels))));
        }
        return out;
      }
    };
    return SkillLabeler.builder(model).k(2).build();
  }

  @Test
  void statefulPartsOfAWrapperAndOfAUnionAreCheckpointed() {
    List<Problem> seeds = ArithmeticDomain.seeds(12, new SplittableRandom(7));
    SkillDescriptor skills = SkillDescriptor.forSeeds(labeler("", List.of()), seeds, 2, 4,
        StageContext.of(new SplittableRandom(1)));
    Path dir = tmp.resolve("composite");
    try (SparqRun run = SparqRun.builder(dir, RunFixtures.engine(4)
        .estimator(new dev.sparq.core.difficulty.InBandOnly(adaptive()))
        .descriptor(dev.sparq.core.describe.DescriptorUnion.of(ArithmeticDomain.descriptor(), skills)))
        .checkpointEvery(0).open()) {
      run.engine().step();
      run.checkpoint();
    }
    java.util.Map<String, JsonNode> slots = SparqRun.readCheckpoint(dir).slots();
    assertTrue(slots.containsKey("adaptive_estimator"), "inside InBandOnly: " + slots.keySet());
    assertTrue(slots.containsKey("skill_descriptor"), "inside DescriptorUnion: " + slots.keySet());
  }

  @Test
  void skillDescriptorResumesWithItsVocabularyAndSeedLabels() {
    List<Problem> seeds = ArithmeticDomain.seeds(12, new SplittableRandom(7));
    SkillDescriptor original = SkillDescriptor.forSeeds(labeler("", List.of()), seeds, 2, 4,
        StageContext.of(new SplittableRandom(1)));
    assertEquals(2, original.vocabulary().size());
    Function<SkillDescriptor, Sparq.Builder> engine = d -> RunFixtures.engine(20).descriptor(d);

    String whole;
    try (SparqRun run = SparqRun.builder(tmp.resolve("whole"), engine.apply(original))
        .slot(original).checkpointEvery(5).open()) {
      run.run();
      whole = ArchiveJson.toJson((CellArchive) run.engine().archive());
    }
    JsonNode saved = SparqRun.readCheckpoint(tmp.resolve("whole")).slots().get("skill_descriptor");

    for (boolean withSlot : new boolean[] {true, false}) {
      Path dir = tmp.resolve("parts-" + withSlot);
      SkillDescriptor first = SkillDescriptor.forSeeds(labeler("", List.of()), seeds, 2, 4,
          StageContext.of(new SplittableRandom(1)));
      try (SparqRun run = SparqRun.builder(dir, engine.apply(first))
          .slot(first).checkpointEvery(5).open()) {
        for (int i = 0; i < 8; i++) {
          run.engine().step();
        }
      }
      // the resumed process relabels its seeds with a model that now answers differently
      SkillDescriptor relabelled = SkillDescriptor.forSeeds(labeler("word problems", seeds), seeds, 2, 4,
          StageContext.of(new SplittableRandom(1)));
      assertNotEquals(original.vocabulary(), relabelled.vocabulary());
      SparqRun.Builder b = withSlot
          ? SparqRun.builder(dir, engine.apply(relabelled)).checkpointEvery(5)
          : SparqRun.builder(dir, RunFixtures.engine(20).descriptor(relabelled::describe))
              .checkpointEvery(5);
      try (SparqRun run = b.open()) {
        run.run();
        String archive = ArchiveJson.toJson((CellArchive) run.engine().archive());
        if (withSlot) {
          assertEquals(original.vocabulary(), relabelled.vocabulary());
          assertTrue(whole.equals(archive), "the resumed run ends with the same archive");
          assertEquals(saved.toString(), relabelled.saveState().toString());
        } else {
          assertTrue(!whole.equals(archive), "without the slot the niches change");
        }
      }
    }
  }

  @Test
  void skillVocabularyJsonRoundTripsAndNamesBadFields() {
    SkillVocabulary v = SkillVocabulary.build(List.of(List.of("Algebra", "counting"),
        List.of("algebra"), List.of("Number theory")), 2);
    assertEquals(v, SkillVocabulary.fromJson(v.toJson()));
    assertEquals(v.skills(), SkillVocabulary.fromJson(v.toJson()).skills());
    ObjectNode bad = v.toJson();
    ((ObjectNode) bad.get("counts")).remove("algebra");
    DataException e = assertThrows(DataException.class, () -> SkillVocabulary.fromJson(bad));
    assertTrue(e.getMessage().contains("counts.algebra"), e.getMessage());
  }
}
