package dev.sparq.core.export;

/**
 * An open-addressing set of 64-bit hashes (linear probing, load at most 0.75, growth by 1.5x): 8 to
 * 16 bytes per entry, no boxing; while growing, old and new tables coexist (about 2.5x the data).
 * The value 0 is stored as a separate flag.
 */
final class LongHashSet {
  private long[] table;
  private int size;
  private boolean hasZero;

  LongHashSet(int expected) {
    table = new long[Math.max(16, (int) (expected / 0.75) + 1)];
  }

  /** The slot of {@code v} in a table of {@code n} slots (multiply-shift range reduction). */
  private static int slot(long v, int n) {
    return (int) (((TextHashing.mix(v) >>> 32) * n) >>> 32);
  }

  /** Adds {@code v}; true when it was not present. */
  boolean add(long v) {
    if (v == 0) {
      boolean added = !hasZero;
      hasZero = true;
      return added;
    }
    if (size + 1 > table.length * 0.75) {
      grow();
    }
    if (insert(table, v)) {
      size++;
      return true;
    }
    return false;
  }

  boolean contains(long v) {
    if (v == 0) {
      return hasZero;
    }
    int n = table.length;
    int i = slot(v, n);
    while (table[i] != 0) {
      if (table[i] == v) {
        return true;
      }
      if (++i == n) {
        i = 0;
      }
    }
    return false;
  }

  private static boolean insert(long[] t, long v) {
    int n = t.length;
    int i = slot(v, n);
    while (t[i] != 0) {
      if (t[i] == v) {
        return false;
      }
      if (++i == n) {
        i = 0;
      }
    }
    t[i] = v;
    return true;
  }

  private void grow() {
    long[] bigger = new long[(int) Math.min(Integer.MAX_VALUE - 8, table.length * 3L / 2 + 16)];
    for (long v : table) {
      if (v != 0) {
        insert(bigger, v);
      }
    }
    table = bigger;
  }

  int size() {
    return size + (hasZero ? 1 : 0);
  }
}
