package dev.sparq.core.export;

/**
 * An open-addressing set of 64-bit hashes (linear probing, load at most 0.5): about 16 bytes per
 * entry, no boxing. The value 0 is stored as a separate flag.
 */
final class LongHashSet {
  private long[] table;
  private int size;
  private boolean hasZero;

  LongHashSet(int expected) {
    int cap = 16;
    while (cap < expected * 2L) {
      cap <<= 1;
    }
    table = new long[cap];
  }

  /** Adds {@code v}; true when it was not present. */
  boolean add(long v) {
    if (v == 0) {
      boolean added = !hasZero;
      hasZero = true;
      return added;
    }
    if ((size + 1) * 2L > table.length) {
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
    int mask = table.length - 1;
    int i = (int) TextHashing.mix(v) & mask;
    while (table[i] != 0) {
      if (table[i] == v) {
        return true;
      }
      i = (i + 1) & mask;
    }
    return false;
  }

  private static boolean insert(long[] t, long v) {
    int mask = t.length - 1;
    int i = (int) TextHashing.mix(v) & mask;
    while (t[i] != 0) {
      if (t[i] == v) {
        return false;
      }
      i = (i + 1) & mask;
    }
    t[i] = v;
    return true;
  }

  private void grow() {
    long[] bigger = new long[table.length * 2];
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
