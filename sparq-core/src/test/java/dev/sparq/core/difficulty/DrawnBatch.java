package dev.sparq.core.difficulty;

import dev.sparq.core.model.Problem;
import dev.sparq.testkit.stage.ReplaySolver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A batch of problems with known solve rates, each with a pre-drawn stream of outcomes in a
 * {@link ReplaySolver}, so estimators can be compared with each other and with the truth.
 */
record DrawnBatch(List<Problem> problems, ReplaySolver solver, Map<String, Double> truth) {

  /**
   * {@code size} problems named {@code prefix + index}, solve rates uniform in [lo, hi], each with
   * {@code k} outcomes; draws the rate, then its outcomes, problem by problem.
   */
  static DrawnBatch uniform(SplittableRandom r, String prefix, int size, double lo, double hi, int k) {
    List<Problem> problems = new ArrayList<>(size);
    ReplaySolver solver = new ReplaySolver();
    Map<String, Double> truth = new HashMap<>();
    for (int i = 0; i < size; i++) {
      double p = lo + (hi - lo) * r.nextDouble();
      Problem prob = Problem.of(prefix + i, "", "1");
      solver.putDrawn(prob.id(), p, k, r);
      truth.put(prob.id(), p);
      problems.add(prob);
    }
    return new DrawnBatch(List.copyOf(problems), solver, truth);
  }

  /** The true quality {@code 1 - p} of problem {@code i} (its rate lies inside the band). */
  double trueQuality(int i) {
    return 1 - truth.get(problems.get(i).id());
  }
}
