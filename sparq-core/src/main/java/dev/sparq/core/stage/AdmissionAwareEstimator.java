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

  /**
   * Estimates difficulty knowing, for each problem whose niche is full, the qualities of that
   * niche's members, so an estimator can settle where a child would rank among them (which member
   * leaves when it enters). The engine calls this method; the default passes on only each niche's
   * admission threshold (its worst member's quality) to {@link #estimate(List, double[], Solver,
   * StageContext)}.
   *
   * @param niches per problem, the qualities of its niche's members when the niche is full (any
   *     order), or null when it has a free slot; the array itself may be null (no niche is full)
   * @return one outcome per problem, in order
   */
  default List<Outcome<Evaluation>> estimateInNiches(List<Problem> problems, double[][] niches,
      Solver solver, StageContext context) {
    double[] admission = new double[problems.size()];
    for (int i = 0; i < admission.length; i++) {
      double[] q = niches == null ? null : niches[i];
      double worst = Double.NEGATIVE_INFINITY;
      if (q != null && q.length > 0) {
        worst = Double.POSITIVE_INFINITY;
        for (double v : q) {
          worst = Math.min(worst, v);
        }
      }
      admission[i] = worst;
    }
    return estimate(problems, admission, solver, context);
  }

  /** Whether the engine should describe first and pass admission thresholds (default true). */
  default boolean admissionAware() {
    return true;
  }
}
