package dev.sparq.core.difficulty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.Outcome;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.engine.Variant;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.Evaluation;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.testkit.math.ArithmeticDomain;
import dev.sparq.testkit.stage.ReplaySolver;
import dev.sparq.core.stage.ParentSource;
import dev.sparq.core.stage.Solver;
import dev.sparq.core.stage.StageContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Issue 18: archive-aware rollout allocation in {@link AdaptiveEstimator}. */
class ArchiveAwareEstimatorTest {

  /** Each problem i is solved with probability rates[i], from a fixed stream. */
  static Solver streams(double[] rates, long seed) {
    return (problems, k, ctx) -> {
      List<List<Rollout>> out = new ArrayList<>();
      for (Problem p : problems) {
        int i = Integer.parseInt(p.answer());
        SplittableRandom r = new SplittableRandom(seed * 31 + i + 1000L * ctx.iteration());
        List<Rollout> rs = new ArrayList<>();
        for (int j = 0; j < k; j++) {
          boolean ok = r.nextDouble() < rates[i];
          rs.add(Rollout.of("t", ok ? p.answer() : "x", ok));
        }
        out.add(rs);
      }
      return out;
    };
  }

  static List<Problem> problems(int n) {
    List<Problem> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Problem.of("problem " + i, "", Integer.toString(i)));
    }
    return out;
  }

  @Test
  void aFullNicheNoCandidateCanEnterCostsNoRollouts() {
    double[] rates = {0.0, 0.3, 0.5, 1.0};
    AdaptiveEstimator est = AdaptiveEstimator.builder().archiveAware(true).build();
    double[] admission = new double[4];
    Arrays.fill(admission, 0.9); // the best quality the band allows: nobody beats it
    List<Outcome<Evaluation>> got = est.estimate(problems(4), admission, streams(rates, 1),
        new StageContext(new SplittableRandom(1), 0, ParentSource.empty()));
    for (Outcome<Evaluation> o : got) {
      assertEquals(0, o.value().difficulty().rollouts());
      assertEquals(0.0, o.value().difficulty().quality());
    }
  }

  @Test
  void freeSlotsBehaveLikeTheAdaptiveEstimatorAndContendersSettleEarly() {
    double[] rates = new double[40];
    for (int i = 0; i < rates.length; i++) {
      rates[i] = i / 39.0;
    }
    StageContext ctx = new StageContext(new SplittableRandom(1), 0, ParentSource.empty());
    List<Outcome<Evaluation>> plain = AdaptiveEstimator.builder().build()
        .estimate(problems(40), streams(rates, 2), ctx);
    double[] free = new double[40];
    Arrays.fill(free, Double.NEGATIVE_INFINITY);
    List<Outcome<Evaluation>> aware = AdaptiveEstimator.builder().archiveAware(true).build()
        .estimate(problems(40), free, streams(rates, 2), ctx);
    for (int i = 0; i < 40; i++) {
      assertEquals(plain.get(i).value().difficulty(), aware.get(i).value().difficulty());
    }
    // a full niche at quality 0.25: children settle early on either side of the threshold (those
    // that cannot enter get at most 0.25); decisionsEqualFixedKOnConstructedStreams checks the side
    double[] full = new double[40];
    Arrays.fill(full, 0.25);
    List<Outcome<Evaluation>> contested = AdaptiveEstimator.builder().archiveAware(true).build()
        .estimate(problems(40), full, streams(rates, 2), ctx);
    int early = 0;
    int enteredEarly = 0;
    for (int i = 0; i < 40; i++) {
      var d = contested.get(i).value().difficulty();
      if (d.rollouts() < 16) {
        early++;
        if (d.quality() > 0.25) {
          enteredEarly++;
        }
      }
    }
    assertTrue(early > 0 && enteredEarly > 0, "early: " + early + ", entered early: " + enteredEarly);
  }

  /** Each problem's answer is its 16 outcomes ('1' correct), handed out in order across rounds. */
  private static Solver fixedStreams() {
    java.util.Map<String, Integer> cursor = new java.util.HashMap<>();
    return (problems, k, ctx) -> {
      List<List<Rollout>> out = new ArrayList<>();
      for (Problem p : problems) {
        int at = cursor.getOrDefault(p.id(), 0);
        List<Rollout> rs = new ArrayList<>();
        for (int j = at; j < Math.min(16, at + k); j++) {
          boolean ok = p.answer().charAt(j) == '1';
          rs.add(Rollout.of("t", ok ? "right" : "wrong", ok));
        }
        cursor.put(p.id(), Math.min(16, at + k));
        out.add(rs);
      }
      return out;
    };
  }

  private static Problem streamed(String outcomes) {
    return Problem.of("stream " + outcomes, "", outcomes);
  }

  /** How many of the qualities fixed K's quality for this stream strictly exceeds. */
  private static int fixedClass(String outcomes, double[] niche, int depth) {
    int c = (int) outcomes.chars().filter(ch -> ch == '1').count();
    double q = SolveRateBand.PAPER.quality(c, 16);
    double[] sorted = niche.clone();
    Arrays.sort(sorted);
    int k = 0;
    while (k < Math.min(depth, sorted.length) && q > sorted[k]) {
      k++;
    }
    return k;
  }

  private static final StageContext CTX =
      new StageContext(new SplittableRandom(1), 0, ParentSource.empty());

  @Test
  void aChildWhoseRankIsSettledStopsEarly() {
    // one correct in four: quality 0.75 against a niche whose two worst members are at 0.25
    String stream = "1000100010001000";
    double[] niche = {0.25, 0.25, 0.5, 0.8};
    var d = AdaptiveEstimator.builder().archiveAware(true).build()
        .estimateInNiches(List.of(streamed(stream)), new double[][] {niche}, fixedStreams(), CTX)
        .get(0).value().difficulty();
    assertTrue(d.rollouts() < 16, "settled early: " + d);
    assertTrue(d.quality() > 0.25, "it enters and outranks both members at 0.25: " + d);
    assertEquals(fixedClass(stream, niche, 2), 2);
  }

  @Test
  void aChildCloseToAMemberGetsAllSixteen() {
    // half solved: fixed K gives exactly 0.5, which does not beat the worst member at 0.5
    String stream = "1010101010101010";
    var d = AdaptiveEstimator.builder().archiveAware(true).build()
        .estimateInNiches(List.of(streamed(stream)), new double[][] {{0.5, 0.7, 0.8}},
            fixedStreams(), CTX)
        .get(0).value().difficulty();
    assertEquals(16, d.rollouts());
    assertEquals(0.5, d.quality(), "fixed K's quality, which the archive refuses");
    // entering, but close to the second worst member at 0.625: ranked with all sixteen too
    String second = "1010101010101000"; // 7 of 16: quality 0.5625
    var e = AdaptiveEstimator.builder().archiveAware(true).build()
        .estimateInNiches(List.of(streamed(second)), new double[][] {{0.5, 0.5625, 0.8}},
            fixedStreams(), CTX)
        .get(0).value().difficulty();
    assertEquals(16, e.rollouts());
    assertEquals(0.5625, e.quality());
  }

  @Test
  void decisionsEqualFixedKOnConstructedStreams() {
    List<String> streams = List.of(
        "0000000000000000", "1111111111111111", "1000000000000000", "0111111111111111",
        "1000100010001000", "1100110011001100", "1010101010101010", "1110111011101110",
        "1101101101101101", "0010010010010010", "0001000100010001");
    double[][] niches = {{0.5, 0.5625, 0.625, 0.75}, {0.3, 0.9}, {0.875, 0.9}, {0.1, 0.2}};
    for (double[] niche : niches) {
      for (int depth : new int[] {1, 2, 8}) {
        List<Problem> batch = new ArrayList<>();
        double[][] full = new double[streams.size()][];
        for (int i = 0; i < streams.size(); i++) {
          batch.add(streamed(streams.get(i)));
          full[i] = niche;
        }
        List<Outcome<Evaluation>> got = AdaptiveEstimator.builder().archiveAware(true)
            .rankDepth(depth).build().estimateInNiches(batch, full, fixedStreams(), CTX);
        for (int i = 0; i < streams.size(); i++) {
          var d = got.get(i).value().difficulty();
          int want = fixedClass(streams.get(i), niche, depth);
          // the class the reported quality puts the child in
          String q = String.format("%.6f", d.quality());
          int have = fixedClassOfQuality(d.quality(), niche, depth);
          assertEquals(want, have, streams.get(i) + " in " + Arrays.toString(niche) + " depth "
              + depth + ": quality " + q + " after " + d.rollouts());
        }
      }
    }
  }

  @Test
  void anEstimatorThatKnowsOnlyThresholdsGetsEachFullNichesWorstQuality() {
    double[][] seen = new double[1][];
    dev.sparq.core.stage.AdmissionAwareEstimator thresholdsOnly =
        new dev.sparq.core.stage.AdmissionAwareEstimator() {
          @Override
          public List<Outcome<Evaluation>> estimate(List<Problem> problems, double[] admission,
              Solver solver, StageContext context) {
            seen[0] = admission.clone();
            return List.of();
          }

          @Override
          public List<Outcome<Evaluation>> estimate(List<Problem> problems, Solver solver,
              StageContext context) {
            throw new AssertionError("the engine passes niches");
          }
        };
    thresholdsOnly.estimateInNiches(problems(3), new double[][] {{0.7, 0.3, 0.5}, null, {}},
        streams(new double[3], 1), CTX);
    assertEquals(0.3, seen[0][0]);
    assertEquals(Double.NEGATIVE_INFINITY, seen[0][1]);
    assertEquals(Double.NEGATIVE_INFINITY, seen[0][2]);
  }

  @Test
  void entrantsSettledEarlyGetQualitiesCloserToTheTruthThanFixedK() {
    // children with solve rates uniform in [0.2, 0.8] offered to full niches whose worst member is
    // at 0.5 (fixed K admits 7 or fewer correct of 16); the prior learns over 40 batches of 64
    double[] niche = {0.5, 0.52, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85};
    SplittableRandom r = new SplittableRandom(5);
    AdaptiveEstimator aware = AdaptiveEstimator.builder().archiveAware(true).build();
    FixedKEstimator fixed = new FixedKEstimator(16, SolveRateBand.PAPER, ValidityGuard.flagging());
    double[] err = new double[2];
    int[] admitted = new int[2];
    long awareRollouts = 0;
    int children = 0;
    for (int it = 0; it < 40; it++) {
      DrawnBatch drawn = DrawnBatch.uniform(r, "child " + it + "-", 64, 0.2, 0.8, 16);
      List<Problem> batch = drawn.problems();
      ReplaySolver solver = drawn.solver();
      double[][] full = new double[64][];
      Arrays.fill(full, niche);
      StageContext ctx = new StageContext(new SplittableRandom(it), it, ParentSource.empty());
      List<Outcome<Evaluation>> a = aware.estimateInNiches(batch, full, solver, ctx);
      solver.rewind();
      List<Outcome<Evaluation>> f = fixed.estimate(batch, solver, ctx);
      for (int i = 0; i < 64; i++) {
        double trueQuality = drawn.trueQuality(i);
        var da = a.get(i).value().difficulty();
        var df = f.get(i).value().difficulty();
        awareRollouts += da.rollouts();
        children++;
        if (da.quality() > niche[0]) {
          err[0] += Math.abs(da.quality() - trueQuality);
          admitted[0]++;
        }
        if (df.quality() > niche[0]) {
          err[1] += Math.abs(df.quality() - trueQuality);
          admitted[1]++;
        }
      }
    }
    double awareError = err[0] / admitted[0];
    double fixedError = err[1] / admitted[1];
    String what = String.format(java.util.Locale.ROOT,
        "aware: %d admitted, error %.4f, %.2f rollouts per child; fixed K: %d admitted, error %.4f",
        admitted[0], awareError, (double) awareRollouts / children, admitted[1], fixedError);
    assertTrue(Math.abs(admitted[0] - admitted[1]) <= admitted[1] / 20, what);
    assertTrue(awareRollouts < 0.85 * 16 * children, what);
    // the posterior mean of 1 - p inside the settled class; the expected fixed-K quality it
    // replaced gave about 1.03x
    assertTrue(awareError < 0.95 * fixedError, what);
  }

  private static int fixedClassOfQuality(double q, double[] niche, int depth) {
    double[] sorted = niche.clone();
    Arrays.sort(sorted);
    int k = 0;
    while (k < Math.min(depth, sorted.length) && q > sorted[k]) {
      k++;
    }
    return k;
  }

  private static String run(int threads) {
    Sparq.Builder b = Sparq.builder()
        .generator(ArithmeticDomain.generator())
        .solver(ArithmeticDomain.solver(0.15))
        .estimator(AdaptiveEstimator.builder().archiveAware(true).build())
        .descriptor(ArithmeticDomain.descriptor())
        .seedProblems(ArithmeticDomain.seeds(40, new SplittableRandom(1)))
        .variant(Variant.DYNAMIC_DIVERSE).nicheCapacity(3).batchSize(32).chunkSize(8)
        .threads(threads).budget(Budget.iterations(15)).randomSeed(9);
    try (Sparq s = b.build()) {
      s.run();
      Set<String> ids = new HashSet<>();
      for (Elite e : s.archive().members()) {
        assertTrue(ids.add(e.id()), "duplicate member " + e.id());
      }
      assertTrue(s.totals().added() > 0);
      return ArchiveJson.toJson((CellArchive) s.archive()) + s.totals();
    }
  }

  @Test
  void theEngineDescribesFirstAndStaysDeterministicAcrossThreads() {
    assertEquals(run(1), run(4));
  }
}
