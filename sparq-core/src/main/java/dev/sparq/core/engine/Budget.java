package dev.sparq.core.engine;

/**
 * When a run stops: after a number of iterations, candidates (children attempted, one per parent),
 * or rollouts, whichever comes first. Checked between iterations, so a run may overshoot the
 * candidate or rollout limit by at most one iteration's worth.
 *
 * @param maxIterations iteration limit ({@code Long.MAX_VALUE} = none)
 * @param maxCandidates candidate limit ({@code Long.MAX_VALUE} = none)
 * @param maxRollouts rollout limit ({@code Long.MAX_VALUE} = none)
 */
public record Budget(long maxIterations, long maxCandidates, long maxRollouts) {
  public Budget {
    if (maxIterations < 0 || maxCandidates < 0 || maxRollouts < 0) {
      throw new IllegalArgumentException("budget limits must be >= 0");
    }
  }

  public static Budget iterations(long n) {
    return new Budget(n, Long.MAX_VALUE, Long.MAX_VALUE);
  }

  public static Budget candidates(long n) {
    return new Budget(Long.MAX_VALUE, n, Long.MAX_VALUE);
  }

  public static Budget rollouts(long n) {
    return new Budget(Long.MAX_VALUE, Long.MAX_VALUE, n);
  }

  public Budget withIterations(long n) {
    return new Budget(n, maxCandidates, maxRollouts);
  }

  public Budget withCandidates(long n) {
    return new Budget(maxIterations, n, maxRollouts);
  }

  public Budget withRollouts(long n) {
    return new Budget(maxIterations, maxCandidates, n);
  }

  /** Whether a run with these totals must stop. */
  public boolean exhausted(RunStats stats) {
    return stats.iterations() >= maxIterations
        || stats.candidates() >= maxCandidates
        || stats.rollouts() >= maxRollouts;
  }
}
