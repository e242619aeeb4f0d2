package dev.sparq.core.model;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;

/**
 * Derives problem ids from statements. Two statements that differ only in case, Unicode
 * normalisation form, whitespace or trailing punctuation get the same id, so duplicates are
 * recognisable across runs, files and machines.
 */
public final class ProblemIds {
  private ProblemIds() {}

  /**
   * Normalises a statement for identity: NFKC, lower case (root locale), runs of whitespace
   * collapsed to one space, trimmed, trailing {@code .?!} and spaces removed.
   */
  public static String normalize(String statement) {
    String s = Normalizer.normalize(statement, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    StringBuilder sb = new StringBuilder(s.length());
    boolean space = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        space = sb.length() > 0;
      } else {
        if (space) {
          sb.append(' ');
          space = false;
        }
        sb.append(c);
      }
    }
    int end = sb.length();
    while (end > 0 && (sb.charAt(end - 1) == '.' || sb.charAt(end - 1) == '?'
        || sb.charAt(end - 1) == '!' || sb.charAt(end - 1) == ' ')) {
      end--;
    }
    return sb.substring(0, end);
  }

  /** The id of a statement: the first 16 hex digits of SHA-256 over its normalised form. */
  public static String idOf(String statement) {
    return Hashing.sha256().hashString(normalize(statement), StandardCharsets.UTF_8).toString()
        .substring(0, 16);
  }
}
