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
 * @param duplicate whether the problem id had already been evaluated in the run (or the archive
 *     refused it as a duplicate): its difficulty and descriptor are reused from the first
 *     evaluation, no rollouts were spent on it ({@code rollouts} is empty) and it is
 *     {@link AddStatus#NOT_ADDED}
 */
public record EvaluatedCandidate(
    long iteration,
    Problem problem,
    List<Rollout> rollouts,
    Difficulty difficulty,
    Descriptor descriptor,
    AddStatus status,
    double value,
    boolean duplicate) {
  public EvaluatedCandidate {
    Objects.requireNonNull(problem, "problem");
    rollouts = List.copyOf(rollouts);
    Objects.requireNonNull(difficulty, "difficulty");
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(status, "status");
  }

  /** A candidate that is not a duplicate. */
  public EvaluatedCandidate(long iteration, Problem problem, List<Rollout> rollouts,
      Difficulty difficulty, Descriptor descriptor, AddStatus status, double value) {
    this(iteration, problem, rollouts, difficulty, descriptor, status, value, false);
  }

  /** The archive member this candidate was offered as. */
  public Elite toElite() {
    return new Elite(problem, difficulty, descriptor, iteration);
  }
}
