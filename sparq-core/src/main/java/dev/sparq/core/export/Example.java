package dev.sparq.core.export;

import java.util.List;

/**
 * One training example before formatting: a problem and one solution for it.
 *
 * @param id the problem id
 * @param problem the problem statement
 * @param solution the solution text (a correct rollout or the reference solution, only its visible
 *     answer with {@link Thinking#STRIP}; empty for RL rows, which need only the answer)
 * @param answer the intended answer (the ground truth for RL rows)
 * @param quality the problem's quality in the log
 * @param skills the problem's skill labels (descriptor labels)
 * @param seq the log record it came from
 * @param rollout index of the rollout used, {@link #REFERENCE} for the reference solution,
 *     {@link #PROBLEM} for problem-only rows
 */
public record Example(String id, String problem, String solution, String answer, double quality,
    List<String> skills, long seq, int rollout) {
  /** {@link #rollout()} of an example built from the generator's reference solution. */
  public static final int REFERENCE = -1;

  /** {@link #rollout()} of a problem-only example (GRPO / verl rows). */
  public static final int PROBLEM = -2;

  public Example {
    skills = List.copyOf(skills);
  }
}
