package dev.sparq.core.engine;

import dev.sparq.core.SparqException;

/**
 * Thrown by {@link Sparq#step()} when {@link Sparq#stopNow()} abandoned the iteration in progress:
 * its stage calls were interrupted and nothing of it reached the archive, the totals, the sink or
 * the listeners, exactly as when a stage fails. {@link Sparq#run()} catches it and returns
 * normally; a caller stepping by hand ends its loop. The iteration is run again, with the same
 * random streams, by the next run resumed from a checkpoint (or by a later {@code step()} of
 * another engine object resumed from this one's {@link Sparq#state()} and archive).
 */
public final class IterationAbandonedException extends SparqException {
  private static final long serialVersionUID = 1L;

  private final long iteration;

  /**
   * @param iteration the iteration abandoned
   * @param cause what the interrupted stage threw, or null when the stop came before any stage ran
   */
  public IterationAbandonedException(long iteration, Throwable cause) {
    super("iteration " + iteration + " was abandoned by stopNow(); a resumed run does it again", cause);
    this.iteration = iteration;
  }

  /** The iteration abandoned (the engine's {@link Sparq#iteration()} is still this number). */
  public long iteration() {
    return iteration;
  }
}
