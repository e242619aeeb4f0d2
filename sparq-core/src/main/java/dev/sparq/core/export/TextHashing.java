package dev.sparq.core.export;

/**
 * Word tokenisation and 64-bit hashing for duplicate and contamination checks: tokens are maximal
 * runs of letters or digits, lower-cased (root locale); a word n-gram hashes the token hashes in
 * order.
 */
final class TextHashing {
  private TextHashing() {}

  /** SplitMix64 finaliser. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Hashes of the tokens of {@code text}, in order. */
  static long[] tokenHashes(String text) {
    long[] out = new long[Math.max(4, text.length() / 4)];
    int n = 0;
    long h = 0;
    boolean in = false;
    for (int i = 0; i <= text.length(); i++) {
      char c = i < text.length() ? text.charAt(i) : ' ';
      if (Character.isLetterOrDigit(c)) {
        if (!in) {
          h = 0xcbf29ce484222325L;
          in = true;
        }
        char l = Character.isUpperCase(c) ? Character.toLowerCase(c) : c;
        h = (h ^ l) * 0x100000001b3L;
      } else if (in) {
        if (n == out.length) {
          out = java.util.Arrays.copyOf(out, n * 2);
        }
        out[n++] = mix(h);
        in = false;
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /**
   * Hashes of the word n-grams of {@code tokens}; a text shorter than {@code n} tokens gives one
   * hash of all its tokens (empty for no tokens).
   */
  static long[] ngrams(long[] tokens, int n) {
    if (tokens.length == 0) {
      return new long[0];
    }
    int k = Math.min(n, tokens.length);
    long[] out = new long[tokens.length - k + 1];
    for (int i = 0; i < out.length; i++) {
      long h = k;
      for (int j = 0; j < k; j++) {
        h = mix(h * 31 + tokens[i + j]);
      }
      out[i] = h;
    }
    return out;
  }

  /**
   * A 64-bit hash of the text normalised for exact duplicate checks: its tokens, lower-cased and
   * joined by single spaces (so case, spacing and punctuation do not matter).
   */
  static long normalisedHash(String text) {
    long h = 0xcbf29ce484222325L;
    int len = 0;
    boolean in = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isLetterOrDigit(c)) {
        if (!in && len > 0) {
          h = (h ^ ' ') * 0x100000001b3L;
          len++;
        }
        char l = Character.isUpperCase(c) ? Character.toLowerCase(c) : c;
        h = (h ^ l) * 0x100000001b3L;
        len++;
        in = true;
      } else {
        in = false;
      }
    }
    return mix(h ^ len);
  }

  /** A 64-bit hash of a string (FNV-1a over chars, then mixed). */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001b3L;
    }
    return mix(h ^ s.length());
  }

  /**
   * MinHash locality-sensitive band keys: a signature of {@code bands * rows} minima over the
   * shingles, cut into bands of {@code rows} values, each band hashed with its index. Two texts with
   * Jaccard similarity s share at least one band key with probability {@code 1 - (1 - s^rows)^bands}.
   */
  static long[] bandKeys(long[] shingles, int bands, int rows, long seed) {
    long[] keys = new long[bands];
    if (shingles.length == 0) {
      return keys;
    }
    for (int b = 0; b < bands; b++) {
      long band = mix(seed ^ (b + 1) * 0x9e3779b97f4a7c15L);
      for (int r = 0; r < rows; r++) {
        long salt = mix(seed + (long) (b * rows + r + 1) * 0xd1b54a32d192ed03L);
        long min = Long.MAX_VALUE;
        for (long s : shingles) {
          long v = mix(s ^ salt);
          if (v < min) {
            min = v;
          }
        }
        band = mix(band * 31 + min);
      }
      keys[b] = band;
    }
    return keys;
  }
}
