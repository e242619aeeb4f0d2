package dev.sparq.core.engine;

import com.google.common.collect.ImmutableSortedMap;
import java.util.Map;

/**
 * Running totals of an engine run. Deterministic for a given seed and component outputs.
 *
 * @param iterations iterations finished
 * @param candidates children attempted (one per parent drawn)
 * @param generated children the generator produced (not rejected)
 * @param evaluated children that got a difficulty and a descriptor and were offered to the archive
 * @param rollouts rollouts spent on children
 * @param added children that entered the archive and were still there after their batch
 * @param statusCounts evaluated children by archive status name (NEW, IMPROVED, NOT_ADDED)
 * @param rejections rejections by {@code stage/reason} key (for example {@code generate/missing_problem_tag})
 */
public record RunStats(
    long iterations,
    long candidates,
    long generated,
    long evaluated,
    long rollouts,
    long added,
    Map<String, Long> statusCounts,
    Map<String, Long> rejections) {
  public RunStats {
    statusCounts = ImmutableSortedMap.copyOf(statusCounts);
    rejections = ImmutableSortedMap.copyOf(rejections);
  }

  /** Totals of a run that has not started. */
  public static RunStats empty() {
    return new RunStats(0, 0, 0, 0, 0, 0, Map.of(), Map.of());
  }

  /** Total rejections over all stages and reasons. */
  public long rejectedTotal() {
    long n = 0;
    for (long v : rejections.values()) {
      n += v;
    }
    return n;
  }
}
