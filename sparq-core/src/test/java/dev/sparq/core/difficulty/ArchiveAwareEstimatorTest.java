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
  private static Solver streams(double[] rates, long seed) {
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

  private static List<Problem> problems(int n) {
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
  void freeSlotsBehaveLikeTheAdaptiveEstimatorAndContendersGetFullK() {
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
    // a full niche at quality 0.25: whoever is still a contender after the rounds is measured with
    // K = 16, so its quality is as precise as fixed K's; whoever stopped early cannot beat 0.25
    double[] full = new double[40];
    Arrays.fill(full, 0.25);
    List<Outcome<Evaluation>> contested = AdaptiveEstimator.builder().archiveAware(true).build()
        .estimate(problems(40), full, streams(rates, 2), ctx);
    int measuredFully = 0;
    for (Outcome<Evaluation> o : contested) {
      var d = o.value().difficulty();
      if (d.rollouts() < 16) {
        assertTrue(d.quality() <= 0.25, "stopped early but above the threshold: " + d);
      } else {
        measuredFully++;
      }
    }
    assertTrue(measuredFully > 0 && measuredFully < 40, "some contenders: " + measuredFully);
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
