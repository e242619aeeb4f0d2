package dev.sparq.core.difficulty;

import dev.sparq.core.ConfigException;
import dev.sparq.core.Outcome;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Evaluation;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.model.Validity;
import dev.sparq.core.stage.DifficultyEstimator;
import dev.sparq.core.stage.Solver;
import dev.sparq.core.stage.StageContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * SPARQ's estimator: K rollouts per problem in one solver call, solve rate {@code SR = correct / K},
 * quality {@code 1 - SR} inside the {@link SolveRateBand} and 0 outside, then the
 * {@link ValidityGuard}.
 */
public final class FixedKEstimator implements DifficultyEstimator {
  private final int k;
  private final SolveRateBand band;
  private final ValidityGuard guard;

  /**
   * @param k rollouts per problem (paper: 16)
   * @param band the quality band (paper: [0.1, 0.9])
   * @param guard the validity guard
   */
  public FixedKEstimator(int k, SolveRateBand band, ValidityGuard guard) {
    if (k < 1) {
      throw ConfigException.forKey("difficulty.k", "must be >= 1, was " + k);
    }
    this.k = k;
    this.band = Objects.requireNonNull(band, "band");
    this.guard = Objects.requireNonNull(guard, "guard");
  }

  /** The paper's setup: K = 16, band [0.1, 0.9], a flagging guard. */
  public static FixedKEstimator paper() {
    return new FixedKEstimator(16, SolveRateBand.PAPER, ValidityGuard.flagging());
  }

  @Override
  public List<Outcome<Evaluation>> estimate(List<Problem> problems, Solver solver,
      StageContext context) {
    if (problems.isEmpty()) {
      return List.of();
    }
    List<List<Rollout>> rollouts =
        SolverOutput.check(solver, problems, k, solver.solve(problems, k, context));
    List<Evaluation> evaluations = new ArrayList<>(problems.size());
    for (List<Rollout> rs : rollouts) {
      int correct = 0;
      for (Rollout r : rs) {
        if (r.correct()) {
          correct++;
        }
      }
      int n = rs.size();
      double quality = band.quality(correct, n);
      evaluations.add(new Evaluation(new Difficulty(correct, n, quality, Validity.VALID), rs));
    }
    return guard.review(problems, evaluations, context);
  }

  public int k() {
    return k;
  }

  public SolveRateBand band() {
    return band;
  }

  public ValidityGuard guard() {
    return guard;
  }
}
