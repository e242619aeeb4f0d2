package dev.sparq.core.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.Outcome;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.FinishReason;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class GenerationParserTest {
  private final GenerationParser parser = GenerationParser.standard();

  private static final String GOOD = "<problem>What is 2+3?</problem>\n<solution>2+3=\\boxed{5}</solution>";

  private String reason(String text) {
    Outcome<GeneratedPair> o = parser.parse(text);
    return o.isPresent() ? "ok" : o.rejection().reason();
  }

  @Test
  void wellFormedReplyIsRead() {
    GeneratedPair p = parser.parse(GOOD).value();
    assertEquals("What is 2+3?", p.problem());
    assertEquals("2+3=\\boxed{5}", p.solution());
    assertEquals("5", p.answer());
  }

  @Test
  void solutionFirstAndUpperCaseTagsAndSurroundingTextAreFine() {
    assertEquals("ok", reason("Sure! <SOLUTION>x = \\boxed{\\frac{1}{2}}</SOLUTION>\n"
        + "<Problem>Find x.</Problem> Hope this helps."));
    assertEquals("\\frac{1}{2}", parser.parse("<problem>Find x.</problem><solution>\\boxed{\\frac{1}{2}}"
        + "</solution>").value().answer());
  }

  @Test
  void eachDefectHasItsReason() {
    assertEquals(GenerationParser.MISSING_PROBLEM_TAG, reason("<solution>\\boxed{1}</solution>"));
    assertEquals(GenerationParser.MISSING_PROBLEM_TAG, reason("<problem>Q <solution>\\boxed{1}</solution>"));
    assertEquals(GenerationParser.MISSING_SOLUTION_TAG, reason("<problem>Q</problem> \\boxed{1}"));
    assertEquals(GenerationParser.DUPLICATE_PROBLEM_TAG, reason(GOOD + "<problem>Again</problem>"));
    assertEquals(GenerationParser.DUPLICATE_SOLUTION_TAG,
        reason(GOOD + "<solution>\\boxed{6}</solution>"));
    assertEquals(GenerationParser.DUPLICATE_PROBLEM_TAG, reason("</problem>" + GOOD));
    assertEquals(GenerationParser.NESTED_TAGS,
        reason("<problem>Q <solution>\\boxed{1}</solution></problem>"));
    assertEquals(GenerationParser.EMPTY_PROBLEM, reason("<problem>  \n</problem><solution>\\boxed{1}</solution>"));
    assertEquals(GenerationParser.EMPTY_SOLUTION, reason("<problem>Q</problem><solution> </solution>"));
    assertEquals(GenerationParser.NO_BOXED_ANSWER, reason("<problem>Q</problem><solution>It is 5.</solution>"));
    assertEquals(GenerationParser.MALFORMED_BOXED_ANSWER,
        reason("<problem>Q</problem><solution>\\boxed{\\frac{1}{2}</solution>"));
    assertEquals(GenerationParser.TOO_LONG,
        reason("<problem>" + "x".repeat(9000) + "</problem><solution>\\boxed{1}</solution>"));
  }

  @Test
  void truncatedAndAbortedCompletionsAreRejectedEvenWithTags() {
    assertEquals(GenerationParser.TRUNCATED,
        parser.parse(new Completion(GOOD, 1, 2048, FinishReason.LENGTH)).rejection().reason());
    assertEquals(GenerationParser.ABORTED,
        parser.parse(new Completion(GOOD, 1, 3, FinishReason.ABORT)).rejection().reason());
    assertTrue(parser.parse(Completion.of(GOOD)).isPresent());
  }

  @Test
  void strictParserRejectsTextOutsideTags() {
    GenerationParser strict = new GenerationParser(true, 8000, 500);
    assertEquals(GenerationParser.TEXT_OUTSIDE_TAGS,
        strict.parse("Here you go: " + GOOD).rejection().reason());
    assertTrue(strict.parse("  " + GOOD + "\n").isPresent());
  }

  /** 100,000 random and adversarial strings: never an exception, every accepted pair is sound. */
  @Test
  void fuzz() {
    String[] pieces = {"<problem>", "</problem>", "<solution>", "</solution>", "<PROBLEM>",
        "</Solution>", "\\boxed{", "\\boxed", "\\fbox{", "{", "}", "\\{", "\\}", "5", "x", " ",
        "\n", "$", "\\frac{1}{2}", "<problem", "problem>", "</", "<", ">", "İ", "\u0000", "\uD83D\uDE00",
        "\uD800", "####", "The answer is", "\\", "é", "ǅ", "ß"};
    SplittableRandom r = new SplittableRandom(2026);
    Map<String, Integer> reasons = new TreeMap<>();
    int accepted = 0;
    for (int i = 0; i < 100_000; i++) {
      String s;
      int mode = r.nextInt(4);
      if (mode == 0) { // random characters
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(80);
        for (int j = 0; j < n; j++) {
          sb.append((char) r.nextInt(0x3000));
        }
        s = sb.toString();
      } else if (mode == 1) { // random pieces
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(30);
        for (int j = 0; j < n; j++) {
          sb.append(pieces[r.nextInt(pieces.length)]);
        }
        s = sb.toString();
      } else { // a valid reply with a random cut, insertion or deletion
        StringBuilder sb = new StringBuilder("Intro " + GOOD + " outro");
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits; e++) {
          int at = r.nextInt(sb.length() + 1);
          int op = r.nextInt(3);
          if (op == 0) {
            sb.setLength(at);
          } else if (op == 1) {
            sb.insert(at, pieces[r.nextInt(pieces.length)]);
          } else if (at < sb.length()) {
            sb.delete(at, Math.min(sb.length(), at + 1 + r.nextInt(8)));
          }
        }
        s = sb.toString();
      }
      FinishReason fr = r.nextInt(10) == 0 ? FinishReason.LENGTH : FinishReason.STOP;
      Outcome<GeneratedPair> o = parser.parse(new Completion(s, 0, 0, fr));
      if (o.isPresent()) {
        accepted++;
        GeneratedPair p = o.value();
        assertFalse(p.problem().isBlank());
        assertFalse(p.answer().isBlank());
        assertTrue(p.solution().contains("\\boxed") || p.solution().contains("\\fbox"));
        assertTrue(s.contains(p.problem()));
      } else {
        reasons.merge(o.rejection().reason(), 1, Integer::sum);
      }
    }
    assertTrue(accepted > 0, "some mutated replies stay valid");
    assertTrue(reasons.size() >= 8, "many distinct reasons: " + reasons);
  }

  @Test
  void draftsInsideTheThinkingAreNotParsed() {
    String draft = "<think>\nLet me draft: <problem>What is 1+1?</problem><solution>\\boxed{2}</solution>"
        + "\nToo easy.\n</think>\n\n";
    GeneratedPair p = parser.parse(draft + GOOD).value();
    assertEquals("What is 2+3?", p.problem());
    assertEquals("5", p.answer());
    // The template opened the block (DeepSeek-R1): only the closing tag is in the reply.
    assertEquals("What is 2+3?", parser.parse(draft.substring("<think>".length()) + GOOD).value().problem());
    // Strictness applies to the visible text only.
    assertEquals("ok", new GenerationParser(true, 100, 10).parse(draft + GOOD).isPresent() ? "ok" : "rejected");
    // Drafts only, and no answer after the thinking: a plain missing tag.
    assertEquals(GenerationParser.MISSING_PROBLEM_TAG, reason(draft));
  }

  @Test
  void aReplyThatEndedInsideItsThinkingIsACountedRejection() {
    String unfinished = "<think>\nLet me draft: <problem>What is 1+1?</problem><solution>\\boxed{2}</solution>";
    assertEquals(GenerationParser.UNFINISHED_THINKING, reason(unfinished));
    for (FinishReason f : new FinishReason[] {FinishReason.STOP, FinishReason.LENGTH}) {
      Outcome<GeneratedPair> o = parser.parse(new Completion(unfinished, 10, 900, f));
      assertEquals(GenerationParser.UNFINISHED_THINKING, o.rejection().reason(), f.name());
      assertTrue(o.rejection().detail().contains("900 tokens"), o.rejection().detail());
    }
    assertEquals(GenerationParser.TRUNCATED, parser.parse(new Completion("<think>x</think><problem>a",
        10, 900, FinishReason.LENGTH)).rejection().reason(), "cut off after its thinking");
    assertEquals(GenerationParser.ABORTED, parser.parse(new Completion(unfinished, 10, 900, FinishReason.ABORT))
        .rejection().reason());
  }
}
