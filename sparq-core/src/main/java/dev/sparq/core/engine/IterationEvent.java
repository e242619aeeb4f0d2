package dev.sparq.core.engine;

import dev.sparq.core.archive.ArchiveStats;

/**
 * Sent to listeners after each iteration.
 *
 * @param iteration the iteration that finished (0-based)
 * @param archive archive statistics after the iteration
 * @param totals run totals after the iteration
 * @param candidates children attempted in this iteration
 * @param evaluated children offered to the archive in this iteration
 * @param added children that entered the archive in this iteration
 * @param rollouts rollouts spent in this iteration
 * @param elapsedNanos wall time of this iteration (not part of any deterministic output)
 */
public record IterationEvent(
    long iteration,
    ArchiveStats archive,
    RunStats totals,
    int candidates,
    int evaluated,
    int added,
    long rollouts,
    long elapsedNanos) {}
