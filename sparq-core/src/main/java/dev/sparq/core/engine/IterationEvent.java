package dev.sparq.core.engine;

import dev.sparq.core.archive.ArchiveStats;
import dev.sparq.core.llm.TokenUsage;
import java.util.Objects;

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
 * @param tokens tokens the models registered with {@code Sparq.Builder.usage(...)} processed in
 *     this iteration ({@link TokenUsage#NONE} when none is registered); like the wall time it is not
 *     part of any deterministic output (a server's counts can differ between runs)
 */
public record IterationEvent(
    long iteration,
    ArchiveStats archive,
    RunStats totals,
    int candidates,
    int evaluated,
    int added,
    long rollouts,
    long elapsedNanos,
    TokenUsage tokens) {

  public IterationEvent {
    Objects.requireNonNull(tokens, "tokens");
  }

  /** An event without token usage. */
  public IterationEvent(long iteration, ArchiveStats archive, RunStats totals, int candidates,
      int evaluated, int added, long rollouts, long elapsedNanos) {
    this(iteration, archive, totals, candidates, evaluated, added, rollouts, elapsedNanos,
        TokenUsage.NONE);
  }
}
