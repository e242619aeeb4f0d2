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

  @Test
  void adjacentBoxesJoinedByPunctuationOrAndFormOneList() {
    assertEquals("1, 2, 3", ex("\\boxed{1},\\boxed{2},\\boxed{3}"));
    assertEquals("(2, 2), (6, 2)", ex("$$\\boxed{(2, 2)} \\quad \\text{and} \\quad \\boxed{(6, 2)}$$"));
    assertEquals("1, 2", ex("\\boxed{1} papers and \\boxed{2} bins"));
    // Prose between boxes that does not end in "and"/"or" means the earlier box was a step.
    assertEquals("2", ex("\\boxed{1} no no no no no \\boxed{2}"));
  }

  @Test
  void aFinalAnswerPhraseAfterTheLastBoxWins() {
    assertEquals("5", ex("We guessed \\boxed{4} first. The final answer is 5."));
    assertEquals("\\((-6, 10)\\)",
        ex("so \\( x \\in (-6, 10) \\). Final Answer: The final answer is \\((-6, 10)\\). I hope"));
  }

  @Test
  void extractAnyFallsBackToTheLastMathSegmentThenTheText() {
    assertEquals("9", AnswerExtractor.extractAny("Answer \\[ 9 \\]").orElseThrow());
    assertEquals("9", AnswerExtractor.extractAny("Answer \\( 9 \\)").orElseThrow());
    assertEquals("1, 2, 3", AnswerExtractor.extractAny("$1$ and $2$ and $3$").orElseThrow());
    assertEquals("\\frac{1}{2} \\$ = \\frac{10}{9}",
        AnswerExtractor.extractAny("Answer $ \\frac{1}{2} \\$ = \\frac{10}{9} $").orElseThrow());
    // Inline math does not span lines.
    assertEquals("Answer $ \n 9 \n $", AnswerExtractor.extractAny("Answer $ \n 9 \n $").orElseThrow());
    assertEquals("-5", AnswerExtractor.extractAny("-5").orElseThrow());
    assertFalse(AnswerExtractor.extractAny("  ").isPresent());
  }

  @Test
  void lastNumberReadsSeparatorsAndDecimalCommas() {
    assertEquals("1000.99", AnswerExtractor.lastNumber("not 10, it's 1,000.99m²").orElseThrow());
    assertEquals("1000", AnswerExtractor.lastNumber("1 000").orElseThrow());
    assertEquals("1000.99", AnswerExtractor.lastNumber("1000,99").orElseThrow());
    assertEquals("0.111", AnswerExtractor.lastNumber("0,111").orElseThrow());
    assertEquals("7425000", AnswerExtractor.lastNumber("7,425,000").orElseThrow());
    assertEquals("2/3", AnswerExtractor.lastNumber("the probability is 2/3.").orElseThrow());
    assertFalse(AnswerExtractor.lastNumber("AZYUK2A").isPresent());
    // A LaTeX fraction of integers in prose is one number, not its denominator (lighteval:202).
    assertEquals("2/5", AnswerExtractor.lastNumber("答案：每份应该是 (\\frac{2}{5}) 吨。").orElseThrow());
    assertEquals("-7/9", AnswerExtractor.lastNumber("so it is -\\dfrac{7}{9} here").orElseThrow());
  }

  @Test
  void verifyReadsProseInAnyScriptByItsLastNumber() {
    AnswerChecker c = AnswerChecker.standard();
    // Prose without a marked answer is read by its last number in any script, as English prose
    // already was (lighteval's multilingual extractive-match cases). Han text has no spaces.
    assertTrue(c.verify("13", "所以一共有3 + 10 = 13只鸟和鹳鸟。").isEquivalent());
    assertTrue(c.verify("13/28", "计划的比例为13/28").isEquivalent());
    assertTrue(c.verify("92", "لذا، ناتج العملية الحسابية 79 * 2 - 66 هو **92**.").isEquivalent());
    assertTrue(c.verify("67", "इसलिए, दुकान में अब 67 कमीजें हैं।").isEquivalent());
    assertTrue(c.verify("2/5", "答案：每份应该是 (\\frac{2}{5}) 吨。").isEquivalent());
    // The last number is the one read, not any number of the text.
    assertFalse(c.verify("10", "所以一共有3 + 10 = 13只鸟和鹳鸟。").isEquivalent());
    assertFalse(c.verify("5", "答案：每份应该是 (\\frac{2}{5}) 吨。").isEquivalent());
    assertFalse(c.verify("14", "là ça fait 15 et non 14 donc réponse 12").isEquivalent());
  }
}
