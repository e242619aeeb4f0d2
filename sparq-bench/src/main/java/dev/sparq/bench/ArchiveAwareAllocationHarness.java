package dev.sparq.bench;

import dev.sparq.testkit.stage.ReplaySolver;
import dev.sparq.core.Outcome;
import dev.sparq.core.archive.AddResult;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.difficulty.AdaptiveEstimator;
import dev.sparq.core.difficulty.FixedKEstimator;
import dev.sparq.core.difficulty.SolveRateBand;
import dev.sparq.core.difficulty.ValidityGuard;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.Evaluation;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.ParentSource;
import dev.sparq.core.stage.StageContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Archive-aware rollout allocation (issue 18) against SPARQ's fixed K = 16 and today's adaptive
 * estimator, over several mixes of true solve rates, on an empty archive and on a mature one whose
 * niches are all full. Every candidate has one pre-drawn stream of 16 rollout outcomes, so the three
 * estimators see the same rollouts (the adaptive ones read a prefix). Each batch of 64 candidates
 * (spread uniformly over 32 niches of capacity 8) is added to its own copy of the starting archive,
 * once per estimator; a decision agrees with fixed K when the candidate's status class (accepted or
 * not) and whether it is still in the archive after the batch are the same, and a batch's evictions
 * agree when the same members left. Quality error is the mean |quality - true quality| over the
 * candidates each estimator admitted, where the true quality is {@code 1 - SR} inside the band
 * [0.1, 0.9] and 0 outside.
 *
 * <p>Run: {@code java -cp sparq-bench/target/benchmarks.jar
 * dev.sparq.bench.ArchiveAwareAllocationHarness [candidates per mix] [seed]}.
 */
public final class ArchiveAwareAllocationHarness {
  private static final int K = 16;
  private static final int BATCH = 64;
  private static final int NICHES = 32;
  private static final int CAPACITY = 8;
  private static final SolveRateBand BAND = SolveRateBand.PAPER;

  private ArchiveAwareAllocationHarness() {}

  /** A mix of true solve rates. */
  record Mix(String name, ToDoubleFunction<SplittableRandom> draw) {}

  static final List<Mix> MIXES = List.of(
      new Mix("mostly 0 or 1 (45% 0, 35% 1)", r -> {
        double u = r.nextDouble();
        return u < 0.45 ? 0 : u < 0.80 ? 1 : r.nextDouble();
      }),
      new Mix("band edges (SR near 0.1, 0.9)", r -> r.nextBoolean()
          ? 0.03 + 0.14 * r.nextDouble() : 0.83 + 0.14 * r.nextDouble()),
      new Mix("few at 0 or 1 (10%, 10%)", r -> {
        double u = r.nextDouble();
        return u < 0.10 ? 0 : u < 0.20 ? 1 : r.nextDouble();
      }),
      new Mix("uniform SR", SplittableRandom::nextDouble),
      new Mix("mid band (SR 0.2-0.8)", r -> 0.2 + 0.6 * r.nextDouble()));

  /** Totals of one estimator on one mix and archive state. */
  static final class Tally {
    long rollouts;
    long candidates;
    long agree;
    long batchesSameEvictions;
    long batches;
    double errorSum;
    long admitted;

