package dev.sparq.core.difficulty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.Outcome;
import dev.sparq.core.model.Evaluation;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.ParentSource;
import dev.sparq.core.stage.Solver;
import dev.sparq.core.stage.StageContext;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link InBandOnly} keeps the archive awareness of what it wraps (its state in checkpoints:
 * {@code ComponentSlotsTest}).
 */
class InBandOnlyTest {

  private static final StageContext CTX =
      new StageContext(new SplittableRandom(1), 0, ParentSource.empty());

  /** Problem i is solved with probability i / (n - 1), from a fixed stream. */
  private static Solver solver(int n) {
    double[] rates = new double[n];
    for (int i = 0; i < n; i++) {
      rates[i] = i / (double) (n - 1);
    }
    return ArchiveAwareEstimatorTest.streams(rates, 7);
  }

  private static List<Problem> problems(int n) {
    return ArchiveAwareEstimatorTest.problems(n);
  }

  @Test
  void archiveAwareExactlyWhenTheWrappedEstimatorIs() {
    assertTrue(new InBandOnly(AdaptiveEstimator.builder().archiveAware(true).build()).admissionAware());
    assertFalse(new InBandOnly(AdaptiveEstimator.builder().build()).admissionAware());
    assertFalse(new InBandOnly(new FixedKEstimator(16, new SolveRateBand(0.1, 0.9),
        ValidityGuard.flagging())).admissionAware());
  }

  @Test
  void nichesReachTheWrappedEstimatorAndOutOfBandResultsBecomeRejections() {
    int n = 30;
    double[][] niches = new double[n][];
    for (int i = 0; i < n; i += 2) {
      niches[i] = new double[] {0.3, 0.5, 0.7}; // every other niche is full
    }
    List<Outcome<Evaluation>> direct = AdaptiveEstimator.builder().archiveAware(true).build()
        .estimateInNiches(problems(n), niches, solver(n), CTX);
    List<Outcome<Evaluation>> wrapped = new InBandOnly(AdaptiveEstimator.builder().archiveAware(true)
        .build()).estimateInNiches(problems(n), niches, solver(n), CTX);
    int early = 0;
    int rejected = 0;
    for (int i = 0; i < n; i++) {
      Evaluation e = direct.get(i).value();
      if (e.difficulty().rollouts() < 16) {
        early++;
      }
      if (e.difficulty().quality() > 0) {
        assertEquals(e.difficulty(), wrapped.get(i).value().difficulty(), "problem " + i);
      } else {
        rejected++;
        assertEquals(InBandOnly.OUT_OF_BAND, wrapped.get(i).rejection().reason(), "problem " + i);
      }
    }
    assertTrue(early > 0, "the wrapped estimator stopped some children early");
    assertTrue(rejected > 0 && rejected < n, "rejected " + rejected);
  }
}
