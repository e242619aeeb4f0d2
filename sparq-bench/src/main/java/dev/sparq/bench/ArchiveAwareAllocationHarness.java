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
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Archive-aware rollout allocation (issue 18) against SPARQ's fixed K = 16 and today's adaptive
 * estimator, over several mixes of true solve rates, on an empty archive and on mature ones whose
 * niches are all full: a synthetic one (the same for every mix) and three grown from the mix itself
 * by {@link WarmUpArchive} ({@link #LEVELS}). Every candidate has one pre-drawn stream of 16 rollout
 * outcomes, so all estimators see the same rollouts (the adaptive ones read a prefix). Each batch of
 * 64 candidates (spread uniformly over 32 niches of capacity 8) is added to its own copy of the
 * starting archive, once per estimator. A candidate's decision agrees with fixed K when its status
 * class (accepted or not), whether it is still in the archive after the batch, and which starting
 * members left its niche in the batch are all the same (so one different decision in a niche counts
 * against every candidate of that niche in the batch); a batch's evictions agree when the same
 * members left. On the synthetic mature archive (on every mature level with {@code all}) it also
 * prints a trade-off: other rank depths and admission errors, and an oracle that knows each
 * candidate's true solve rate (a floor for a rule that must reproduce fixed K's decisions with that
 * error). Quality error is the mean |quality - true quality| over the candidates each estimator
 * admitted, where the true quality is {@code 1 - SR} inside the band [0.1, 0.9] and 0 outside.
 *
 * <p>Run: {@code java -cp sparq-bench/target/benchmarks.jar
 * dev.sparq.bench.ArchiveAwareAllocationHarness [candidates per mix] [seed] [all]}.
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

  /** How a starting archive is made. */
  enum Kind {
    /** No member at all. */
    EMPTY,
    /** Every niche full of elites at 2 to 8 correct of 16 (uniform), the same for every mix. */
    SYNTHETIC,
    /** Grown by {@link WarmUpArchive} from the mix itself, with fixed K = 16. */
    WARM_UP
  }

  /**
   * A starting archive. For {@link Kind#WARM_UP}, {@code meanPerNiche} is the number of warm-up
   * candidates per niche on average (0: stop as soon as every niche is full).
   */
  record Level(String name, Kind kind, int meanPerNiche) {}

  /**
   * The levels, fixed from the paper's scale before any result was seen: empty; the synthetic
   * mature archive; the archive the loop builds until every niche is just full; 20 candidates per
   * niche (about 5,000 skill sets after 100K problems); 64 per niche (about 320K problems per run
   * over about 5,000 niches).
   */
  static final List<Level> LEVELS = List.of(new Level("empty", Kind.EMPTY, 0),
      new Level("synthetic", Kind.SYNTHETIC, 0), new Level("just full", Kind.WARM_UP, 0),
      new Level("20/niche", Kind.WARM_UP, 20), new Level("64/niche", Kind.WARM_UP, 64));

  /** The warm-up's bound: a level not reached within this many candidates per niche is reported. */
  static final int MAX_WARM_UP_PER_NICHE = 1_000;

  /** An archive-aware configuration: rank depth, admission error and rollouts per later round. */
  record Variant(String name, int depth, double error, int round, int initial) {
    Variant(String name, int depth, double error) {
      this(name, depth, error, 2, 4);
    }

    Variant(String name, int depth, double error, int round) {
      this(name, depth, error, round, 4);
    }
  }

  /** The default archive-aware configuration (rank depth 2, admission error 0.01). */
  static final Variant DEFAULT = new Variant("aware", 2, 0.01);

  /** The trade-off rows (mature levels only): other depths and errors, and the oracle. */
  static final List<Variant> TRADE_OFF = List.of(
      new Variant("aware d1 e.01", 1, 0.01), new Variant("aware d8 e.01", 8, 0.01),
      new Variant("aware d2 e.03", 2, 0.03), new Variant("aware d2 e.10", 2, 0.10),
      new Variant("aware d2 e.20", 2, 0.20));

  /**
   * The default configuration with rounds of one rollout after the first four (instead of two):
   * printed on every mature level. It checks after every rollout, so with the same prior it never
   * stops later than rounds of two; the extra checks are also extra chances to settle in the wrong
   * class, and a child needs up to 13 solver calls one after the other instead of 7 (latency, which
   * this harness does not measure). The defaults keep rounds of two.
   */
  static final Variant ROUNDS_OF_ONE = new Variant("aware r4+1", 2, 0.01, 1);

  /**
   * Extra archive-aware rows on every level, from {@code -Dharness.schedules=2+1,2+1d4}: each entry
   * is {@code INITIAL+ROUND} rollouts (first round, later rounds), optionally {@code dDEPTH} (rank
   * depth, default 2), at admission error 0.01; printed as {@code aware i2+1d4}.
   */
  static final List<Variant> SCHEDULES = schedules(System.getProperty("harness.schedules", ""));

  /** Parses {@link #SCHEDULES}' syntax; a malformed entry stops the harness with its text. */
  static List<Variant> schedules(String spec) {
    List<Variant> out = new ArrayList<>();
    for (String x : spec.split(",")) {
      if (x.isBlank()) {
        continue;
      }
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("(\\d+)\\+(\\d+)(?:d(\\d+))?").matcher(x.strip());
      if (!m.matches() || Integer.parseInt(m.group(1)) < 1 || Integer.parseInt(m.group(2)) < 1) {
        throw new IllegalArgumentException("harness.schedules: '" + x
            + "' is not INITIAL+ROUND[dDEPTH] with positive numbers, e.g. 2+1 or 2+1d4");
      }
      int depth = m.group(3) == null ? 2 : Integer.parseInt(m.group(3));
      out.add(new Variant("aware i" + x.strip(), depth, 0.01, Integer.parseInt(m.group(2)),
          Integer.parseInt(m.group(1))));
    }
    return List.copyOf(out);
  }

  /** Oracle rows: the same stopping rule (depth 1) knowing each candidate's true solve rate. */
  static final double[] ORACLE_ERRORS = {0.01, 0.03};

  /**
   * The archive-aware stopping rule at rank depth 1 with a perfect prior: it knows each candidate's
   * true solve rate, so the only uncertainty left is the binomial draw of the rollouts fixed K has
   * not seen yet. Same round schedule as {@link AdaptiveEstimator} (4, then 2 at a time). No real
   * estimator can know the solve rate, so its rollouts are a floor for rules that must reproduce
   * fixed K's decisions with this error.
   */
  static final class Oracle {
    final Map<String, Double> truth;
    final double error;

    Oracle(Map<String, Double> truth, double error) {
      this.truth = truth;
      this.error = error;
    }

    List<Difficulty> estimate(List<Problem> batch, double[][] niches, ReplaySolver solver) {
      List<Difficulty> out = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        Problem prob = batch.get(i);
        double p = truth.get(prob.id());
        boolean[] s = solver.outcomes(prob.id());
        double t = niches[i] == null ? Double.NEGATIVE_INFINITY
            : java.util.Arrays.stream(niches[i]).min().orElseThrow();
        int n = 0;
        int c = 0;
        int round = 4;
        while (true) {
          for (int j = 0; j < round && n < K; j++, n++) {
            c += s[n] ? 1 : 0;
          }
          double enter = 0;
          for (int j = 0; j <= K - n; j++) {
            if (BAND.quality(c + j, K) > t) {
              enter += binomial(K - n, j) * Math.pow(p, j) * Math.pow(1 - p, K - n - j);
            }
          }
          if (n >= K || enter <= error || enter >= 1 - error) {
            double q = n >= K ? BAND.quality(c, K) : 0;
            if (n < K) {
              // the expected fixed-K quality in the settled class
              double mass = 0;
              double sum = 0;
              for (int j = 0; j <= K - n; j++) {
                double qj = BAND.quality(c + j, K);
                if ((qj > t) == (enter >= 0.5)) {
                  double w = binomial(K - n, j) * Math.pow(p, j) * Math.pow(1 - p, K - n - j);
                  mass += w;
                  sum += w * qj;
                }
              }
              q = mass > 0 ? sum / mass : 0;
              if (enter < 0.5) {
                q = Math.min(q, t);
              }
            }
            out.add(new Difficulty(c, n, Math.max(0, q), dev.sparq.core.model.Validity.VALID));
            break;
          }
          round = 2;
        }
      }
      return out;
    }

    private static double binomial(int m, int j) {
      double r = 1;
      for (int k = 1; k <= j; k++) {
        r = r * (m - j + k) / k;
      }
      return r;
    }
  }

  /** The members of {@code niche} in the starting archive that are among {@code left}. */
  private static Set<String> leftNiche(Set<String> left, CellArchive start, Descriptor niche) {
    Set<String> out = new HashSet<>();
    int c = start.cellOf(niche);
    if (c >= 0) {
      for (Elite m : start.cell(c)) {
        if (left.contains(m.id())) {
          out.add(m.id());
        }
      }
    }
    return out;
  }

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

  /**
   * Runs every mix on every level and prints one row per estimator.
   *
   * @param args candidates per mix (default 12,800), seed (default 42), and {@code all} to print
   *     the trade-off and oracle rows on every mature level (default: the synthetic one only)
   */
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 12_800;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 42;
    boolean tradeOffEverywhere = args.length > 2 && args[2].equals("all");
    System.out.printf(Locale.ROOT, "candidates per mix=%d seed=%d; %d niches of capacity %d; batch %d;"
        + " band [0.1, 0.9]; reference fixed K=%d%n", n, seed, NICHES, CAPACITY, BATCH, K);
    System.out.printf(Locale.ROOT, "%-31s %-10s %-13s %9s %7s %8s %8s %9s %8s%n", "mix", "archive",
        "estimator", "rollouts", "vs K16", "agree", "evict=", "q error", "vs K16");
    // -Dharness.levels=64/niche,synthetic: only these levels (all when unset)
    String only = System.getProperty("harness.levels", "");
    List<String> levels = only.isEmpty() ? null : List.of(only.split(","));
    for (Mix mix : MIXES) {
      for (Level level : LEVELS) {
        if (levels != null && !levels.contains(level.name())) {
          continue;
        }
        run(mix, level, n, seed, level.kind() == Kind.SYNTHETIC
            || tradeOffEverywhere && level.kind() == Kind.WARM_UP);
      }
    }
  }

  private static CellArchive syntheticArchive(SplittableRandom r) {
    CellArchive a = CellArchive.categorical(CAPACITY);
    List<Elite> members = new ArrayList<>();
    for (int c = 0; c < NICHES; c++) {
      for (int m = 0; m < CAPACITY; m++) {
        // an elite measured with K = 16: 2 to 8 correct, quality 0.5 to 0.875
        int correct = 2 + r.nextInt(7);
        Problem p = Problem.of("member " + c + "-" + m, "", "1");
        members.add(new Elite(p, new Difficulty(correct, K, 1 - (double) correct / K,
            dev.sparq.core.model.Validity.VALID), WarmUpArchive.niche(c), -1));
      }
    }
    a.add(members);
    return a;
  }

  private static void run(Mix mix, Level level, int n, long seed, boolean tradeOff) {
    SplittableRandom r = new SplittableRandom(seed);
    // the synthetic members are drawn first on every mature level (as before warm-up levels existed),
    // so every mature level measures the same candidates
    CellArchive synthetic = level.kind() == Kind.EMPTY ? null : syntheticArchive(r);
    CellArchive start;
    switch (level.kind()) {
      case EMPTY -> start = CellArchive.categorical(CAPACITY);
      case SYNTHETIC -> start = synthetic;
      default -> {
        // the warm-up's own stream, split from the seed, separate from the measured candidates
        Optional<WarmUpArchive.Result> w = WarmUpArchive.build(mix.draw(), mix.name(), NICHES,
            CAPACITY, K, BAND, level.meanPerNiche(), MAX_WARM_UP_PER_NICHE,
            new SplittableRandom(seed).split());
        if (w.isEmpty()) {
          System.out.printf(Locale.ROOT, "%-31s %-10s not reachable: a niche still has a free slot"
              + " after %d warm-up candidates per niche%n", mix.name(), level.name(),
              MAX_WARM_UP_PER_NICHE);
          return;
        }
        start = w.get().archive();
        System.out.printf(Locale.ROOT, "%-31s %-10s warm-up: %d candidates (%.1f per niche),"
            + " mean threshold %.3f, members at quality 0: %.1f%%%n", mix.name(), level.name(),
            w.get().candidates(), w.get().meanPerNiche(), w.get().meanThreshold(),
            100 * w.get().zeroQualityShare());
      }
    }
    ReplaySolver solver = new ReplaySolver();
    List<Problem> problems = new ArrayList<>(n);
    List<Descriptor> niches = new ArrayList<>(n);
    Map<String, Double> truth = new HashMap<>();
    for (int i = 0; i < n; i++) {
      double p = mix.draw().applyAsDouble(r);
      Problem prob = Problem.of("simulated problem " + i + " " + mix.name(), "", "1");
      solver.putDrawn(prob.id(), p, K, r);
      truth.put(prob.id(), p);
      problems.add(prob);
      niches.add(WarmUpArchive.niche(r.nextInt(NICHES)));
    }
    FixedKEstimator fixed = new FixedKEstimator(K, BAND, ValidityGuard.flagging());
    AdaptiveEstimator adaptive = AdaptiveEstimator.builder().build();
    List<String> names = new ArrayList<>(List.of("fixed K16", "adaptive"));
    List<AdaptiveEstimator> aware = new ArrayList<>();
    List<Variant> variants = new ArrayList<>(List.of(DEFAULT));
    if (level.kind() != Kind.EMPTY) {
      variants.add(ROUNDS_OF_ONE);
    }
    variants.addAll(SCHEDULES);
    List<Oracle> oracles = new ArrayList<>();
    if (tradeOff) {
      variants.addAll(TRADE_OFF);
      for (double e : ORACLE_ERRORS) {
        oracles.add(new Oracle(truth, e));
      }
    }
    for (Variant v : variants) {
      names.add(v.name());
      aware.add(AdaptiveEstimator.builder().archiveAware(true).rankDepth(v.depth())
          .admissionError(v.error()).roundRollouts(v.round()).initialRollouts(v.initial()).build());
    }
    for (Oracle o : oracles) {
      names.add(String.format(Locale.ROOT, "oracle e.%02d", Math.round(o.error * 100)));
    }
    int estimators = names.size();
    Tally[] tallies = new Tally[estimators];
    for (int e = 0; e < estimators; e++) {
      tallies[e] = new Tally();
    }
    for (int from = 0, it = 0; from < n; from += BATCH, it++) {
      List<Problem> batch = problems.subList(from, Math.min(n, from + BATCH));
      double[][] full = new double[batch.size()][];
      for (int i = 0; i < batch.size(); i++) {
        int c = start.cellOf(niches.get(from + i));
        List<Elite> cell = c < 0 ? List.of() : start.cell(c);
        full[i] = cell.size() < CAPACITY ? null
            : cell.stream().mapToDouble(Elite::quality).toArray();
      }
      StageContext ctx = new StageContext(new SplittableRandom(it), it, ParentSource.empty());
      List<List<Outcome<Evaluation>>> got = new ArrayList<>();
      solver.rewind();
      got.add(fixed.estimate(batch, solver, ctx));
      solver.rewind();
      got.add(adaptive.estimate(batch, solver, ctx));
      for (AdaptiveEstimator a : aware) {
        solver.rewind();
        got.add(a.estimateInNiches(batch, full, solver, ctx));
      }
      for (Oracle o : oracles) {
        List<Outcome<Evaluation>> out = new ArrayList<>();
        for (Difficulty d : o.estimate(batch, full, solver)) {
          out.add(Outcome.of(new Evaluation(d, List.of())));
        }
        got.add(out);
      }
      List<List<AddResult>> results = new ArrayList<>();
      List<Set<String>> evicted = new ArrayList<>();
      for (int e = 0; e < estimators; e++) {
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
      for (int e = 0; e < estimators; e++) {
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
          // the decision: added or not, still a member after the batch, and which members left
          // its niche in the batch (a starting member's id names its niche)
          Descriptor niche = niches.get(from + i);
          if (res.status().accepted() == ref.status().accepted() && res.inserted() == ref.inserted()
              && leftNiche(evicted.get(e), start, niche).equals(
                  leftNiche(evicted.get(0), start, niche))) {
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
    for (int e = 0; e < estimators; e++) {
      Tally t = tallies[e];
      double perCandidate = (double) t.rollouts / t.candidates;
      double refPer = (double) tallies[0].rollouts / tallies[0].candidates;
      System.out.printf(Locale.ROOT, "%-31s %-10s %-13s %9.2f %6.2fx %7.2f%% %7.2f%% %9.4f %7.2fx%n",
          mix.name(), level.name(), names.get(e), perCandidate, perCandidate / refPer,
          100.0 * t.agree / t.candidates, 100.0 * t.batchesSameEvictions / t.batches, t.errorMean(),
          t.errorMean() / tallies[0].errorMean());
    }
  }
}
