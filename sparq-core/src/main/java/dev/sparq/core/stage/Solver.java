package dev.sparq.core.stage;

import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import java.util.List;

/**
 * Attempts problems: the student model whose solve rate defines difficulty. A rollout is correct when
 * its extracted answer is equivalent to the problem's intended answer.
 */
@FunctionalInterface
public interface Solver {
  /**
   * @param problems the problems to attempt
   * @param k rollouts per problem
   * @return one list per problem, in order, each with exactly {@code k} rollouts
   */
  List<List<Rollout>> solve(List<Problem> problems, int k, StageContext context);
}
