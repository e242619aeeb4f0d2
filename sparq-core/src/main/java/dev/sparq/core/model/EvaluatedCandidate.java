package dev.sparq.core.model;

import dev.sparq.core.model.AddStatus;
import java.util.List;
import java.util.Objects;

/**
 * Everything known about one evaluated child: the record the engine hands to its
 * {@code CandidateSink} (SPARQ's archive A keeps every one of these).
 *
 * @param iteration the engine iteration that produced it
 * @param problem the child problem with its lineage
 * @param rollouts the solver's rollouts
 * @param difficulty the measured difficulty
 * @param descriptor the diversity descriptor
 * @param status how the archive received it
 * @param value the archive's improvement value (quality minus what it had to beat)
 */
public record EvaluatedCandidate(
    long iteration,
    Problem problem,
    List<Rollout> rollouts,
    Difficulty difficulty,
    Descriptor descriptor,
    AddStatus status,
    double value) {
  public EvaluatedCandidate {
    Objects.requireNonNull(problem, "problem");
    rollouts = List.copyOf(rollouts);
    Objects.requireNonNull(difficulty, "difficulty");
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(status, "status");
  }

  /** The archive member this candidate was offered as. */
  public Elite toElite() {
    return new Elite(problem, difficulty, descriptor, iteration);
  }
}
