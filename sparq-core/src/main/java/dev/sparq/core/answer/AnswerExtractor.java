package dev.sparq.core.answer;

import java.util.ArrayList;
import java.util.List;
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
 * Boxes written one after another and joined only by punctuation or a phrase ending in "and"/"or"
 * ({@code \boxed{1}, \boxed{2}}, {@code \boxed{(2, 2)} \quad \text{and} \quad \boxed{(6, 2)}})
 * are one list answer, also when the next value is named ({@code \\boxed{a} and y_2 = \\boxed{b}}). A "the final answer is" phrase written after the last box wins over it.
 *
 * <p>{@link #extractAny(String)} adds fall-backs for texts that mark no answer at all: the last math
 * segment ({@code $...$}, {@code $$...$$}, {@code \(...\)}, {@code \[...\]}), else the text itself.
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
    text = undoubleBackslashes(text);
    int box = lastBox(text);
    if (box >= 0) {
      int phrase = lastPhraseEnd(text);
      if (phrase > box && phrase > boxEnd(text, box)) {
        return clean(sentence(text, phrase));
      }
      return boxes(text, box).map(String::trim).filter(s -> !s.isEmpty());
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

  /**
   * The final answer of {@code text} as {@link #extract(String)} finds it, else the last math segment
   * ({@code $...$} and {@code \(...\)} on one line, {@code $$...$$} and {@code \[...\]} on any), else
   * the whole text trimmed. Empty only for a blank text.
   */
  public static Optional<String> extractAny(String text) {
    Optional<String> marked = extract(text);
    if (marked.isPresent() || text == null) {
      return marked;
    }
    String t = undoubleBackslashes(text);
    List<int[]> segments = new ArrayList<>();
    String math = lastMath(t, segments);
    if (math != null && !math.isBlank() && lastNumberEnd(t) <= segments.get(segments.size() - 1)[1]) {
      return Optional.of(math.trim());
    }
    String whole = t.trim();
    return whole.isEmpty() ? Optional.empty() : Optional.of(whole);
  }

  private static final Pattern NUMBER = Pattern.compile(
      "(?<![A-Za-z0-9.,/])-?(?:\\\\[dt]?frac\\{\\d+\\}\\{\\d+\\}|\\d+/\\d+(?!\\d|[.,]\\d)|\\d{1,3}(?:(?:,|\\s|\\\\[,!;]\\s?)\\d{3}){1,8}(?![\\d,])(?:\\.\\d+)?|\\d+(?:[.,]\\d+)?|\\.\\d+)");

  private static final Pattern LATEX_FRACTION = Pattern.compile("(-?)\\\\[dt]?frac\\{(\\d+)\\}\\{(\\d+)\\}");

  /**
   * The last number written in {@code text}, or empty: thousands separators ({@code 1,000},
   * {@code 1 000}, {@code 11,\\!111}) are dropped, and a comma followed by other than three digits
   * ({@code 1000,99}), or after a lone zero ({@code 0,111}), is a decimal comma; a LaTeX fraction of
   * two integers ({@code \frac{2}{5}}) is a number. A number glued to a
   * preceding letter ({@code AZYUK2A}) is not read; units and currency after it are ignored.
   */
  static Optional<String> lastNumber(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = NUMBER.matcher(text);
    String last = null;
    while (m.find()) {
      last = m.group();
    }
    if (last == null) {
      return Optional.empty();
    }
    Matcher frac = LATEX_FRACTION.matcher(last);
    if (frac.matches()) {
      return Optional.of(frac.group(1) + frac.group(2) + "/" + frac.group(3));
    }
    String n = last.replaceAll("\\\\[,!;]", ",").replaceAll("\\s", "");
    int comma = n.indexOf(',');
    if (comma >= 0 && n.indexOf(',', comma + 1) < 0 && n.indexOf('.') < 0
        && (n.length() - comma - 1 != 3 || n.substring(0, comma).replace("-", "").equals("0"))) {
      n = n.replace(',', '.');
    } else {
      n = n.replace(",", "");
    }
    return Optional.of(n);
  }

  /** End of the last number written in {@code t}, or -1. */
  private static int lastNumberEnd(String t) {
    Matcher m = NUMBER.matcher(t);
    int end = -1;
    while (m.find()) {
      end = m.end();
    }
    return end;
  }

  private static final Pattern SEGMENT_JOIN = Pattern.compile("\\s*(?:,|,?\\s*(?:and|or))\\s*");

  /**
   * Content of the last math segment, joined with the segments right before it when only a comma,
   * "and" or "or" separates them ({@code $1$ and $2$ and $3$}); null when there is none. The
   * [start, end] of every segment found is added to {@code segments}.
   */
  private static String lastMath(String t, List<int[]> segments) {
    List<String> bodies = new ArrayList<>();
    // Next closing delimiter and next newline at or after the last search, so that no stretch of
    // text is scanned twice however many openers it holds: linear time on any input.
    java.util.Map<String, Integer> nextClose = new java.util.HashMap<>();
    int nextNewline = -2;
    int i = 0;
    int n = t.length();
    while (i < n) {
      char c = t.charAt(i);
      String open = null;
      String close = null;
      boolean multiline = false;
      if (c == '$' && (i == 0 || t.charAt(i - 1) != '\\')) {
        if (i + 1 < n && t.charAt(i + 1) == '$') {
          open = "$$";
          close = "$$";
          multiline = true;
        } else {
          open = "$";
          close = "$";
        }
      } else if (c == '\\' && i + 1 < n && (t.charAt(i + 1) == '(' || t.charAt(i + 1) == '[')
          && (i == 0 || t.charAt(i - 1) != '\\')) {
        open = t.substring(i, i + 2);
        close = t.charAt(i + 1) == '(' ? "\\)" : "\\]";
        multiline = t.charAt(i + 1) == '[';
      }
      if (open == null) {
        i++;
        continue;
      }
      int from = i + open.length();
      Integer cached = nextClose.get(close);
      int end;
      if (cached != null && (cached < 0 || cached >= from)) {
        end = cached;
      } else {
        end = closing(t, from, close);
        nextClose.put(close, end);
      }
      if (end < 0) {
        i = from;
        continue;
      }
      if (nextNewline != -1 && nextNewline < from) {
        nextNewline = t.indexOf('\n', from);
      }
      if (multiline || nextNewline < 0 || nextNewline > end) {
        String body = t.substring(from, end);
        segments.add(new int[] {i, end + close.length()});
        bodies.add(body);
        i = end + close.length();
      } else {
        i = from;
      }
    }
    if (bodies.isEmpty()) {
      return null;
    }
    int k = bodies.size() - 1;
    String joined = bodies.get(k).trim();
    while (k > 0 && segments.get(k - 1)[1] <= segments.get(k)[0]
        && SEGMENT_JOIN.matcher(t.substring(segments.get(k - 1)[1], segments.get(k)[0])).matches()) {
      k--;
      joined = bodies.get(k).trim() + ", " + joined;
    }
    return joined;
  }

  /** Index of the unescaped {@code close} at or after {@code from}, or -1. */
  private static int closing(String t, int from, String close) {
    int j = from;
    while (true) {
      int k = t.indexOf(close, j);
      if (k < 0) {
        return -1;
      }
      if (close.charAt(0) == '$' && k > 0 && t.charAt(k - 1) == '\\') {
        j = k + 1; // \$ is a dollar sign, not a delimiter
        continue;
      }
      return k;
    }
  }

  /**
   * Texts copied from source code often double every backslash ({@code \\frac}); a doubled backslash
   * before a command name of two or more letters is read as one. A matrix row break before a single
   * letter ({@code x \\ y}) is left alone.
   */
  static String undoubleBackslashes(String text) {
    if (text.indexOf("\\\\") < 0) {
      return text;
    }
    return DOUBLED.matcher(text).replaceAll("\\\\");
  }

  private static final Pattern DOUBLED = Pattern.compile("(?<!\\\\)\\\\\\\\(?=[A-Za-z]{2})");

  /** Index of the backslash of the last {@code \boxed} or {@code \fbox}, or -1. */
  private static int lastBox(String text) {
    int b = text.lastIndexOf("\\boxed");
    int f = text.lastIndexOf("\\fbox");
    return Math.max(b, f);
  }

  /** Where the text after the last "the final answer is" phrase starts, or -1. */
  private static int lastPhraseEnd(String text) {
    Matcher p = FINAL_PHRASE.matcher(text);
    int start = -1;
    while (p.find()) {
      start = p.end();
    }
    return start;
  }

  private static final Pattern FINAL_PHRASE = Pattern.compile(
      "the\\s+final\\s+answer\\s+is\\s*:?\\s*", Pattern.CASE_INSENSITIVE);

  /** Index just past the box starting at {@code at} (its closing brace or token), or -1. */
  private static int boxEnd(String text, int at) {
    int i = at + (text.startsWith("\\boxed", at) ? 6 : 5);
    while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
      i++;
    }
    if (i < text.length() && text.charAt(i) == '{') {
      int close = matchBrace(text, i);
      return close < 0 ? -1 : close + 1;
    }
    return i;
  }

  /** Index of the backslash of the last box that starts before {@code before}, or -1. */
  private static int previousBox(String text, int before) {
    if (before <= 0) {
      return -1;
    }
    int b = text.lastIndexOf("\\boxed", before - 1);
    int f = text.lastIndexOf("\\fbox", before - 1);
    return Math.max(b, f);
  }

  /** Longest gap between two boxes that may join them. */
  private static final int MAX_JOIN_GAP = 60;
  private static final Pattern GAP_NOISE = Pattern.compile(
      "\\\\(?:text|textbf|mathrm|mbox)\\s*\\{([^{}]*)\\}|\\\\(?:quad|qquad|[,;:! ()\\[\\]])|\\$");
  private static final Pattern JOINING_WORDS = Pattern.compile(
      "(?s)(?:[\\s,;+&]*|.*\\b(?:and|or)\\s*(?:[A-Za-z](?:_\\{?\\w+\\}?)?\\s*=)?[^A-Za-z]*)");

  /**
   * The content of the box at {@code last}, joined with the boxes right before it when only
   * punctuation or a phrase ending in "and"/"or" separates them.
   */
  private static Optional<String> boxes(String text, int last) {
    Optional<String> content = boxContent(text, last);
    if (content.isEmpty()) {
      return content;
    }
    List<String> parts = new ArrayList<>();
    parts.add(content.get());
    int start = last;
    for (int k = 0; k < 64; k++) {
      int prev = previousBox(text, start);
      if (prev < 0) {
        break;
      }
      int prevEnd = boxEnd(text, prev);
      if (prevEnd < 0 || prevEnd > start || start - prevEnd > MAX_JOIN_GAP) {
        break;
      }
      String gap = GAP_NOISE.matcher(text.substring(prevEnd, start)).replaceAll(" $1 ").trim();
      if (!JOINING_WORDS.matcher(gap).matches()) {
        break;
      }
      Optional<String> c = boxContent(text, prev);
      if (c.isEmpty() || c.get().isBlank()) {
        break;
      }
      parts.add(0, c.get());
      start = prev;
    }
    return Optional.of(String.join(", ", parts));
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
