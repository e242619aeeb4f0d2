package dev.sparq.core.engine;

/**
 * How {@link Sparq#run()} schedules the stages.
 *
 * @see Sparq.Builder#mode(Mode)
 */
public enum Mode {
  /**
   * The default: each iteration runs as barriers (generate the whole batch, then estimate, then
   * describe, then offer the batch to the archive). With the same seed and the same model outputs
   * the archive is the same whatever the thread count.
   */
  SYNC,
  /**
   * The throughput (steady-state) mode: {@link Sparq.Builder#inFlight(int)} candidates are kept in
   * flight; each moves to its next stage as soon as the previous one finishes, its parent drawn
   * from the archive as it is at that moment, and it is offered to the archive alone as soon as it
   * is evaluated. Every {@link Sparq.Builder#batchSize(int) batch size} finished candidates form
   * one iteration for the sink, the listeners, checkpoints, budgets and the stall guard. Archive
   * invariants hold and every candidate is logged once, but the run depends on the order in which
   * model calls finish, so it is not bit-reproducible.
   */
  ASYNC
}
