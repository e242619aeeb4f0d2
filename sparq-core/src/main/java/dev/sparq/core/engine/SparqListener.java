package dev.sparq.core.engine;

import dev.sparq.core.model.EvaluatedCandidate;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Receives engine events on the engine's thread, in a deterministic order. Keep handlers fast; a
 * handler that throws stops the run. For one kind of event write a lambda with
 * {@link #onIteration(Consumer)}, {@link #onCandidate(Consumer)} or {@link #onRejection(Consumer)}
 * (or the builder methods of the same names).
 */
public interface SparqListener {
  /** A child was evaluated and offered to the archive. */
  default void onCandidate(EvaluatedCandidate candidate) {}

  /** A stage rejected an item. */
  default void onRejection(RejectionEvent event) {}

  /** An iteration finished. */
  default void onIteration(IterationEvent event) {}

  /** A listener that only handles iterations. */
  static SparqListener onIteration(Consumer<? super IterationEvent> action) {
    Objects.requireNonNull(action, "action");
    return new SparqListener() {
      @Override
      public void onIteration(IterationEvent event) {
        action.accept(event);
      }
    };
  }

  /** A listener that only handles evaluated candidates. */
  static SparqListener onCandidate(Consumer<? super EvaluatedCandidate> action) {
    Objects.requireNonNull(action, "action");
    return new SparqListener() {
      @Override
      public void onCandidate(EvaluatedCandidate candidate) {
        action.accept(candidate);
      }
    };
  }

  /** A listener that only handles rejections. */
  static SparqListener onRejection(Consumer<? super RejectionEvent> action) {
    Objects.requireNonNull(action, "action");
    return new SparqListener() {
      @Override
      public void onRejection(RejectionEvent event) {
        action.accept(event);
      }
    };
  }
}
