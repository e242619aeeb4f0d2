package dev.sparq.core.llm;

/**
 * Implemented by {@link LanguageModel}s that count the tokens they process. Register such a model
 * with {@code Sparq.Builder.usage(...)} and each {@code IterationEvent} carries the tokens spent in
 * that iteration ({@code IterationEvent.tokens()}).
 */
public interface UsageReporting {
  /**
   * The tokens processed since this object was created. The counters only grow; they are read
   * between iterations, so per-iteration usage is the difference of two readings.
   */
  TokenUsage tokenUsage();
}
