package dev.sparq.core.model;

import java.util.List;
import java.util.Objects;

/** What a difficulty estimator returns for one problem: the difficulty and the rollouts it spent. */
public record Evaluation(Difficulty difficulty, List<Rollout> rollouts) {
  public Evaluation {
    Objects.requireNonNull(difficulty, "difficulty");
    rollouts = List.copyOf(rollouts);
  }
}
