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
}
