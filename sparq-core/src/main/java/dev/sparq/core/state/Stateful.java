package dev.sparq.core.state;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A component whose state must survive a checkpoint for a resumed run to end exactly like an
 * uninterrupted one: a learned prior, a skill vocabulary, a fitted projection, a custom archive.
 * The storage layer ({@code SparqRun}) discovers it on the engine's components (generator, solver,
 * estimator, descriptor and archive), saves {@link #saveState()} under {@link #stateName()} at
 * every checkpoint and calls {@link #restoreState(JsonNode)} once when it resumes, before the run
 * starts. Components stay free of persistence: they only turn their state into JSON and back.
 *
 * <p>An archive that implements it can be checkpointed whatever its class; it is restored into the
 * fresh archive that the run configuration gives ({@code Sparq.Builder.archive(Supplier)}).
 */
public interface Stateful {
  /** The key of this state in a checkpoint (unique within a run). */
  String stateName();

  /** The state to save now (a fresh JSON value; the caller may keep it). */
  JsonNode saveState();

  /**
   * Replaces this component's state with one saved by {@link #saveState()}.
   *
   * @throws RuntimeException with a message naming the bad field when the state is malformed; the
   *     component is then unchanged
   */
  void restoreState(JsonNode state);
}
