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
  void theCeilingIsTheSameWorkInFullStepsAndEqualsAFullBatchRun() {
    BatchCostModel.Params p = new BatchCostModel.Params(4, 0.010, 0.001, 0.0001);
    // 16 decode tokens in full steps of 4: 4 steps x 10 ms, plus 16 x 1 ms per sequence-step,
    // plus 100 prompt tokens x 0.1 ms
    assertEquals(4 * 0.010 + 16 * 0.001 + 100 * 0.0001, p.ceilingSeconds(16, 100), EPS);

    BatchCostModel full = new BatchCostModel(p);
    full.submit(new BatchCostModel.Request(50, lengths(4, 10), "full"));
    double t = run(full);
    assertEquals(10 * (0.010 + 4 * 0.001) + 50 * 0.0001, t, EPS);
    assertEquals(50, full.prefillTokens());
    assertEquals(t, p.ceilingSeconds(full.tokens(), full.prefillTokens()), EPS,
        "a run that keeps every slot busy reaches the ceiling");

    BatchCostModel half = new BatchCostModel(p);
    half.submit(new BatchCostModel.Request(0, lengths(2, 10), "half"));
    double slow = run(half);
    assertEquals(10 * (0.010 + 2 * 0.001), slow, EPS);
    // 20 tokens fit in 5 full steps: 5 x 10 ms + 20 x 1 ms
    assertEquals(0.070, p.ceilingSeconds(half.tokens(), half.prefillTokens()), EPS);
    assertEquals(0.120 / 0.070, slow / p.ceilingSeconds(half.tokens(), half.prefillTokens()), EPS,
        "a half-full server is 1.71x slower than its ceiling");
  }

  @Test
  void aStepStartedBeforeARequestArrivesDoesNotAdmitItAndAnIdleServerCatchesUpWithTheClock() {
    BatchCostModel m = new BatchCostModel(new BatchCostModel.Params(4, 0.010, 0, 0));
    m.submit(new BatchCostModel.Request(0, lengths(1, 2), "first"));
    assertEquals(0.010, m.beginStep(0), EPS);
    BatchCostModel.Request late = new BatchCostModel.Request(0, lengths(1, 1), "late");
    m.submit(late);
    m.endStep();
    assertEquals(1, m.running(), "the late request waited for the next step");
    assertEquals(1, m.waiting());
    run(m);
    assertEquals(0.020, late.done(), EPS);
    // idle until 1.0 s on a shared clock: the idle time passes without busy slots
    m.submit(new BatchCostModel.Request(0, lengths(4, 1), "after"));
    assertEquals(1.010, m.beginStep(1.0), EPS);
    m.endStep();
    assertEquals(1.010, m.now(), EPS);
    assertEquals(1 * 0.010 + 2 * 0.010 + 4 * 0.010, m.busySlotSeconds(), EPS, "one, two, then four busy slots");
  }

  @Test
  void twoServersOnOneClockShareTheWallTime() throws Exception {
    try (SimClock clock = new SimClock(java.time.Duration.ofMillis(200))) {
      BatchCostModel slow = clock.add(new BatchCostModel.Params(2, 0.030, 0, 0));
      BatchCostModel fast = clock.add(new BatchCostModel.Params(2, 0.010, 0, 0));
      java.util.concurrent.CompletableFuture<Void> a = new java.util.concurrent.CompletableFuture<>();
      java.util.concurrent.CompletableFuture<Void> b = new java.util.concurrent.CompletableFuture<>();
      BatchCostModel.Request ra = new BatchCostModel.Request(0, lengths(1, 2), a);
      BatchCostModel.Request rb = new BatchCostModel.Request(0, lengths(2, 10), b);
      // both arrive at time 0: submitted under the clock's lock, so no step can start in between
      clock.read(now -> {
        clock.submit(slow, ra);
        clock.submit(fast, rb);
        return null;
      });
      a.get(30, java.util.concurrent.TimeUnit.SECONDS);
      b.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(0.060, ra.done(), EPS, "two steps of 30 ms");
      assertEquals(0.100, rb.done(), EPS, "ten steps of 10 ms, decoded beside the other server");
      assertEquals(0.100, clock.read(now -> now), EPS);
      // the slow server was busy one slot for 60 ms of 100 ms with two slots
      assertEquals(0.3, slow.busySlotSeconds() / (2 * clock.read(now -> now)), EPS);
    }
  }

  @Test
  void deploymentProfilesFollowTheirDerivation() {
    BatchCostModel.Profile llama = BatchCostModel.Profile.named("llama3-8b");
    assertEquals(BatchCostModel.Params.gpu(256), llama.params(256), "the original model stays the default");
    BatchCostModel.Profile g9 = BatchCostModel.Profile.named("gemma2-9b");
    BatchCostModel.Profile g27 = BatchCostModel.Profile.named("gemma2-27b-tp2");
    assertEquals(1, g9.gpus());
    assertEquals(2, g27.gpus());
    // weights read once per step: 18.5 GB and 27.2 GB per GPU at 3.35 TB/s, plus 2 ms (and 1.4 ms all-reduce)
    assertEquals(18.5e9 / 3.35e12 + 0.002, g9.stepBase(), 0.0001);
    assertEquals(27.2e9 / 3.35e12 + 0.002 + 0.0014, g27.stepBase(), 0.0001);
    // KV per token: 2 x layers x KV heads x head dim x 2 bytes, 600 tokens read per step
    assertEquals(2.0 * 42 * 8 * 256 * 2 * 600 / 3.35e12, g9.stepPerSequence(), 0.000001);
    // the 27B's KV heads are split over two GPUs; its all-reduces carry 4,608 x 2 bytes per sequence, 92 per step
    assertEquals(2.0 * 46 * 16 * 128 * 2 / 2 * 600 / 3.35e12 + 92 * 4608 * 2 / 450e9, g27.stepPerSequence(),
        0.000001);
    assertTrue(g27.params(256).stepBase() > g9.params(256).stepBase());
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
