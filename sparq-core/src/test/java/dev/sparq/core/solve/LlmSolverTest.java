package dev.sparq.core.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.FinishReason;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.stage.StageContext;
import dev.sparq.testkit.math.ArithmeticModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LlmSolverTest {
  private static StageContext ctx(long seed) {
    return StageContext.of(new SplittableRandom(seed));
  }

  @Test
  void wholeBatchInOneCallWithNEqualK() {
    ArithmeticModel model = new ArithmeticModel(0.25, 0, 0);
    LlmSolver solver = LlmSolver.builder(model).build();
    List<Problem> ps = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ps.add(Problem.of("Compute " + i + " + 3 * 2.", "", Integer.toString(i + 6)));
    }
    List<List<Rollout>> out = solver.solve(ps, 16, ctx(1));
    assertEquals(1, model.calls());
    assertEquals(40, out.size());
    int correct = 0;
    for (int i = 0; i < 40; i++) {
      assertEquals(16, out.get(i).size());
      for (Rollout r : out.get(i)) {
        assertTrue(r.answer() != null);
        assertEquals(r.answer().equals(ps.get(i).answer()), r.correct(), r.toString());
        correct += r.correct() ? 1 : 0;
      }
    }
    double rate = correct / 640.0;
    assertTrue(rate > 0.45 && rate < 0.75, "two operations at 25% slips: about 0.56, got " + rate);
    assertEquals(640, solver.rolloutCount());
  }

  @Test
  void chunksWhenAskedAndIsReproducibleForASeed() {
    ArithmeticModel model = new ArithmeticModel(0.3, 0, 0);
    LlmSolver solver = LlmSolver.builder(model).maxRequestsPerCall(3).build();
    List<Problem> ps = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      ps.add(Problem.of("Compute " + i + " * 2 + 1.", "", Integer.toString(2 * i + 1)));
    }
    List<List<Rollout>> a = solver.solve(ps, 4, ctx(5));
    assertEquals(3, model.calls());
    List<List<Rollout>> b = solver.solve(ps, 4, ctx(5));
    assertEquals(a, b, "same seed, same rollouts");
  }

  @Test
  void truncatedMissingAndUnanswerableRolloutsAreIncorrect() {
    LanguageModel model = new LanguageModel() {
      @Override
      public List<List<Completion>> complete(List<ChatRequest> requests, SamplingParams params) {
        return List.of(List.of(
            Completion.of("so \\boxed{5}"),
            new Completion("so \\boxed{5} and then more", 1, 2048, FinishReason.LENGTH),
            Completion.of("no idea")));
      }
    };
    LlmSolver solver = LlmSolver.builder(model).build();
    List<Rollout> rs = solver.solve(List.of(Problem.of("q", "", "5")), 4, ctx(1)).get(0);
    assertEquals(4, rs.size());
    assertTrue(rs.get(0).correct());
    assertFalse(rs.get(1).correct(), "truncated");
    assertNull(rs.get(1).answer());
    assertFalse(rs.get(2).correct());
    assertFalse(rs.get(3).correct(), "missing");
    assertEquals(1, solver.missingRollouts());
    assertEquals(2, solver.rolloutsWithoutAnswer(), "truncated and unanswerable; missing ones are counted apart");
  }

  @Test
  void aCompletionFarLongerThanItsTokenBudgetIsCutAndHasNoAnswer() {
    // what a server that ignores max_tokens sent in an audit: 19 MB in one choice, which made a
    // candidate-log line larger than any reader accepts
    String huge = "x".repeat(3_000_000) + " so \\boxed{5}";
    String fits = "y".repeat(60_000) + " so \\boxed{5}";
    LanguageModel model = new LanguageModel() {
      @Override
      public List<List<Completion>> complete(List<ChatRequest> requests, SamplingParams params) {
        return List.of(List.of(Completion.of(huge), Completion.of(fits)));
      }
    };
    LlmSolver solver = LlmSolver.builder(model)
        .sampling(SamplingParams.builder().temperature(1).maxTokens(4096).build()).build();
    assertEquals(4096 * LlmSolver.CHARS_PER_TOKEN, solver.maxRolloutChars());
    List<Rollout> rs = solver.solve(List.of(Problem.of("q", "", "5")), 2, ctx(1)).get(0);
    assertEquals(solver.maxRolloutChars(), rs.get(0).text().length());
    assertNull(rs.get(0).answer(), "cut, so graded as truncated even though the box was at the end");
    assertFalse(rs.get(0).correct());
    assertTrue(rs.get(1).correct(), "a long but plausible completion is graded as usual");
    assertEquals(fits, rs.get(1).text());
    assertEquals(1, solver.oversizedRollouts());
    // a small token budget still allows MIN_ROLLOUT_CHARS, and a cut never splits a surrogate pair
    LlmSolver small = LlmSolver.builder((requests, params) -> List.of(List.of(
            Completion.of("a".repeat(LlmSolver.MIN_ROLLOUT_CHARS - 1) + "\uD83D\uDE00tail"))))
        .sampling(SamplingParams.builder().maxTokens(16).build()).build();
    String cut = small.solve(List.of(Problem.of("q", "", "5")), 1, ctx(1)).get(0).get(0).text();
    assertEquals(LlmSolver.MIN_ROLLOUT_CHARS - 1, cut.length());
  }

  @Test
  void theAnswerIsReadAfterTheThinkingOnly() {
    String thinking = "<think>\nFirst guess \\boxed{5}. Check: no, it is 6.\n</think>\n\n";
    LanguageModel model = (requests, params) -> List.of(List.of(
        Completion.of(thinking + "So the answer is \\boxed{6}."),
        // the template opened the block: only the closing tag is in the reply
        Completion.of("Guess \\boxed{5}?\n</think>\n\nIt is \\boxed{6}."),
        // the answer after the thinking has no box: the drafted box inside must not count
        Completion.of(thinking + "I am not sure."),
        // ended inside the thinking with finish reason stop (an end-of-sequence token): no answer
        new Completion("<think>\nSo far \\boxed{5}", 1, 300, FinishReason.STOP),
        // and cut off inside the thinking
        new Completion("<think>\nSo far \\boxed{5}", 1, 2048, FinishReason.LENGTH)));
    LlmSolver solver = LlmSolver.builder(model).build();
    List<Rollout> rs = solver.solve(List.of(Problem.of("q", "", "5")), 5, ctx(1)).get(0);
    assertEquals("6", rs.get(0).answer());
    assertFalse(rs.get(0).correct(), "the drafted 5 inside the thinking is not the answer");
    assertEquals("6", rs.get(1).answer());
    assertNull(rs.get(2).answer());
    assertNull(rs.get(3).answer(), "ended inside its thinking");
    assertFalse(rs.get(3).correct());
    assertNull(rs.get(4).answer());
    assertFalse(rs.get(4).correct());
    assertEquals(2, solver.unfinishedThinkingRollouts());
    assertEquals(3, solver.rolloutsWithoutAnswer());
    assertEquals(thinking + "So the answer is \\boxed{6}.", rs.get(0).text(), "the rollout keeps its thinking");
    assertEquals(300, rs.get(3).tokens(), "thinking tokens are counted");
  }
}
