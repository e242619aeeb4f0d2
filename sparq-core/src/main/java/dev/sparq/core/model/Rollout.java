package dev.sparq.core.model;

import java.util.Objects;

/**
 * One solver attempt at a problem.
 *
 * @param text the full solution text the solver wrote
 * @param answer the final answer extracted from {@code text}, or {@code null} when none was found
 * @param correct whether {@code answer} is equivalent to the problem's intended answer
 * @param tokens completion tokens spent (0 when unknown)
 */
public record Rollout(String text, String answer, boolean correct, int tokens) {
  public Rollout {
    Objects.requireNonNull(text, "text");
    if (tokens < 0) {
      throw new IllegalArgumentException("tokens must be >= 0");
    }
  }

  public static Rollout of(String text, String answer, boolean correct) {
    return new Rollout(text, answer, correct, 0);
  }
}
