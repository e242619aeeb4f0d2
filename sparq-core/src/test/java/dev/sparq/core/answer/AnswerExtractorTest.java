package dev.sparq.core.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AnswerExtractorTest {
  private static String ex(String text) {
    return AnswerExtractor.extract(text).orElse(null);
  }

  @Test
  void nestedBracesAreMatchedNotCutByALazyPattern() {
    assertEquals("\\frac{1}{2}", ex("So the answer is $\\boxed{\\frac{1}{2}}$."));
    assertEquals("\\frac{\\sqrt{3}}{2}", ex("\\boxed{\\frac{\\sqrt{3}}{2}}"));
  }

  @Test
  void theLastBoxWins() {
    assertEquals("7", ex("First \\boxed{3}, then after checking \\boxed{7}."));
    assertEquals("4", ex("\\boxed{3} ... \\fbox{4}"));
  }

  @Test
  void boxWithoutBracesReadsOneToken() {
    assertEquals("5", ex("The result is $\\boxed 5$"));
  }

  @Test
  void malformedLastBoxGivesNoAnswer() {
    assertEquals(Optional.empty(), AnswerExtractor.extract("\\boxed{2} and finally \\boxed{\\frac{1}{2}"));
    assertEquals(Optional.empty(), AnswerExtractor.extract("\\boxed{}"));
  }

  @Test
  void escapedBracesDoNotCount() {
    assertEquals("\\{1, 2\\}", ex("\\boxed{\\{1, 2\\}}"));
  }

  @Test
  void commaSeparatedAnswersStayTogether() {
    assertEquals("2, 3", ex("The roots are \\boxed{2, 3}."));
    assertTrue(AnswerChecker.standard().grade("3,2", "The roots are \\boxed{2, 3}.").correct());
  }

  @Test
  void gsm8kMarker() {
    assertEquals("1,234", ex("Natalia sold 1234 clips.\n#### 1,234"));
    assertTrue(AnswerChecker.standard().grade("1234", "work\n#### 1,234").correct());
  }

  @Test
  void answerPhrases() {
    assertEquals("12", ex("Adding them up, the answer is 12."));
    assertEquals("3.5", ex("So the final answer is $3.5$. Done"));
    assertEquals("x+1", ex("Answer: x+1"));
    assertEquals("\\frac{3}{4}", ex("Final Answer: The final answer is $\\frac{3}{4}$. I hope"));
  }

  @Test
  void nothingToExtract() {
    assertFalse(AnswerExtractor.extract("I do not know.").isPresent());
    assertFalse(AnswerExtractor.extract("").isPresent());
    assertFalse(AnswerExtractor.extract(null).isPresent());
  }

  @Test
  void gradeReportsMissingAnswers() {
    AnswerChecker.Graded g = AnswerChecker.standard().grade("5", "no idea");
    assertEquals(null, g.answer());
    assertEquals(AnswerChecker.Verdict.NO_ANSWER, g.verdict());
    assertFalse(g.correct());
  }
}
