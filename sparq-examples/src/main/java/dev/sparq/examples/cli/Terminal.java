package dev.sparq.examples.cli;

import java.util.Locale;

/**
 * Makes text from a file or a server safe to print on a terminal. Control characters (C0, DEL and
 * C1: ESC starts the sequences that retitle a window, clear the screen or move the cursor, BEL, NUL,
 * a carriage return that overwrites the line) and the characters that reorder or hide text (bidi
 * embeddings, overrides and isolates such as U+202E, LRM, RLM, ALM, zero-width characters, the line
 * and paragraph separators) are shown as the visible text {@code \\u001B}. Every value the CLI prints
 * that comes from a run directory, a seed file or a server goes through here.
 */
final class Terminal {
  private Terminal() {}

  /** One line: every hidden character, newline and tab included, is shown escaped. */
  static String line(Object value) {
    return escape(String.valueOf(value), false);
  }

  /** Text that may span lines (error messages, stack traces): as {@link #line}, but {@code \n} is kept. */
  static String lines(Object value) {
    return escape(String.valueOf(value), true);
  }

  private static String escape(String s, boolean keepNewlines) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (hidden(c) && !(keepNewlines && c == '\n')) {
        if (sb == null) {
          sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        }
        sb.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }

  /** Whether {@code c} is a control character or one that reorders or hides text. */
  static boolean hidden(char c) {
    return c < 0x20 || c >= 0x7F && c <= 0x9F // C0, DEL, C1
        || c == '\u061C' // ARABIC LETTER MARK
        || c >= '\u200B' && c <= '\u200F' // zero-width space, joiners, LRM, RLM
        || c >= '\u2028' && c <= '\u202E' // line and paragraph separators, LRE, RLE, PDF, LRO, RLO
        || c >= '\u2066' && c <= '\u2069' // LRI, RLI, FSI, PDI
        || c == '\uFEFF';
  }
}
