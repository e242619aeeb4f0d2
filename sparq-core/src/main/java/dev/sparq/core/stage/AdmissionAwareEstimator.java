package dev.sparq.core.stage;

import dev.sparq.core.Outcome;
import dev.sparq.core.model.Evaluation;
import dev.sparq.core.model.Problem;
import java.util.List;

/**
 * A difficulty estimator that can use what the archive needs: for each problem, the quality it must
 * strictly exceed to enter its niche. When {@link #admissionAware()} is true the engine describes
 * the children first and calls {@link #estimate(List, double[], Solver, StageContext)}, so rollouts
 * stop as soon as a child cannot enter its niche and go where a child competes for a slot.
 */
public interface AdmissionAwareEstimator extends DifficultyEstimator {
  /**
   * Estimates difficulty knowing each problem's admission threshold.
   *
   * @param admission per problem, the quality of the worst member of its niche when the niche is
   *     full (a candidate enters only with strictly greater quality), or
   *     {@link Double#NEGATIVE_INFINITY} when the niche has a free slot
   * @return one outcome per problem, in order
   */
  List<Outcome<Evaluation>> estimate(List<Problem> problems, double[] admission, Solver solver,
      StageContext context);

  /** Whether the engine should describe first and pass admission thresholds (default true). */
  default boolean admissionAware() {
    return true;
  }
}
