package dev.sparq.core.archive;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sparq.core.model.Descriptor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cells keyed by a discrete key, by default the descriptor's sorted label set
 * ({@link Descriptor#key()}), created on first use and numbered in order of creation: SPARQ's
 * skill-set niches. Optionally bounded: once {@code maxCells} keys exist, new keys get no cell.
 */
public final class CategoricalTessellation implements Tessellation {
  private final int maxCells;
  private final List<String> keys;
  private final Map<String, Integer> index;
  /**
   * A cache from label lists to cells, so that looking up a descriptor does not build its key string;
   * filled on creation and on the first lookup of a key by labels. The key string stays the identity.
   */
  private final Map<List<String>, Integer> byLabels = new HashMap<>();

  /** An unbounded categorical tessellation. */
  public CategoricalTessellation() {
    this(0, List.of());
  }

  /**
   * @param maxCells the largest number of cells, or 0 for unbounded
   * @param keys existing keys in cell order (for restoring a saved archive)
   */
  @JsonCreator
  public CategoricalTessellation(
      @JsonProperty("maxCells") int maxCells, @JsonProperty("keys") List<String> keys) {
    if (maxCells < 0) {
      throw new IllegalArgumentException("maxCells must be >= 0 (0 = unbounded), was " + maxCells);
    }
    this.maxCells = maxCells;
    this.keys = new ArrayList<>();
    this.index = new HashMap<>();
    if (keys != null) {
      for (String k : keys) {
        if (index.putIfAbsent(k, this.keys.size()) != null) {
          throw new IllegalArgumentException("duplicate categorical key '" + k + "'");
        }
        this.keys.add(k);
      }
    }
    if (maxCells > 0 && this.keys.size() > maxCells) {
      throw new IllegalArgumentException(this.keys.size() + " keys exceed maxCells " + maxCells);
    }
  }

  /** A tessellation that creates at most {@code maxCells} cells. */
  public static CategoricalTessellation bounded(int maxCells) {
    if (maxCells < 1) {
      throw new IllegalArgumentException("maxCells must be >= 1, was " + maxCells);
    }
    return new CategoricalTessellation(maxCells, List.of());
  }

  @JsonProperty("maxCells")
  public int maxCells() {
    return maxCells;
  }

  /** Keys in cell order. */
  @JsonProperty("keys")
  public List<String> keys() {
    return List.copyOf(keys);
  }

  /** The cell of a key, or -1. */
  public int cellOfKey(String key, boolean create) {
    Integer i = index.get(key);
    if (i != null) {
      return i;
    }
    if (!create || (maxCells > 0 && keys.size() >= maxCells)) {
      return -1;
    }
    int c = keys.size();
    keys.add(key);
    index.put(key, c);
    return c;
  }

  @Override
  public int cellOf(Descriptor descriptor, boolean create) {
    List<String> labels = descriptor.labels();
    Integer cached = byLabels.get(labels);
    if (cached != null) {
      return cached;
    }
    int c = cellOfKey(descriptor.key(), create);
    if (c >= 0) {
      byLabels.put(labels, c);
    }
    return c;
  }

  @Override
  public int cellCount() {
    return maxCells > 0 ? maxCells : UNBOUNDED;
  }

  @Override
  public int existingCells() {
    return keys.size();
  }

  @Override
  public String label(int cell) {
    return keys.get(cell);
  }

  @Override
  public Tessellation copy() {
    return new CategoricalTessellation(maxCells, keys);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CategoricalTessellation c && c.maxCells == maxCells && c.keys.equals(keys);
  }

  @Override
  public int hashCode() {
    return keys.hashCode() * 31 + maxCells;
  }
}
