package dev.sparq.core.difficulty;

import dev.sparq.core.Outcome;
import dev.sparq.core.model.Evaluation;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.AdmissionAwareEstimator;
import dev.sparq.core.stage.DifficultyEstimator;
import dev.sparq.core.stage.Solver;
import dev.sparq.core.stage.StageContext;
import dev.sparq.core.state.Composite;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Wraps an estimator so that problems with quality 0 (solve rate outside the band) become rejections
 * {@value #OUT_OF_BAND}: they are counted by the engine but neither described (no labelling call) nor
 * offered to the archive. SPARQ itself keeps them in its archive A; use this when only useful problems
 * should reach the archive and the working set.
 *
 * <p>When the wrapped estimator is archive-aware ({@link AdmissionAwareEstimator#admissionAware()}),
 * so is the wrapper: the engine describes children first and hands the niches on, so the inner
 * estimator's rollout savings are kept (each child is then labelled before it is estimated, including
 * those this wrapper rejects). As a {@link Composite} it lets a checkpoint keep the wrapped
 * estimator's state.
 */
public final class InBandOnly implements AdmissionAwareEstimator, Composite {
  /** The rejection reason. */
  public static final String OUT_OF_BAND = "out_of_band";

  private final DifficultyEstimator inner;

  public InBandOnly(DifficultyEstimator inner) {
    this.inner = Objects.requireNonNull(inner, "inner");
  }

  /** The wrapped estimator. */
  public DifficultyEstimator inner() {
    return inner;
  }

  @Override
  public List<Outcome<Evaluation>> estimate(List<Problem> problems, Solver solver, StageContext context) {
    return inBand(inner.estimate(problems, solver, context));
  }

  /** The wrapped estimator. */
  @Override
  public List<?> parts() {
    return List.of(inner);
  }

  /** Archive-aware exactly when the wrapped estimator is. */
  @Override
  public boolean admissionAware() {
    return inner instanceof AdmissionAwareEstimator a && a.admissionAware();
  }

  @Override
  public List<Outcome<Evaluation>> estimate(List<Problem> problems, double[] admission, Solver solver,
      StageContext context) {
    return inBand(inner instanceof AdmissionAwareEstimator a
        ? a.estimate(problems, admission, solver, context)
        : inner.estimate(problems, solver, context));
  }

  @Override
  public List<Outcome<Evaluation>> estimateInNiches(List<Problem> problems, double[][] niches,
      Solver solver, StageContext context) {
    return inBand(inner instanceof AdmissionAwareEstimator a
        ? a.estimateInNiches(problems, niches, solver, context)
        : inner.estimate(problems, solver, context));
  }

  private static List<Outcome<Evaluation>> inBand(List<Outcome<Evaluation>> got) {
    List<Outcome<Evaluation>> out = new ArrayList<>(got.size());
    for (Outcome<Evaluation> o : got) {
      if (o.isPresent() && !(o.value().difficulty().quality() > 0)) {
        Evaluation e = o.value();
        out.add(Outcome.rejected(OUT_OF_BAND,
            e.difficulty().correct() + "/" + e.difficulty().rollouts() + " correct"));
      } else {
        out.add(o);
      }
    }
    return out;
  }
}
