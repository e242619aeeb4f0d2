package dev.sparq.core.llm;

/**
 * Tokens a language model processed: prompt tokens read and completion tokens generated.
 *
 * @param promptTokens prompt tokens (a prompt sampled {@code n} times counts once, as
 *     OpenAI-compatible servers report it)
 * @param completionTokens tokens generated over all samples
 */
public record TokenUsage(long promptTokens, long completionTokens) {
  /** No tokens. */
  public static final TokenUsage NONE = new TokenUsage(0, 0);

  public TokenUsage {
    if (promptTokens < 0 || completionTokens < 0) {
      throw new IllegalArgumentException("token counts must be >= 0, got " + promptTokens + ", "
          + completionTokens);
    }
  }

  /** Prompt and completion tokens together. */
  public long totalTokens() {
    return promptTokens + completionTokens;
  }

  /** The sum of two usages. */
  public TokenUsage plus(TokenUsage other) {
    return new TokenUsage(promptTokens + other.promptTokens,
        completionTokens + other.completionTokens);
  }

  /** What was added since {@code earlier} (a reading of the same counters taken before). */
  public TokenUsage since(TokenUsage earlier) {
    return new TokenUsage(Math.max(0, promptTokens - earlier.promptTokens),
        Math.max(0, completionTokens - earlier.completionTokens));
  }
}
