package dev.sparq.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.state.Stateful;

/**
 * A component's own state in a checkpoint, stored as a named JSON value: a skill vocabulary, an
 * adaptive estimator's statistics, a model client's counters. {@link SparqRun} calls {@link #save()}
 * at every checkpoint and {@link #restore(JsonNode)} once when it resumes.
 *
 * <p>Components implement {@link Stateful} instead, which keeps them free of this package and lets
 * {@link SparqRun} find them on its own; this interface remains for state registered by hand.
 */
public interface CheckpointSlot {
  /** The slot's key in the checkpoint (unique within a run). */
  String name();

  /** The state to save now. */
  JsonNode save();

  /** Restores the state saved by {@link #save()} (called before the first iteration of a resume). */
  void restore(JsonNode state);

  /** This slot as a {@link Stateful}. */
  default Stateful asStateful() {
    CheckpointSlot self = this;
    return new Stateful() {
      @Override
      public String stateName() {
        return self.name();
      }

      @Override
      public JsonNode saveState() {
        return self.save();
      }

      @Override
      public void restoreState(JsonNode state) {
        self.restore(state);
      }
    };
  }
}
