package dev.sparq.core.engine;

import dev.sparq.core.model.EvaluatedCandidate;

/**
 * Receives engine events on the engine's thread, in a deterministic order. Keep handlers fast; a
 * handler that throws stops the run.
 */
public interface SparqListener {
  /** A child was evaluated and offered to the archive. */
  default void onCandidate(EvaluatedCandidate candidate) {}

  /** A stage rejected an item. */
  default void onRejection(RejectionEvent event) {}

  /** An iteration finished. */
  default void onIteration(IterationEvent event) {}
}
