package dev.sparq.core.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SamplingParamsTest {
  @Test
  void defaultsAreVllms() {
    SamplingParams p = SamplingParams.defaults();
    assertEquals(1, p.n());
    assertEquals(1.0, p.temperature());
    assertEquals(1.0, p.topP());
    assertEquals(-1, p.topK());
    assertEquals(0.0, p.minP());
    assertTrue(p.seed().isEmpty());
    assertEquals(16, p.maxTokens());
    assertEquals(List.of(), p.stop());
    assertFalse(p.greedy());
  }

  @Test
  void invalidValuesNameTheParameter() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().n(0))
        .getMessage().contains("n "));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().topP(0))
        .getMessage().contains("top_p"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().temperature(-1))
        .getMessage().contains("temperature"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().minP(2))
        .getMessage().contains("min_p"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().maxTokens(0))
        .getMessage().contains("max_tokens"));
    assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().stop(""));
  }

  @Test
  void toBuilderCopiesEveryField() {
    SamplingParams p = SamplingParams.builder().n(16).temperature(0.7).topP(0.9).topK(50).minP(0.05)
        .seed(3).maxTokens(512).stop("</solution>").repetitionPenalty(1.1).build();
    assertEquals(p, p.toBuilder().build());
    assertEquals(p.hashCode(), p.toBuilder().build().hashCode());
    assertEquals(17, p.toBuilder().n(17).build().n());
    assertTrue(SamplingParams.builder().temperature(0).build().greedy());
  }

  @Test
  void chatRequestsNeedAMessageAndSkipBlankSystemPrompts() {
    assertThrows(IllegalArgumentException.class, () -> new ChatRequest(List.of()));
    assertEquals(1, ChatRequest.of(" ", "hi").messages().size());
    assertEquals(ChatMessage.Role.SYSTEM, ChatRequest.of("sys", "hi").messages().get(0).role());
    assertEquals("assistant", ChatMessage.Role.ASSISTANT.wireName());
    assertEquals(FinishReason.LENGTH, FinishReason.fromWire("length"));
    assertTrue(new Completion("x", 1, 2, FinishReason.LENGTH).truncated());
  }
}
