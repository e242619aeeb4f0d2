package dev.sparq.core.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Pathological answers must end quickly with LIMIT_EXCEEDED or DIFFERENT. The timeouts below are
 * hang detectors (generous by orders of magnitude), not performance assertions.
 */
class AnswerCheckerLimitsTest {
  private static final Duration HANG = Duration.ofSeconds(20);
  private final AnswerChecker checker = AnswerChecker.standard();

  @Test
  void hugeExponentsAreNotEvaluatedExactly() {
    assertTimeoutPreemptively(HANG, () -> {
      assertFalse(checker.equivalent("1", "9^{9^{9^{9}}}"));
      assertFalse(checker.equivalent("2", "10^{100000000}"));
      assertFalse(checker.equivalent("0", "(123456789^{4000})^{4000}"));
      assertTrue(checker.equivalent("1024", "2^{10}"));
    });
  }

  @Test
  void deepNestingHitsTheDepthCap() {
    String deep = "(".repeat(400) + "1" + ")".repeat(400);
    assertTimeoutPreemptively(HANG, () ->
        assertEquals(AnswerChecker.Verdict.LIMIT_EXCEEDED, checker.check("1", deep)));
    String fracs = "\\frac{".repeat(300) + "1" + "}{2}".repeat(300);
    assertTimeoutPreemptively(HANG, () -> assertFalse(checker.equivalent("1", fracs)));
  }

  @Test
  void overlongAnswersAreRefusedWithoutParsing() {
    String longSum = "1+".repeat(5000) + "1";
    assertEquals(AnswerChecker.Verdict.LIMIT_EXCEEDED, checker.check("5001", longSum));
    AnswerChecker generous = AnswerChecker.builder().maxAnswerChars(20_000).maxSteps(1_000).build();
    assertTimeoutPreemptively(HANG, () ->
        assertEquals(AnswerChecker.Verdict.LIMIT_EXCEEDED, generous.check("5001", longSum)));
  }

  @Test
  void factorialsAndLongNumbersStayBounded() {
    assertTimeoutPreemptively(HANG, () -> {
      assertFalse(checker.equivalent("1", "100000000!"));
      assertFalse(checker.equivalent("1", "9".repeat(900)));
      assertTrue(checker.equivalent("9".repeat(300), "9".repeat(300)));
    });
  }

  @Test
  void randomGarbageNeverThrowsOrHangs() {
    SplittableRandom r = new SplittableRandom(7);
    String alphabet = "0123456789+-*/^(){}[]\\,.%$ xyfracsqrtpiboxed=|!&";
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int i = 0; i < 20_000; i++) {
        int n = r.nextInt(60);
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < n; j++) {
          sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        checker.check("\\frac{1}{2}", sb.toString());
        checker.check(sb.toString(), "x+1");
      }
    });
  }

  @Test
  void randomTextsInTheNewSyntaxNeverThrowOrHang() {
    // Relations, chains, approximations, joined boxes, math delimiters, bare-brace sets, decimal
    // commas and prose: the syntax issue 12 added, thrown together at random through verify().
    String[] tokens = {"x", "y", "2", "10", "0,5", "1 000", "=", "<", ">", "\\le", "\\geq", "!=",
        "\\neq", "\\approx", "\\in", "[", "]", "(", ")", "{", "}", "\\{", "\\}", ",", ";", " and ",
        " or ", "$", "$$", "\\(", "\\)", "\\[", "\\]", "\\boxed{", "\\fbox", "\\text{ and }",
        "\\quad", "\\frac{1}{3}", "\\sqrt[3]{", "^{2/3}", "\\left[", "\\right]",
        "\\begin{array}{cc}", "\\end{array}", "&", "\\\\", "%", "\\!", "\\\\frac", "\n",
        "The final answer is ", "Final Answer: ", " hours ago. ", "1/2", "-", "+", "\\pm", "\\cup"};
    SplittableRandom r = new SplittableRandom(12);
    assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
      for (int i = 0; i < 10_000; i++) {
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        for (int j = r.nextInt(25); j > 0; j--) {
          a.append(tokens[r.nextInt(tokens.length)]);
        }
        for (int j = r.nextInt(25); j > 0; j--) {
          b.append(tokens[r.nextInt(tokens.length)]);
        }
        AnswerChecker.Verdict v = checker.verify(a.toString(), b.toString());
        assertEquals(v, checker.verify(a.toString(), b.toString()), "deterministic");
        checker.check(a.toString(), b.toString());
        checker.kind(a.toString());
      }
    });
  }

  @Test
  void adversarialSolutionTextsStayLinear() {
    // Openers without closers, thousands of boxes, numbers and relation signs: each must be read
    // in about linear time (the scan memoises closing delimiters).
    String[] texts = {
        "\\(".repeat(60_000), "$".repeat(100_001), "\\boxed{1}, ".repeat(15_000),
        "1 < ".repeat(40_000) + "2", "\\[ x \\] and ".repeat(10_000),
        ("$1$ and " + "\\(\n").repeat(20_000), "1,".repeat(90_000)};
    assertTimeoutPreemptively(HANG, () -> {
      for (String t : texts) {
        assertFalse(checker.verify("2", t).isEquivalent(), t.substring(0, 20));
        checker.grade("2", t);
      }
    });
    String tooLong = "1".repeat(200_001);
    assertEquals(AnswerChecker.Verdict.LIMIT_EXCEEDED, checker.verify("1", tooLong));
  }

  @Test
  void relationsSpendTheStepBudget() {
    AnswerChecker tight = AnswerChecker.builder().maxSteps(100).build();
    String chain = "x" + " = x+1".repeat(60);
    assertEquals(AnswerChecker.Verdict.LIMIT_EXCEEDED, tight.check("x = 1", chain));
    assertEquals(AnswerChecker.Verdict.LIMIT_EXCEEDED,
        tight.check("-2 \\le x \\le 7", "[" + "1, ".repeat(50) + "7]"));
  }
}
