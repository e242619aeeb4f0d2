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
 * @param duplicates evaluated children whose problem id had already been evaluated in the run or was
 *     already an archive member (no rollouts are spent on the first kind; both are
 *     {@code NOT_ADDED}); included in {@code evaluated}
 * @param tokens prompt plus completion tokens of the models registered with
 *     {@code Sparq.Builder.usage(...)} (0 when none is registered)
 */
public record RunStats(
    long iterations,
    long candidates,
    long generated,
    long evaluated,
    long rollouts,
    long added,
    Map<String, Long> statusCounts,
    Map<String, Long> rejections,
    long duplicates,
    long tokens) {
  public RunStats {
    statusCounts = ImmutableSortedMap.copyOf(statusCounts);
    rejections = ImmutableSortedMap.copyOf(rejections);
  }

  /** Totals without duplicates or tokens (runs that count neither). */
  public RunStats(long iterations, long candidates, long generated, long evaluated, long rollouts,
      long added, Map<String, Long> statusCounts, Map<String, Long> rejections) {
    this(iterations, candidates, generated, evaluated, rollouts, added, statusCounts, rejections, 0,
        0);
  }

  /** Totals of a run that has not started. */
  public static RunStats empty() {
    return new RunStats(0, 0, 0, 0, 0, 0, Map.of(), Map.of(), 0, 0);
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
