package dev.sparq.core.internal;

/** ASCII-only case mapping, for searching model output for tags without moving any index. */
public final class AsciiCase {
  private AsciiCase() {}

  /**
   * {@code s} with {@code A-Z} lowered and every other character kept, so each index of the result
   * is the same character's index in {@code s} ({@link String#toLowerCase} may change the length).
   */
  public static String lower(String s) {
    char[] c = s.toCharArray();
    for (int i = 0; i < c.length; i++) {
      if (c[i] >= 'A' && c[i] <= 'Z') {
        c[i] = (char) (c[i] + 32);
      }
    }
    return new String(c);
  }
}
