package dev.sparq.openai;

/**
 * Tokens a server reported for one response ({@code usage} object).
 *
 * @param promptTokens tokens in the prompt
 * @param completionTokens tokens generated, all choices together
 */
public record Usage(long promptTokens, long completionTokens) {
  /** No tokens. */
  public static final Usage ZERO = new Usage(0, 0);

  public Usage {
    if (promptTokens < 0 || completionTokens < 0) {
      throw new IllegalArgumentException("token counts must be >= 0");
    }
  }

  /** Prompt plus completion tokens. */
  public long totalTokens() {
    return promptTokens + completionTokens;
  }

  /** The sum of two usages. */
  public Usage plus(Usage other) {
    return new Usage(promptTokens + other.promptTokens, completionTokens + other.completionTokens);
  }
}
