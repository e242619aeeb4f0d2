package dev.sparq.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulated server's cost model: continuous batching, queueing, prefill, utilisation. */
class BatchCostModelTest {
  private static final double EPS = 1e-9;

  private static int[] lengths(int n, int length) {
    int[] out = new int[n];
    Arrays.fill(out, length);
    return out;
  }

  private static double run(BatchCostModel m) {
    double t = 0;
    while (!m.idle()) {
      t += m.step();
    }
    return t;
  }

  @Test
  void oneFullBatchUsesEverySlotAndCostsStepsTimesItsStepTime() {
    BatchCostModel m = new BatchCostModel(new BatchCostModel.Params(8, 0.010, 0.001, 0));
    m.submit(new BatchCostModel.Request(0, lengths(8, 100), "a"));
    double t = run(m);
    assertEquals(100, m.steps());
    assertEquals(100 * (0.010 + 8 * 0.001), t, EPS);
    assertEquals(1.0, m.busySlotSeconds() / (8 * m.now()), EPS, "a full batch is 100% utilised");
    assertEquals(800, m.tokens());
    List<BatchCostModel.Request> done = m.drainCompleted();
    assertEquals(1, done.size());
    assertEquals(t, done.get(0).done(), EPS);
  }

  @Test
  void sequencesBeyondCapacityWaitForAFreeSlot() {
    BatchCostModel m = new BatchCostModel(new BatchCostModel.Params(4, 0.010, 0, 0));
    BatchCostModel.Request first = new BatchCostModel.Request(0, lengths(4, 10), "first");
    BatchCostModel.Request second = new BatchCostModel.Request(0, lengths(4, 10), "second");
    m.submit(first);
    m.submit(second);
    m.step();
    assertEquals(4, m.running());
    assertEquals(4, m.waiting(), "four sequences queue behind a full batch");
    run(m);
    assertEquals(20, m.steps(), "two waves of ten steps");
    assertEquals(0.100, first.done(), EPS);
    assertEquals(0.200, second.done(), EPS);
    assertEquals(1.0, m.busySlotSeconds() / (4 * m.now()), EPS);
  }

  @Test
  void aHalfEmptyServerIsHalfUtilisedAndStepsGrowWithTheBatch() {
    BatchCostModel m = new BatchCostModel(new BatchCostModel.Params(8, 0.010, 0.001, 0));
    m.submit(new BatchCostModel.Request(0, lengths(4, 50), "a"));
    run(m);
    assertEquals(50 * (0.010 + 4 * 0.001), m.now(), EPS);
    assertEquals(0.5, m.busySlotSeconds() / (8 * m.now()), EPS);
  }

  @Test
  void aFinishedSequenceFreesItsSlotForTheQueueAndARequestEndsWithItsLongestSequence() {
    BatchCostModel m = new BatchCostModel(new BatchCostModel.Params(2, 0.010, 0, 0));
    BatchCostModel.Request mixed = new BatchCostModel.Request(0, new int[] {3, 10}, "mixed");
    BatchCostModel.Request waiting = new BatchCostModel.Request(0, new int[] {4}, "waiting");
    m.submit(mixed);
    m.submit(waiting);
    run(m);
    // the short sequence ends at step 3; the waiting one takes its slot at step 4 and ends at step 7
    assertEquals(0.070, waiting.done(), EPS);
    assertEquals(0.100, mixed.done(), EPS);
    assertEquals(10, m.steps());
    assertEquals(17, m.tokens());
  }

  @Test
  void prefillIsPaidOncePerRequestInTheStepThatAdmitsIt() {
    BatchCostModel m = new BatchCostModel(new BatchCostModel.Params(16, 0.010, 0, 0.0001));
    m.submit(new BatchCostModel.Request(1000, lengths(16, 1), "n16"));
    double dt = m.step();
    assertEquals(0.010 + 1000 * 0.0001, dt, EPS, "16 samples of one prompt prefill it once");
    assertTrue(m.idle());
  }

  @Test
  void theSimulatedDomainDrawsLengthsInRangeAndHarderProblemsAreSolvedLessOften() {
    for (int i = 0; i < 200; i++) {
      int gen = SimMathDomain.reply("Write a new problem <problem> Compute 3 + 4.", i, 0).tokens();
      int sol = SimMathDomain.reply("Solve: Compute 3 + 4 * 2 - 7 + 1 * 9.", i, i).tokens();
      assertTrue(gen >= 300 && gen <= 1500 && sol >= 300 && sol <= 1500, gen + " " + sol);
    }
    assertTrue(SimMathDomain.solveRate("3 + 4") > SimMathDomain.solveRate("3 + 4 * 2 - 7 + 1 * 9 + 2 - 1"));
    assertEquals(3 + 4 * 2 - 7, SimMathDomain.evaluate("3 + 4 * 2 - 7"));
  }
}
