package dev.sparq.core.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Objects;

/**
 * What an archive stores for one member: the problem, its measured difficulty (whose
 * {@link Difficulty#quality() quality} is the archive's fitness), its descriptor and the iteration it
 * was added in ({@code -1} for seeds).
 */
public record Elite(Problem problem, Difficulty difficulty, Descriptor descriptor, long iteration) {
  public Elite {
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(difficulty, "difficulty");
    Objects.requireNonNull(descriptor, "descriptor");
  }

  /** The fitness the archive ranks by. */
  @JsonIgnore
  public double quality() {
    return difficulty.quality();
  }

  @JsonIgnore
  public String id() {
    return problem.id();
  }
}
