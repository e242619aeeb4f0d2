package dev.sparq.core.describe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.Outcome;
import dev.sparq.core.answer.AnswerKind;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.StageContext;
import dev.sparq.testkit.math.ArithmeticModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class SkillsTest {
  private static StageContext ctx() {
    return StageContext.of(new SplittableRandom(1));
  }

  private static LanguageModel replying(Function<String, String> f, int[] calls) {
    return new LanguageModel() {
      @Override
      public List<List<Completion>> complete(List<ChatRequest> requests, SamplingParams params) {
        calls[0]++;
        List<List<Completion>> out = new ArrayList<>();
        for (ChatRequest r : requests) {
          out.add(List.of(Completion.of(f.apply(r.messages().get(r.messages().size() - 1).content()))));
        }
        return out;
      }
    };
  }

  @Test
  void parsesNumberedBulletedAndCommaSeparatedReplies() {
    assertEquals(List.of("modular arithmetic", "counting", "prime factorization"),
        SkillLabeler.parse("Skills:\n1. Modular Arithmetic\n2) counting.\n- Prime-factorization\n4. extra", 3));
    assertEquals(List.of("algebra", "geometry"), SkillLabeler.parse("algebra, Geometry, algebra", 3));
    assertEquals(List.of("similar triangles"), SkillLabeler.parse("* similar triangles", 3));
    assertEquals(List.of(), SkillLabeler.parse("", 3));
    assertEquals(List.of(), SkillLabeler.parse("1.\n2.\n???\n12345", 3));
    assertEquals(List.of(), SkillLabeler.parse(
        "this is a long rambling sentence that is not a skill label at all", 3));
  }

  @Test
  void garbageRepliesAreCountedAndSkipped() {
    int[] calls = {0};
    SkillLabeler labeler = SkillLabeler.builder(replying(p -> p.contains("two") ? "??!" : "algebra", calls))
        .build();
    List<Outcome<List<String>>> out = labeler.label(List.of(Problem.of("one", "", "1"),
        Problem.of("two", "", "2")), ctx());
    assertEquals(List.of("algebra"), out.get(0).value());
    assertEquals(SkillLabeler.UNPARSEABLE, out.get(1).rejection().reason());
    assertEquals(1L, labeler.rejectionCounts().get(SkillLabeler.UNPARSEABLE));
    assertEquals(1, calls[0], "one model call per batch");
  }

  @Test
  void aReasoningLabellersThinkingIsNotReadForLabels() {
    int[] calls = {0};
    SkillLabeler labeler = SkillLabeler.builder(replying(p -> p.contains("two")
        ? "<think>\nmaybe geometry" : "<think>\nHmm, geometry?\nNo.\n</think>\n\nalgebra", calls)).build();
    List<Outcome<List<String>>> out = labeler.label(List.of(Problem.of("one", "", "1"),
        Problem.of("two", "", "2")), ctx());
    assertEquals(List.of("algebra"), out.get(0).value());
    assertEquals(SkillLabeler.UNPARSEABLE, out.get(1).rejection().reason(), "ended inside its thinking");
  }

  @Test
  void vocabularyKeepsTheMostCommonNormalisedSkills() {
    SkillVocabulary v = SkillVocabulary.build(List.of(
        List.of("Algebra", "Counting"), List.of("algebra", "geometry"), List.of("ALGEBRA!", "counting"),
        List.of("probability"), List.of("Algebra", "algebra")), 3);
    assertEquals(List.of("algebra", "counting", "geometry"), v.skills(),
        "algebra 4, counting 2, then geometry before probability alphabetically");
    assertEquals(4L, v.counts().get("algebra"));
    assertEquals("algebra", v.map(" Algebra. "));
    assertEquals("counting", v.map("Countings"));
    assertNull(v.map("probability"), "outside the vocabulary");
  }

  @Test
  void laterLabelsMapOntoTheVocabularyByWords() {
    SkillVocabulary v = SkillVocabulary.of(List.of("modular arithmetic", "similar triangles",
        "quadratic equations"));
    assertEquals("similar triangles", v.map("Similar Triangle"));
    assertEquals("quadratic equations", v.map("solving quadratic equations"));
    assertEquals("modular arithmetic", v.map("modular-arithmetic"));
    assertNull(v.map("arithmetic series"), "one shared word of three is not enough");
    assertEquals(List.of("modular arithmetic", "similar triangles"),
        v.mapAll(List.of("modular arithmetic", "unknown", "similar triangles", "quadratic equations"), 2));
  }

  @Test
  void skillDescriptorLabelsSeedsOnceAndGivesSortedSkillSets() {
    ArithmeticModel model = new ArithmeticModel(0, 0, 0);
    SkillLabeler labeler = SkillLabeler.builder(model).build();
    List<Problem> seeds = List.of(Problem.of("Compute 2 + 3 * 4.", "", "14"),
        Problem.of("Compute 9 - 2.", "", "7"), Problem.of("Compute 5 * 5 - 1.", "", "24"));
    SkillDescriptor d = SkillDescriptor.forSeeds(labeler, seeds, 100, 64, ctx());
    assertEquals(1, model.calls());
    assertEquals(3, d.vocabulary().size());
    List<Outcome<Descriptor>> out = d.describe(seeds, ctx());
    assertEquals(1, model.calls(), "seed labels are remembered");
    assertEquals(List.of("addition", "multiplication"), out.get(0).value().labels());
    assertEquals("multiplication|subtraction", out.get(2).value().key());
    Problem child = Problem.of("Compute 1 + 1 - 1.", "", "1");
    assertEquals(List.of("addition", "subtraction"), d.describe(List.of(child), ctx()).get(0).value().labels());
    assertEquals(2, model.calls());
  }

  @Test
  void aDescriptorToRestoreLabelsNothingAndDescribesAsTheSavedOne() {
    ArithmeticModel model = new ArithmeticModel(0, 0, 0);
    List<Problem> seeds = List.of(Problem.of("Compute 2 + 3 * 4.", "", "14"),
        Problem.of("Compute 9 - 2.", "", "7"), Problem.of("Compute 5 * 5 - 1.", "", "24"));
    SkillDescriptor saved = SkillDescriptor.forSeeds(SkillLabeler.builder(model).build(), seeds, 100, 64, ctx());
    ArithmeticModel fresh = new ArithmeticModel(0, 0, 0);
    SkillDescriptor resumed = SkillDescriptor.toRestore(SkillLabeler.builder(fresh).build());
    // before the checkpoint is restored it refuses to place anything (no silent empty vocabulary)
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> resumed.describe(seeds, ctx()));
    assertTrue(e.getMessage().contains("skill_descriptor"), e.getMessage());
    assertThrows(IllegalStateException.class, resumed::saveState);
    assertThrows(IllegalStateException.class, resumed::vocabulary);
    resumed.restoreState(saved.saveState());
    assertEquals(saved.vocabulary().toJson(), resumed.vocabulary().toJson());
    List<Outcome<Descriptor>> out = resumed.describe(seeds, ctx());
    assertEquals(0, fresh.calls(), "the seeds' labels come from the checkpoint, not from the model");
    for (int i = 0; i < seeds.size(); i++) {
      assertEquals(saved.describe(List.of(seeds.get(i)), ctx()).get(0).value(), out.get(i).value());
    }
  }

  @Test
  void cheapDescriptors() {
    Problem p = Problem.of("Q", "so \\boxed{\\frac{1}{2}}", "\\frac{1}{2}");
    Descriptor d = CheapDescriptors.solutionLengthAndAnswerKind().describe(List.of(p), ctx()).get(0).value();
    assertEquals(p.solution().length(), d.measure(0));
    assertEquals(AnswerKind.RATIONAL.ordinal(), d.measure(1));
    assertEquals(List.of("expression"), CheapDescriptors.answerKindLabel()
        .describe(List.of(Problem.of("Q", "", "x+1")), ctx()).get(0).value().labels());
    assertTrue(CheapDescriptors.answerKindLabel().describe(List.of(Problem.of("Q", "", "(1,2)")), ctx())
        .get(0).value().labels().contains("tuple"));
  }
}
