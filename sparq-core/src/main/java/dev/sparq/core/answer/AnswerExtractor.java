package dev.sparq.core.answer;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the final answer in a solution text. In order of preference:
 * <ol>
 *   <li>the last {@code \boxed{...}} or {@code \fbox{...}}, with its braces matched (so
 *       {@code \boxed{\frac{1}{2}}} yields {@code \frac{1}{2}}); {@code \boxed 5} is read too. When
 *       the last box is malformed (unbalanced braces) there is no answer: an earlier box is usually an
 *       intermediate result, not the final one;</li>
 *   <li>GSM8K's {@code #### N} marker (the last one);</li>
 *   <li>a phrase such as "the answer is X", "final answer: X" or "Answer: X" (the last one), up to the
 *       end of its line or sentence.</li>
 * </ol>
 * Several answers stay together as one comma-separated string; {@link AnswerChecker} splits them.
 */
public final class AnswerExtractor {
  private static final Pattern GSM8K = Pattern.compile("####\\s*([^\\n]+)");
  private static final Pattern PHRASE = Pattern.compile(
      "(?:the\\s+(?:final\\s+)?answer\\s+is|final\\s+answer\\s*(?:is)?\\s*:?|answer\\s*:)\\s*",
      Pattern.CASE_INSENSITIVE);

  private AnswerExtractor() {}

  /** The final answer of {@code text}, trimmed, or empty when none can be found. */
  public static Optional<String> extract(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    int box = lastBox(text);
    if (box >= 0) {
      return boxContent(text, box).map(String::trim).filter(s -> !s.isEmpty());
    }
    Matcher m = GSM8K.matcher(text);
    String gsm = null;
    while (m.find()) {
      gsm = m.group(1);
    }
    if (gsm != null) {
      return clean(gsm);
    }
    Matcher p = PHRASE.matcher(text);
    int start = -1;
    while (p.find()) {
      start = p.end();
    }
    if (start >= 0) {
      return clean(sentence(text, start));
    }
    return Optional.empty();
  }

  /** Index of the backslash of the last {@code \boxed} or {@code \fbox}, or -1. */
  private static int lastBox(String text) {
    int b = text.lastIndexOf("\\boxed");
    int f = text.lastIndexOf("\\fbox");
    return Math.max(b, f);
  }

  private static Optional<String> boxContent(String text, int at) {
    int i = at + (text.startsWith("\\boxed", at) ? 6 : 5);
    if (i < text.length() && Character.isLetter(text.charAt(i))) {
      return Optional.empty(); // some other command such as \boxedtext
    }
    while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
      i++;
    }
    if (i >= text.length()) {
      return Optional.empty();
    }
    if (text.charAt(i) != '{') {
      // "\boxed 5": one token, up to whitespace or a dollar sign.
      int end = i;
      while (end < text.length() && !Character.isWhitespace(text.charAt(end))
          && text.charAt(end) != '$') {
        end++;
      }
      return Optional.of(text.substring(i, end));
    }
    int close = matchBrace(text, i);
    return close < 0 ? Optional.empty() : Optional.of(text.substring(i + 1, close));
  }

  /**
   * The index of the brace closing the one at {@code open}, or -1 when unbalanced. Escaped braces
   * ({@code \{}, {@code \}}) do not count.
   */
  static int matchBrace(String text, int open) {
    int depth = 0;
    for (int i = open; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        i++;
        continue;
      }
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
        if (depth == 0) {
          return i;
        }
      }
    }
    return -1;
  }

  private static String sentence(String text, int start) {
    int end = text.indexOf('\n', start);
    if (end < 0) {
      end = text.length();
    }
    String line = text.substring(start, end);
    // A sentence ends at ". " (a period followed by a space), not at a decimal point.
    int stop = line.indexOf(". ");
    return stop >= 0 ? line.substring(0, stop) : line;
  }

  private static Optional<String> clean(String raw) {
    String s = raw.trim();
    if (s.startsWith("$") && s.endsWith("$") && s.length() >= 2) {
      s = s.substring(1, s.length() - 1);
    }
    s = s.replace("$", "").trim();
    while (s.endsWith(".")) {
      s = s.substring(0, s.length() - 1).trim();
    }
    return s.isEmpty() || s.toLowerCase(Locale.ROOT).equals("unknown") ? Optional.empty()
        : Optional.of(s);
  }
}
