package dev.sparq.core.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReasoningTextTest {
  private static void check(String text, String thinking, String answer, boolean unfinished) {
    ReasoningText.Split s = ReasoningText.split(text);
    assertEquals(thinking, s.thinking(), "thinking of " + text);
    assertEquals(answer, s.answer(), "answer of " + text);
    assertEquals(unfinished, s.unfinished(), "unfinished of " + text);
  }

  @Test
  void textWithoutMarkersIsAllAnswerAndUnchanged() {
    String plain = "  So x = 2.\n\\boxed{2}  ";
    assertSame(plain, ReasoningText.split(plain).answer());
    check("a < b and c > d, so \\boxed{a<b}", "", "a < b and c > d, so \\boxed{a<b}", false);
    check("", "", "", false);
    check(null, "", "", false);
    assertFalse(ReasoningText.split("<problem>x</problem>").hasThinking());
  }

  @Test
  void aClosedBlockIsThinkingAndTheRestIsTheAnswer() {
    check("<think>\nMaybe \\boxed{3}? No.\n</think>\n\nSo \\boxed{4}.", "Maybe \\boxed{3}? No.", "So \\boxed{4}.",
        false);
    check("<THINK>x</Think>y", "x", "y", false);
    check("<thinking>draft</thinking> final", "draft", "final", false);
    check("  \n<think></think>\n\nanswer", "", "answer", false);
  }

  @Test
  void aClosingTagWithoutAnOpeningOneEndsThinkingThatTheTemplateOpened() {
    // DeepSeek-R1 style: the generation prompt ends with "<think>\n", so the reply starts inside it.
    check("Let me see, \\boxed{1}?\nNo.\n</think>\n\nThe answer is \\boxed{2}.", "Let me see, \\boxed{1}?\nNo.",
        "The answer is \\boxed{2}.", false);
  }

  @Test
  void theLastClosingTagCounts() {
    check("<think>a</think>b</think>c", "a</think>b", "c", false);
  }

  @Test
  void anUnclosedBlockIsUnfinishedAndHasNoAnswer() {
    check("<think>\nSo far \\boxed{7}", "So far \\boxed{7}", "", true);
    check("Sure. <think> hmm", "hmm", "", true);
    check("<think>a</think>answer \\boxed{1}<think>more", "more", "", true);
    assertTrue(ReasoningText.split("<think>").hasThinking());
  }

  @Test
  void gptOssChannelsAreRead() {
    check("<|channel|>analysis<|message|>try 3<|end|><|start|>assistant<|channel|>final<|message|>\\boxed{4}",
        "<|channel|>analysis<|message|>try 3<|end|><|start|>assistant", "\\boxed{4}", false);
    check("<|channel|>analysis<|message|>try 3", "<|channel|>analysis<|message|>try 3", "", true);
  }

  @Test
  void joinPutsASeparateThinkingFieldBackSoThatSplitReadsIt() {
    assertEquals("answer", ReasoningText.join(null, "answer"));
    assertEquals("answer", ReasoningText.join("", "answer"));
    assertEquals("", ReasoningText.join(null, null));
    assertEquals("<think>t</think>a", ReasoningText.join("t", "a"));
    assertEquals("<think>t", ReasoningText.join("t", null));
    assertEquals("<think>t", ReasoningText.join("t", " \n"));
    check(ReasoningText.join("draft \\boxed{1}", "\\boxed{2}"), "draft \\boxed{1}", "\\boxed{2}", false);
    check(ReasoningText.join("still going", null), "still going", "", true);
  }

  @Test
  void neverThrowsAndTheAnswerNeverHoldsAClosingTag() {
    String[] parts = {"<think>", "</think>", "<thinking>", "</THINKING>", "<|channel|>final<|message|>",
        "<|channel|>analysis", "x", " ", "\n", "<", ">", "\\boxed{1}", "</", "think"};
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = r.nextInt(8);
      for (int j = 0; j < n; j++) {
        sb.append(parts[r.nextInt(parts.length)]);
      }
      ReasoningText.Split s = ReasoningText.split(sb.toString());
      String lower = s.answer().toLowerCase(java.util.Locale.ROOT);
      assertFalse(lower.contains("</think>") || lower.contains("</thinking>"), sb.toString());
      assertTrue(!s.unfinished() || s.answer().isEmpty(), sb.toString());
    }
  }
}
