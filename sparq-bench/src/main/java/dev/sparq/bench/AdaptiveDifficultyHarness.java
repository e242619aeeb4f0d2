package dev.sparq.bench;

import dev.sparq.testkit.stage.ReplaySolver;
import dev.sparq.core.Outcome;
import dev.sparq.core.difficulty.AdaptiveEstimator;
import dev.sparq.core.difficulty.FixedKEstimator;
import dev.sparq.core.difficulty.SolveRateBand;
import dev.sparq.core.difficulty.ValidityGuard;
import dev.sparq.core.model.Evaluation;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.ParentSource;
import dev.sparq.core.stage.StageContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Compares the adaptive difficulty estimator with SPARQ's fixed K = 16 on simulated problems whose
 * true solve rates are known: 45% at 0, 35% at 1 and 20% uniform over (0, 1) by default. Each problem
 * has one pre-drawn stream of 16 rollout outcomes; fixed K reads all of it and the adaptive estimator a
 * prefix, so "agreement" is whether the adaptive in-band decision equals the one fixed K makes on the
 * same rollouts. Both are also scored against the true band membership of the solve rate.
 *
 * <p>Run: {@code java -cp sparq-bench/target/benchmarks.jar dev.sparq.bench.AdaptiveDifficultyHarness
 * [problems] [seed]}.
 */
public final class AdaptiveDifficultyHarness {
  private static final int K = 16;
  private static final int BATCH = 64;

  private AdaptiveDifficultyHarness() {}

  /** One configuration's results. */
  record Result(String name, double agreement, double meanRollouts, double truthAgreement) {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 42;
    System.out.printf(Locale.ROOT, "problems=%d seed=%d mix: 45%% SR=0, 35%% SR=1, 20%% SR~U(0,1); "
        + "band [0.1, 0.9]; reference fixed K=%d%n", n, seed, K);
    System.out.printf(Locale.ROOT, "%-34s %10s %10s %10s %8s%n", "estimator", "agree(K16)",
        "rollouts", "vs truth", "ms");
    List<Result> results = new ArrayList<>();
    results.add(run("fixed K=16", null, n, seed));
    double[] errors = {0.05, 0.03, 0.02, 0.01};
    for (double e : errors) {
      AdaptiveEstimator.Builder b = AdaptiveEstimator.builder().error(e);
      results.add(run("adaptive error=" + e + " rounds 4+2", b, n, seed));
    }
    results.add(run("adaptive error=0.03 rounds 2+2",
        AdaptiveEstimator.builder().error(0.03).initialRollouts(2), n, seed));
    results.add(run("adaptive error=0.03 rounds 4+4",
        AdaptiveEstimator.builder().error(0.03).roundRollouts(4), n, seed));
  }

  private static Result run(String name, AdaptiveEstimator.Builder adaptive, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    ReplaySolver solver = new ReplaySolver();
    List<Problem> problems = new ArrayList<>(n);
    Map<String, Double> truth = new HashMap<>();
    for (int i = 0; i < n; i++) {
      double u = r.nextDouble();
      double p = u < 0.45 ? 0 : u < 0.80 ? 1 : r.nextDouble();
      Problem prob = Problem.of("simulated problem " + i, "", "1");
      solver.putDrawn(prob.id(), p, K, r);
      truth.put(prob.id(), p);
      problems.add(prob);
    }
    SolveRateBand band = SolveRateBand.PAPER;
    FixedKEstimator fixed = new FixedKEstimator(K, band, ValidityGuard.flagging());
    AdaptiveEstimator est = adaptive == null ? null : adaptive.build();
    long start = System.nanoTime();
    int agree = 0;
    int truthAgree = 0;
    long rollouts = 0;
    for (int from = 0, it = 0; from < n; from += BATCH, it++) {
      List<Problem> batch = problems.subList(from, Math.min(n, from + BATCH));
      StageContext ctx = new StageContext(new SplittableRandom(it), it, ParentSource.empty());
      solver.rewind();
      List<Outcome<Evaluation>> ref = fixed.estimate(batch, solver, ctx);
      List<Outcome<Evaluation>> got = ref;
      if (est != null) {
        solver.rewind();
        got = est.estimate(batch, solver, ctx);
      }
      for (int i = 0; i < batch.size(); i++) {
        boolean refIn = ref.get(i).value().difficulty().quality() > 0;
        boolean in = got.get(i).value().difficulty().quality() > 0;
        rollouts += got.get(i).value().difficulty().rollouts();
        if (refIn == in) {
          agree++;
        }
        if (band.contains(truth.get(batch.get(i).id())) == in) {
          truthAgree++;
        }
      }
    }
    double ms = (System.nanoTime() - start) / 1e6;
    Result res = new Result(name, (double) agree / n, (double) rollouts / n, (double) truthAgree / n);
    System.out.printf(Locale.ROOT, "%-34s %9.2f%% %10.2f %9.2f%% %8.0f%n", name, 100 * res.agreement(),
        res.meanRollouts(), 100 * res.truthAgreement(), ms);
    return res;
  }
}
