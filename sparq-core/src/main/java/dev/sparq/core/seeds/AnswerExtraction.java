package dev.sparq.core.seeds;

import java.util.Optional;

/**
 * How a loader finds the intended answer of a seed problem in its reference solution.
 *
 * <p>The extraction here is deliberately small (the last brace-matched {@code \boxed{...}} and the
 * GSM8K {@code #### N} line); full answer normalisation and equivalence live in the answer checker
 * of {@code dev.sparq.core.answer}.
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

  /** The content of the last {@code \boxed{..}} or {@code \fbox{..}} in {@code text}. */
  static Optional<String> lastBoxed(String text) {
    int at = Math.max(text.lastIndexOf("\\boxed"), text.lastIndexOf("\\fbox"));
    while (at >= 0) {
      int start = at + (text.startsWith("\\boxed", at) ? 6 : 5);
      Optional<String> found = boxedAt(text, start);
      if (found.isPresent()) {
        return found;
      }
      int prevBoxed = at == 0 ? -1 : text.lastIndexOf("\\boxed", at - 1);
      int prevFbox = at == 0 ? -1 : text.lastIndexOf("\\fbox", at - 1);
      at = Math.max(prevBoxed, prevFbox);
    }
    return Optional.empty();
  }

  private static Optional<String> boxedAt(String text, int i) {
    int n = text.length();
    if (i < n && text.charAt(i) == ' ') {
      // "\boxed 5": the next token up to whitespace or '$'
      int s = i;
      while (s < n && text.charAt(s) == ' ') {
        s++;
      }
      int e = s;
      while (e < n && !Character.isWhitespace(text.charAt(e)) && text.charAt(e) != '$') {
        e++;
      }
      return e > s ? Optional.of(text.substring(s, e)) : Optional.empty();
    }
    if (i >= n || text.charAt(i) != '{') {
      return Optional.empty();
    }
    int depth = 0;
    for (int j = i; j < n; j++) {
      char c = text.charAt(j);
      if (c == '\\') {
        j++; // an escaped character (\{ or \}) never opens or closes the box
      } else if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
        if (depth == 0) {
          String inner = text.substring(i + 1, j).trim();
          return inner.isEmpty() ? Optional.empty() : Optional.of(inner);
        }
      }
    }
    return Optional.empty();
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
