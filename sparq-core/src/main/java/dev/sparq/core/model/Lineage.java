package dev.sparq.core.model;

import java.util.List;
import java.util.Objects;

/**
 * Where a problem came from.
 *
 * @param parentIds ids of the parent problems (empty for seeds)
 * @param operator the mutation operator that produced it ({@code "seed"} for seeds, {@code "mutate"},
 *     {@code "crossover"}, ...)
 * @param generation 0 for seeds, else 1 + the largest parent generation
 */
public record Lineage(List<String> parentIds, String operator, int generation) {
  /** The operator name of seed problems. */
  public static final String SEED = "seed";

  public Lineage {
    parentIds = List.copyOf(Objects.requireNonNull(parentIds, "parentIds"));
    Objects.requireNonNull(operator, "operator");
    if (generation < 0) {
      throw new IllegalArgumentException("generation must be >= 0, was " + generation);
    }
  }

  /** The lineage of a seed problem. */
  public static Lineage seed() {
    return new Lineage(List.of(), SEED, 0);
  }

  /** The lineage of a child of {@code parents} made by {@code operator}. */
  public static Lineage childOf(String operator, List<Problem> parents) {
    int gen = 0;
    String[] ids = new String[parents.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = parents.get(i).id();
      gen = Math.max(gen, parents.get(i).lineage().generation());
    }
    return new Lineage(List.of(ids), operator, gen + 1);
  }

  public boolean isSeed() {
    return parentIds.isEmpty();
  }
}
