package dev.sparq.core.engine;

/**
 * When a run stops: after a number of iterations, candidates (children attempted, one per parent),
 * rollouts or tokens (prompt plus completion), whichever comes first. Checked between iterations, so
 * a run may overshoot the candidate, rollout or token limit by at most one iteration's worth.
 *
 * <p>A limit other than iterations can be out of reach when the run makes no progress (every child
 * rejected, every child a duplicate); the engine's stall guard ({@code
 * Sparq.Builder.stallLimit(int)}) ends such a run with an error.
 *
 * @param maxIterations iteration limit ({@code Long.MAX_VALUE} = none)
 * @param maxCandidates candidate limit ({@code Long.MAX_VALUE} = none)
 * @param maxRollouts rollout limit ({@code Long.MAX_VALUE} = none)
 * @param maxTokens token limit, prompt plus completion of the models registered with {@code
 *     Sparq.Builder.usage(...)}, counted from the engine's construction (what they report: for the
 *     OpenAI client, the answered requests; a failed attempt that is retried reports none) ({@code
 *     Long.MAX_VALUE} = none)
 */
public record Budget(long maxIterations, long maxCandidates, long maxRollouts, long maxTokens) {
  public Budget {
    if (maxIterations < 0 || maxCandidates < 0 || maxRollouts < 0 || maxTokens < 0) {
      throw new IllegalArgumentException("budget limits must be >= 0");
    }
  }

  /** A budget without a token limit. */
  public Budget(long maxIterations, long maxCandidates, long maxRollouts) {
    this(maxIterations, maxCandidates, maxRollouts, Long.MAX_VALUE);
  }

  /** Stops after {@code n} prompt plus completion tokens. */
  public static Budget tokens(long n) {
    return new Budget(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, n);
  }

  public Budget withTokens(long n) {
    return new Budget(maxIterations, maxCandidates, maxRollouts, n);
  }

  /** Whether a token limit is set. */
  public boolean limitsTokens() {
    return maxTokens != Long.MAX_VALUE;
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
    return new Budget(n, maxCandidates, maxRollouts, maxTokens);
  }

  public Budget withCandidates(long n) {
    return new Budget(maxIterations, n, maxRollouts, maxTokens);
  }

  public Budget withRollouts(long n) {
    return new Budget(maxIterations, maxCandidates, n, maxTokens);
  }

  /**
   * The most parents the iteration and candidate limits allow when every iteration is a whole group
   * of {@code batchSize} parents: the asynchronous mode's count, in which a group cut short (by a
   * failure or a rollout or token limit) is a shorter iteration and the run still gets every parent
   * the budget allows. {@code Long.MAX_VALUE} when neither limit is set.
   */
  public long parentCap(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
    }
    long byIterations = maxIterations > Long.MAX_VALUE / batchSize ? Long.MAX_VALUE
        : maxIterations * batchSize;
    long byCandidates = maxCandidates == Long.MAX_VALUE ? Long.MAX_VALUE
        : (maxCandidates + batchSize - 1) / batchSize * batchSize;
    return Math.min(byIterations, byCandidates);
  }

  /**
   * Whether a run that counts its iteration and candidate limits in parents ({@link #parentCap},
   * the asynchronous mode) must stop.
   */
  public boolean exhaustedByParents(RunStats stats, int batchSize) {
    return stats.candidates() >= parentCap(batchSize)
        || stats.rollouts() >= maxRollouts
        || stats.tokens() >= maxTokens;
  }

  /** Whether a run with these totals must stop. */
  public boolean exhausted(RunStats stats) {
    return stats.iterations() >= maxIterations
        || stats.candidates() >= maxCandidates
        || stats.rollouts() >= maxRollouts
        || stats.tokens() >= maxTokens;
  }
}
