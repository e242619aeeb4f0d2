package dev.sparq.core.generate;

import java.util.Objects;

/**
 * A problem and solution read from generator output.
 *
 * @param problem the problem statement (trimmed, non-empty)
 * @param solution the full solution (trimmed, non-empty)
 * @param answer the final answer boxed in the solution (the intended answer)
 */
public record GeneratedPair(String problem, String solution, String answer) {
  public GeneratedPair {
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(solution, "solution");
    Objects.requireNonNull(answer, "answer");
  }
}
