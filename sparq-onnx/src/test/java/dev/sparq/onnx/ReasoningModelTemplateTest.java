package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.llm.ChatMessage;
import dev.sparq.core.llm.ReasoningText;
import dev.sparq.onnx.jinja.Template;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A reasoning model run locally, with the real Qwen3 files (installed by the build, see
 * {@link ChatTemplateGoldenTest}): the template thinks by default and {@code enable_thinking=false}
 * closes an empty block in the prompt, and the thinking tags the model generates survive decoding
 * (they are added tokens that are not special), so that {@link ReasoningText} can find them.
 */
class ReasoningModelTemplateTest {
  private static final Path QWEN3 = ChatTemplateGoldenTest.modelsOf("qwen3");

  @Test
  void qwen3ThinksByDefaultAndEnableThinkingFalseClosesAnEmptyBlockInThePrompt() throws Exception {
    ChatTemplateGoldenTest.assumePackages();
    ChatTemplate t = ChatTemplate.fromTokenizerConfig(QWEN3.resolve("tokenizer_config.json"),
        ChatTemplateGoldenTest.FIXED, Template.Limits.DEFAULT);
    List<ChatMessage> chat = List.of(ChatMessage.user("What is 2 + 2?"));
    String thinking = t.render(chat, true);
    assertTrue(thinking.endsWith("<|im_start|>assistant\n"), thinking);
    assertFalse(thinking.contains("<think>"), "the model opens its own block");
    String off = t.render(chat, true, Map.of("enable_thinking", false));
    assertTrue(off.endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n"), off);
    assertEquals(thinking + "<think>\n\n</think>\n\n", off);
  }

  @Test
  void thinkingTagsSurviveDecodingThatSkipsSpecialTokens() throws Exception {
    ChatTemplateGoldenTest.assumePackages();
    String reply = "<think>\nMaybe \\boxed{5}? No, 2 + 2 = 4.\n</think>\n\n2 + 2 = \\boxed{4}";
    try (HfTokenizer tok = HfTokenizer.open(QWEN3.resolve("tokenizer.json"))) {
      long[] ids = tok.encode(reply, false);
      assertEquals(151667, ids[0], "<think> is one added token");
      assertEquals(reply, tok.decode(ids, true));
      HfTokenizer.IncrementalDecoder d = tok.incremental();
      for (long id : ids) {
        d.add(id);
      }
      String generated = d.finish();
      assertEquals(reply, generated, "the streaming decoder the generation loop uses");
      assertEquals("2 + 2 = \\boxed{4}", ReasoningText.answer(generated));
      // cut off while thinking: no answer
      String cut = tok.decode(java.util.Arrays.copyOf(ids, 6), true);
      assertTrue(ReasoningText.split(cut).unfinished(), cut);
    }
  }
}
