package dev.sparq.core.llm;

import java.util.Objects;

/**
 * One sampled completion.
 *
 * <p>A reasoning model's thinking is part of {@code text}, as a leading {@code <think>...</think>}
 * block (backends that receive it apart put it back there), and of {@code completionTokens}; stages
 * read the answer after it with {@link ReasoningText#split}.
 *
 * @param text the generated text (without the stop string that ended it)
 * @param promptTokens tokens in the prompt (0 when the backend does not say)
 * @param completionTokens tokens generated, thinking tokens included
 * @param finishReason why generation ended
 */
public record Completion(String text, int promptTokens, int completionTokens, FinishReason finishReason) {
  public Completion {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(finishReason, "finishReason");
    if (promptTokens < 0 || completionTokens < 0) {
      throw new IllegalArgumentException("token counts must be >= 0");
    }
  }

  /** A completion that stopped normally, with unknown token counts. */
  public static Completion of(String text) {
    return new Completion(text, 0, 0, FinishReason.STOP);
  }

  public boolean truncated() {
    return finishReason == FinishReason.LENGTH;
  }
}
