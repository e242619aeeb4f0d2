package dev.sparq.core.stage;

import dev.sparq.core.Outcome;
import dev.sparq.core.model.Evaluation;
import dev.sparq.core.model.Problem;
import java.util.List;

/**
 * Measures difficulty by asking a {@link Solver} for rollouts. A fixed-K estimator asks for K at
 * once; an adaptive one asks in rounds and stops early, reporting the rollouts it spent.
 */
@FunctionalInterface
public interface DifficultyEstimator {
  /**
   * @return one outcome per problem, in order: the evaluation, or a rejection (e.g. a disputed
   *     intended answer under a "drop" policy)
   */
  List<Outcome<Evaluation>> estimate(List<Problem> problems, Solver solver, StageContext context);
}