    double errorMean() {
      return admitted == 0 ? Double.NaN : errorSum / admitted;
    }
  }

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 12_800;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 42;
    System.out.printf(Locale.ROOT, "candidates per mix=%d seed=%d; %d niches of capacity %d; batch %d;"
        + " band [0.1, 0.9]; reference fixed K=%d%n", n, seed, NICHES, CAPACITY, BATCH, K);
    System.out.printf(Locale.ROOT, "%-31s %-7s %-9s %9s %7s %8s %8s %9s %8s%n", "mix", "archive",
        "estimator", "rollouts", "vs K16", "agree", "evict=", "q error", "vs K16");
    for (Mix mix : MIXES) {
      for (boolean mature : new boolean[] {false, true}) {
        run(mix, mature, n, seed);
      }
    }
  }

  private static CellArchive startingArchive(boolean mature, SplittableRandom r) {
    CellArchive a = CellArchive.categorical(CAPACITY);
    if (mature) {
      List<Elite> members = new ArrayList<>();
      for (int c = 0; c < NICHES; c++) {
        for (int m = 0; m < CAPACITY; m++) {
          // an elite measured with K = 16: 2 to 8 correct, quality 0.5 to 0.875
          int correct = 2 + r.nextInt(7);
          Problem p = Problem.of("member " + c + "-" + m, "", "1");
          members.add(new Elite(p, new Difficulty(correct, K, 1 - (double) correct / K,
              dev.sparq.core.model.Validity.VALID), Descriptor.ofLabels("niche" + c), -1));
        }
      }
      a.add(members);
    }
    return a;
  }

  private static void run(Mix mix, boolean mature, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    CellArchive start = startingArchive(mature, r);
    ReplaySolver solver = new ReplaySolver();
    List<Problem> problems = new ArrayList<>(n);
    List<Descriptor> niches = new ArrayList<>(n);
    Map<String, Double> truth = new HashMap<>();
    for (int i = 0; i < n; i++) {
      double p = mix.draw().applyAsDouble(r);
      Problem prob = Problem.of("simulated problem " + i + " " + mix.name(), "", "1");
      boolean[] s = new boolean[K];
      for (int j = 0; j < K; j++) {
        s[j] = r.nextDouble() < p;
      }
      solver.put(prob.id(), s);
      truth.put(prob.id(), p);
      problems.add(prob);
      niches.add(Descriptor.ofLabels("niche" + r.nextInt(NICHES)));
    }
    FixedKEstimator fixed = new FixedKEstimator(K, BAND, ValidityGuard.flagging());
    AdaptiveEstimator adaptive = AdaptiveEstimator.builder().build();
    AdaptiveEstimator aware = AdaptiveEstimator.builder().archiveAware(true).build();
    String[] names = {"fixed K16", "adaptive", "aware"};
    Tally[] tallies = {new Tally(), new Tally(), new Tally()};
    for (int from = 0, it = 0; from < n; from += BATCH, it++) {
      List<Problem> batch = problems.subList(from, Math.min(n, from + BATCH));
      double[] admission = new double[batch.size()];
      for (int i = 0; i < batch.size(); i++) {
        int c = start.cellOf(niches.get(from + i));
        List<Elite> cell = c < 0 ? List.of() : start.cell(c);
        admission[i] = cell.size() < CAPACITY ? Double.NEGATIVE_INFINITY
            : cell.get(cell.size() - 1).quality();
      }
      StageContext ctx = new StageContext(new SplittableRandom(it), it, ParentSource.empty());
      List<List<Outcome<Evaluation>>> got = new ArrayList<>();
      solver.rewind();
      got.add(fixed.estimate(batch, solver, ctx));
      solver.rewind();
      got.add(adaptive.estimate(batch, solver, ctx));
      solver.rewind();
      got.add(aware.estimate(batch, admission, solver, ctx));
      List<List<AddResult>> results = new ArrayList<>();
      List<Set<String>> evicted = new ArrayList<>();
      for (int e = 0; e < 3; e++) {
        CellArchive a = start.copy();
        Set<String> before = new HashSet<>();
        a.members().forEach(m -> before.add(m.id()));
        List<Elite> offered = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
          offered.add(new Elite(batch.get(i), got.get(e).get(i).value().difficulty(),
              niches.get(from + i), it));
        }
        results.add(a.add(offered));
        Set<String> after = new HashSet<>();
        a.members().forEach(m -> after.add(m.id()));
        before.removeAll(after);
        evicted.add(before);
      }
      for (int e = 0; e < 3; e++) {
        Tally t = tallies[e];
        t.batches++;
        if (evicted.get(e).equals(evicted.get(0))) {
          t.batchesSameEvictions++;
        }
        for (int i = 0; i < batch.size(); i++) {
          Difficulty d = got.get(e).get(i).value().difficulty();
          AddResult res = results.get(e).get(i);
          AddResult ref = results.get(0).get(i);
          t.candidates++;
          t.rollouts += d.rollouts();
          if (res.status().accepted() == ref.status().accepted() && res.inserted() == ref.inserted()) {
            t.agree++;
          }
          if (res.inserted()) {
            double p = truth.get(batch.get(i).id());
            double trueQuality = BAND.contains(p) ? 1 - p : 0;
            t.errorSum += Math.abs(d.quality() - trueQuality);
            t.admitted++;
          }
        }
      }
    }
    for (int e = 0; e < 3; e++) {
      Tally t = tallies[e];
      double perCandidate = (double) t.rollouts / t.candidates;
      double refPer = (double) tallies[0].rollouts / tallies[0].candidates;
      System.out.printf(Locale.ROOT, "%-31s %-7s %-9s %9.2f %6.2fx %7.2f%% %7.2f%% %9.4f %7.2fx%n",
          mix.name(), mature ? "mature" : "empty", names[e], perCandidate, perCandidate / refPer,
          100.0 * t.agree / t.candidates, 100.0 * t.batchesSameEvictions / t.batches, t.errorMean(),
          t.errorMean() / tallies[0].errorMean());
    }
  }
}
