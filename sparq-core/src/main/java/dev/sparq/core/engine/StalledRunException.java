package dev.sparq.core.engine;

import dev.sparq.core.SparqException;

/**
 * Thrown by {@link Sparq#step()} and {@link Sparq#run()} when {@link Sparq.Builder#stallLimit(int)}
 * consecutive iterations evaluated no new problem: every child was rejected or a duplicate, so no
 * budget other than iterations would ever be reached. The iteration that stalled is complete (its
 * candidates reached the sink and the listeners).
 */
public final class StalledRunException extends SparqException {
  private static final long serialVersionUID = 1L;

  private final int iterations;

  public StalledRunException(int iterations, String message) {
    super(message);
    this.iterations = iterations;
  }

  /** The consecutive iterations without a new evaluation. */
  public int iterations() {
    return iterations;
  }
}
