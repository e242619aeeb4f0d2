package dev.sparq.testkit.math;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.stage.Solver;
import dev.sparq.core.stage.StageContext;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ArithmeticDomainEstimatorTest {

  /** A solver that answers correctly {@code correct} times out of {@code n}, whatever K is asked. */
  private static Solver fixed(int correct, int n, int[] askedK) {
    return (problems, k, ctx) -> {
      askedK[0] = k;
      List<List<Rollout>> out = new ArrayList<>();
      for (Problem p : problems) {
        List<Rollout> rs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          rs.add(new Rollout("x", "1", i < correct, 1));
        }
        out.add(rs);
      }
      return out;
    };
  }

  private static Difficulty estimate(int k, int correct, int n, int[] askedK) {
    Problem p = Problem.of("1 + 0", "1", "1");
    return ArithmeticDomain.estimator(k, 0.1, 0.9)
        .estimate(List.of(p), fixed(correct, n, askedK), StageContext.of(new SplittableRandom(1)))
        .get(0).value().difficulty();
  }

  @Test
  void qualityIsOneMinusSolveRateInsideTheBandAndZeroOutside() {
    int[] asked = new int[1];
    Difficulty d = estimate(16, 4, 16, asked);
    assertEquals(16, asked[0]);
    assertEquals(new Difficulty(4, 16, 0.75, d.validity()), d);
    assertEquals(0.0, estimate(16, 16, 16, asked).quality());
    assertEquals(0.0, estimate(16, 0, 16, asked).quality());
    assertEquals(0.9, estimate(10, 1, 10, asked).quality(), 1e-12);
  }

  @Test
  void solveRateIsMeasuredOverTheRolloutsReturned() {
    int[] asked = new int[1];
    Difficulty d = estimate(16, 2, 8, asked);
    assertEquals(16, asked[0]);
    assertEquals(8, d.rollouts());
    assertEquals(0.75, d.quality(), 1e-12);
  }
}
