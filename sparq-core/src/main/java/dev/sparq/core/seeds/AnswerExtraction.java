package dev.sparq.core.seeds;

import dev.sparq.core.answer.AnswerExtractor;
import java.util.Optional;

/**
 * How a loader finds the intended answer of a seed problem in its reference solution: the last
 * brace-matched {@code \boxed{...}} (via {@link AnswerExtractor}) or the GSM8K {@code #### N} line.
 * Normalisation and equivalence are left to {@code AnswerChecker} when rollouts are judged.
 */
public enum AnswerExtraction {
  /** The answer is a field of its own: nothing is extracted. */
  NONE,
  /** The content of the last {@code \boxed{...}} (or {@code \fbox{...}}), braces matched. */
  BOXED,
  /** The text after the last {@code ####}, trimmed, thousands separators removed. */
  GSM8K;

  /** Extracts the answer from {@code solution}; empty when there is none. */
  public Optional<String> extract(String solution) {
    if (solution == null) {
      return Optional.empty();
    }
    return switch (this) {
      case NONE -> Optional.empty();
      case BOXED -> lastBoxed(solution);
      case GSM8K -> gsm8k(solution);
    };
  }

  /**
   * The content of the last {@code \boxed{..}} or {@code \fbox{..}} in {@code text}, through the
   * shared {@link AnswerExtractor} (braces matched; a malformed last box means no answer). Texts
   * without any box have no answer here: seed files are expected to box theirs.
   */
  static Optional<String> lastBoxed(String text) {
    if (!text.contains("\\boxed") && !text.contains("\\fbox")) {
      return Optional.empty();
    }
    return AnswerExtractor.extract(text);
  }

  private static Optional<String> gsm8k(String text) {
    int at = text.lastIndexOf("####");
    if (at < 0) {
      return Optional.empty();
    }
    String a = text.substring(at + 4).trim().replace(",", "");
    return a.isEmpty() ? Optional.empty() : Optional.of(a);
  }
}
