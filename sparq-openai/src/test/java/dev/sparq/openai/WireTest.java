package dev.sparq.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.llm.FinishReason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireTest {

  private static Wire.Parsed chat(String json) throws Wire.MalformedResponseException {
    return Wire.parse(Api.CHAT, json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void parsesChoicesInIndexOrderWithUsage() throws Exception {
    Wire.Parsed p = chat("{\"choices\":["
        + "{\"index\":1,\"message\":{\"content\":\"b\"},\"finish_reason\":\"length\"},"
        + "{\"index\":0,\"message\":{\"content\":null,\"reasoning_content\":\"hm\"},\"finish_reason\":null}],"
        + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":30}}");
    assertEquals(List.of(new Wire.Choice(0, "<think>hm", FinishReason.STOP, 2),
            new Wire.Choice(1, "b", FinishReason.LENGTH)),
        p.choices(), "content null with thinking: a reply that ended inside its thinking");
    assertEquals(new Usage(12, 30), p.usage());
    Wire.Parsed noUsage = Wire.parse(Api.COMPLETIONS,
        "{\"choices\":[{\"text\":\"t\",\"finish_reason\":\"abort\"}]}".getBytes(StandardCharsets.UTF_8));
    assertEquals(Usage.ZERO, noUsage.usage());
    assertEquals(FinishReason.ABORT, noUsage.choices().get(0).finishReason());
  }

  @Test
  void aStringLongerThanJacksonsDefaultLimitParsesWhenTheBodyIsWithinItsBound() throws Exception {
    // 21 million characters: under maxResponseBytes (32 MiB), over Jackson's default of 20 million,
    // which made such a reply "not valid JSON" and had it retried (LlmSolver then cuts the text)
    String text = "z".repeat(21_000_000);
    Wire.Parsed p = chat("{\"choices\":[{\"message\":{\"content\":\"" + text + "\"}}]}");
    assertEquals(text.length(), p.choices().get(0).text().length());
  }

  @Test
  void malformedBodiesAreRejected() {
    for (String bad : List.of("", "{", "[]", "null", "{\"choices\":[]}", "{\"choices\":{}}",
        "{\"choices\":[1]}", "{\"choices\":[{\"index\":0}]}",
        "{\"choices\":[{\"message\":{\"content\":3}}]}",
        "{\"error\":{\"message\":\"boom\"},\"choices\":[{\"message\":{\"content\":\"x\"}}]}",
        "{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"trunc")) {
      assertThrows(Wire.MalformedResponseException.class, () -> chat(bad), bad);
    }
    assertThrows(Wire.MalformedResponseException.class, () -> Wire.parse(Api.COMPLETIONS,
        "{\"choices\":[{\"message\":{\"content\":\"chat shape\"}}]}".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void refusalsOfNAndSeedsOnTheWire() {
    assertTrue(RetryRules.refusesN(400, 4, NSupport.AUTO));
    assertTrue(RetryRules.refusesN(422, 2, NSupport.AUTO));
    assertFalse(RetryRules.refusesN(400, 1, NSupport.AUTO), "n = 1 refused is a plain client error");
    assertFalse(RetryRules.refusesN(400, 4, NSupport.NATIVE), "declared native: not learned");
    assertFalse(RetryRules.refusesN(404, 4, NSupport.AUTO));
    assertEquals(7, Wire.wireSeed(7));
    assertEquals(Integer.MAX_VALUE, Wire.wireSeed(-1));
    assertEquals(0, Wire.wireSeed(1L << 31));
    assertEquals(Integer.MAX_VALUE, Wire.wireSeed(Long.MAX_VALUE));
  }

  @Test
  void splitsTokensExactlyForOneChoice() {
    assertEquals(7, Wire.splitTokens(7, List.of(new Wire.Choice(0, "anything", FinishReason.STOP)))[0]);
    int[] parts = Wire.splitTokens(10, List.of(
        new Wire.Choice(0, "aaa", FinishReason.STOP), new Wire.Choice(1, "a", FinishReason.STOP)));
    assertEquals(8, parts[0]);
    assertEquals(2, parts[1]);
  }

  @Test
  void thinkingSentApartIsPutBackInFrontAndNeverReadAsTheAnswer() throws Exception {
    String[] fields = {"reasoning_content", "reasoning"};
    for (String f : fields) {
      Wire.Parsed p = chat("{\"choices\":["
          + "{\"index\":0,\"message\":{\"content\":\"\\\\boxed{6}\",\"" + f + "\":\"try \\\\boxed{5}\"},"
          + "\"finish_reason\":\"stop\"},"
          + "{\"index\":1,\"message\":{\"content\":null,\"" + f + "\":\"still \\\\boxed{5}\"},"
          + "\"finish_reason\":\"length\"},"
          + "{\"index\":2,\"message\":{\"content\":\"\",\"" + f + "\":\"x\"},\"finish_reason\":\"length\"}]}");
      Wire.Choice done = p.choices().get(0);
      assertEquals("<think>try \\boxed{5}</think>\\boxed{6}", done.text(), f);
      assertEquals("\\boxed{6}", dev.sparq.core.llm.ReasoningText.answer(done.text()), f);
      assertEquals("try \\boxed{5}".length() + "\\boxed{6}".length(), done.chars(), f);
      for (int i = 1; i < 3; i++) {
        assertTrue(dev.sparq.core.llm.ReasoningText.split(p.choices().get(i).text()).unfinished(), f + i);
      }
    }
    // vLLM 0.11 to 0.17 sent both names; an empty or non-string field is no thinking
    assertEquals("<think>a</think>c", chat("{\"choices\":[{\"message\":{\"content\":\"c\","
        + "\"reasoning_content\":\"a\",\"reasoning\":\"a\"}}]}").choices().get(0).text());
    assertEquals("c", chat("{\"choices\":[{\"message\":{\"content\":\"c\",\"reasoning_content\":\"\","
        + "\"reasoning\":{\"effort\":\"low\"}}}]}").choices().get(0).text());
  }

  @Test
  void tokensAreSplitByThinkingPlusContent() throws Exception {
    // choice 0 thought 300 characters and answered in 10; choice 1 answered in 100 without thinking.
    Wire.Parsed p = chat("{\"choices\":["
        + "{\"index\":0,\"message\":{\"content\":\"" + "a".repeat(10) + "\",\"reasoning\":\"" + "t".repeat(300)
        + "\"}},{\"index\":1,\"message\":{\"content\":\"" + "b".repeat(100) + "\"}}],"
        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":82}}");
    int[] parts = Wire.splitTokens(82, p.choices());
    assertEquals(62, parts[0], "310 of 410 characters");
    assertEquals(20, parts[1]);
  }
}
