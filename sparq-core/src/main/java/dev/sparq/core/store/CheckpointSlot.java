package dev.sparq.core.store;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A component's own state in a checkpoint, stored as a named JSON value: a skill vocabulary, an
 * adaptive estimator's statistics, a model client's counters. {@link SparqRun} calls {@link #save()}
 * at every checkpoint and {@link #restore(JsonNode)} once when it resumes.
 */
public interface CheckpointSlot {
  /** The slot's key in the checkpoint (unique within a run). */
  String name();

  /** The state to save now. */
  JsonNode save();

  /** Restores the state saved by {@link #save()} (called before the first iteration of a resume). */
  void restore(JsonNode state);
}
