package dev.sparq.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.ConfigException;
import dev.sparq.core.Outcome;
import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Problem;
import dev.sparq.testkit.math.ArithmeticDomain;
import dev.sparq.core.stage.DifficultyEstimator;
import dev.sparq.core.stage.DiversityDescriptor;
import dev.sparq.core.stage.Generator;
import dev.sparq.core.stage.StageContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: the asynchronous (steady-state) mode on the deterministic arithmetic domain. Stage
 * calls sleep a little, by an amount fixed by the problem, so that candidates finish out of order
 * and several are in flight at once.
 */
class SteadyStateTest {

  /** Sleeps 0 to 2 ms depending on the text, so finishing order differs from starting order. */
  static void jitter(String key) {
    try {
      Thread.sleep(Math.floorMod(key.hashCode(), 3));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static Generator slowGenerator(Generator inner) {
    return (parents, ctx) -> {
      jitter(parents.get(0).id() + ctx.random().nextInt());
      return inner.generate(parents, ctx);
    };
  }

  /** Counts how often each problem id is estimated (concurrently). */
  static final class CountingEstimator implements DifficultyEstimator {
    final DifficultyEstimator inner = ArithmeticDomain.estimator(8, 0.1, 0.9);
    final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    @Override
    public List<Outcome<dev.sparq.core.model.Evaluation>> estimate(List<Problem> problems,
        dev.sparq.core.stage.Solver solver, StageContext ctx) {
      for (Problem p : problems) {
        counts.computeIfAbsent(p.id(), k -> new AtomicInteger()).incrementAndGet();
        jitter(p.id());
      }
      return inner.estimate(problems, solver, ctx);
    }
  }

  static Sparq.Builder base(int iterations) {
    // the store tests' run, with a generator slow enough that candidates overlap in flight (async
    // mode runs candidates one by one, so the fixture's chunk size plays no part)
    return dev.sparq.core.store.RunFixtures.engine(iterations)
        .generator(slowGenerator(ArithmeticDomain.generator()))
        .randomSeed(99)
        .mode(Mode.ASYNC)
        .inFlight(8);
  }

  /**
   * The archive a fresh engine ends with when offered the logged candidates one by one, in log
   * order (duplicates are never offered): in async mode that is the order of insertion.
   */
  static String replay(Sparq.Builder config, List<EvaluatedCandidate> log) {
    try (Sparq fresh = config.copy().mode(Mode.SYNC).build()) {
      Archive a = fresh.archive();
      for (EvaluatedCandidate c : log) {
        if (!c.duplicate()) {
          a.add(c.toElite());
        }
      }
      return ArchiveJson.toJson((CellArchive) a);
    }
  }

  /** The problem ids of the seeds this class runs with: {@link #base}'s ({@code RunFixtures.engine}'s) and its own. */
  static final Set<String> SEED_IDS = new HashSet<>();

  static {
    ArithmeticDomain.seeds(12, new SplittableRandom(7)).forEach(p -> SEED_IDS.add(p.id()));
    ArithmeticDomain.seeds(3, new SplittableRandom(3)).forEach(p -> SEED_IDS.add(p.id()));
  }

  /**
   * Every evaluated problem id is logged once (repeats only as duplicates, with no rollouts) and
   * never solved twice. The one duplicate that is solved is a child equal to a seed: seeds are
   * described, never evaluated, so there is no evaluation to reuse and the archive refuses it after
   * its rollouts (see {@link Sparq}'s "Duplicates").
   */
  static void assertLoggedOnce(List<EvaluatedCandidate> log) {
    assertLoggedOnce(log, SEED_IDS);
  }

  /** {@link #assertLoggedOnce(List)} for a run whose seeds have the ids {@code seedIds}. */
  static void assertLoggedOnce(List<EvaluatedCandidate> log, Set<String> seedIds) {
    Set<String> ids = new HashSet<>();
    for (EvaluatedCandidate c : log) {
      if (!c.duplicate()) {
        assertTrue(ids.add(c.problem().id()), "problem " + c.problem().id() + " evaluated twice");
      } else if (!c.rollouts().isEmpty()) {
        assertTrue(seedIds.contains(c.problem().id()), "a duplicate of " + c.problem().id()
            + " (" + c.problem().statement() + ") that is no seed was solved: " + c);
        assertTrue(ids.add(c.problem().id()), "seed copy " + c.problem().id() + " solved twice");
      }
    }
  }

  @Test
  void everyCandidateIsLoggedOnceAndTheArchiveIsTheReplayOfTheLog() {
    Sparq.Builder config = base(30);
    try (Sparq sparq = config.build()) {
      assertEquals(Mode.ASYNC, sparq.mode());
      assertEquals(8, sparq.inFlight());
      RunStats t = sparq.run();
      assertEquals(30, t.iterations());
      assertEquals(30 * 16, t.candidates(), "the iteration budget allows exactly 30 batches of parents");
      List<EvaluatedCandidate> log = sparq.candidates();
      assertEquals(t.evaluated(), log.size());
      assertLoggedOnce(log);
      long rollouts = log.stream().mapToLong(c -> c.rollouts().size()).sum();
      assertEquals(t.rollouts(), rollouts, "every rollout of an offered candidate is logged");
      long added = log.stream().filter(c -> c.status().accepted()).count();
      assertTrue(t.added() <= added && t.added() > 0);
      // iterations in the log are 0..29, each at most one batch of parents
      Map<Long, Integer> perIteration = new HashMap<>();
      log.forEach(c -> perIteration.merge(c.iteration(), 1, Integer::sum));
      perIteration.forEach((it, n) -> assertTrue(it >= 0 && it < 30 && n <= 16, it + ": " + n));
      // archive invariants: distinct ids, each cell within capacity, equal to the replay of the log
      Set<String> ids = new HashSet<>();
      for (Elite e : sparq.archive().members()) {
        assertTrue(ids.add(e.id()), "two archive members with id " + e.id());
      }
      for (int cell : sparq.archive().occupiedCells()) {
        assertTrue(sparq.archive().cell(cell).size() <= 3);
      }
      assertEquals(replay(config, log), ArchiveJson.toJson((CellArchive) sparq.archive()));
    }
  }

  @Test
  void anArchiveAwareEstimatorDescribesFirstAndKeepsTheInvariants() {
    Sparq.Builder config = base(20).estimator(
        dev.sparq.core.difficulty.AdaptiveEstimator.builder().archiveAware(true).build());
    try (Sparq sparq = config.build()) {
      RunStats t = sparq.run();
      assertEquals(20, t.iterations());
      List<EvaluatedCandidate> log = sparq.candidates();
      assertEquals(t.evaluated(), log.size());
      assertLoggedOnce(log);
      assertTrue(t.added() > 0);
      assertEquals(replay(config, log), ArchiveJson.toJson((CellArchive) sparq.archive()));
    }
  }

  @Test
  void syncModeIsUnchangedByTheNewSettings() {
    // the default mode ignores inFlight: same archive as a plain synchronous run
    try (Sparq a = base(6).mode(Mode.SYNC).inFlight(3).build();
        Sparq b = base(6).mode(Mode.SYNC).build()) {
      a.run();
      b.run();
      assertEquals(ArchiveJson.toJson((CellArchive) b.archive()), ArchiveJson.toJson((CellArchive) a.archive()));
    }
    assertThrows(ConfigException.class, () -> base(1).inFlight(0).build());
    // one engine thread per candidate in flight: a number no machine can start is refused up front
    ConfigException tooMany = assertThrows(ConfigException.class,
        () -> base(1).inFlight(Sparq.MAX_IN_FLIGHT + 1).build());
    assertTrue(tooMany.getMessage().contains("between 1 and " + Sparq.MAX_IN_FLIGHT), tooMany.getMessage());
    base(1).inFlight(Sparq.MAX_IN_FLIGHT).build().close();
  }

  @Test
  void anIdInFlightOrEvaluatedBeforeIsNeverSolvedAgain() {
    CountingEstimator counting = new CountingEstimator();
    // a static working set of 3 seeds and a generator fixed by the parent: children repeat a lot,
    // often while the first copy is still being solved
    Generator sameChild = (parents, ctx) -> {
      List<Outcome<Problem>> out = new ArrayList<>();
      for (Problem p : parents) {
        StageContext fixed = new StageContext(new SplittableRandom(p.id().hashCode()), ctx.iteration(),
            ctx.parents());
        out.add(ArithmeticDomain.generator().generate(List.of(p), fixed).get(0));
      }
      return out;
    };
    try (Sparq sparq = base(10).variant(Variant.STATIC_UNIFORM)
        .seedProblems(ArithmeticDomain.seeds(3, new SplittableRandom(3)))
        .generator(slowGenerator(sameChild)).estimator(counting).stallLimit(0).inFlight(12).build()) {
      RunStats t = sparq.run();
      counting.counts.forEach((id, n) -> assertEquals(1, n.get(), "problem " + id + " solved " + n + " times"));
      List<EvaluatedCandidate> log = sparq.candidates();
      assertLoggedOnce(log);
      assertTrue(t.duplicates() > 50, "most children repeat: " + t.duplicates());
      assertEquals(t.evaluated(), log.size());
      long solved = log.stream().filter(c -> !c.rollouts().isEmpty()).count();
      assertEquals(counting.counts.size(), solved, "each solved id is logged with its rollouts once");
    }
  }

  @Test
  void stopAndUntilEndTheRunAfterTheWorkInFlight() {
    AtomicInteger generations = new AtomicInteger();
    Generator inner = slowGenerator(ArithmeticDomain.generator());
    Generator counting = (parents, ctx) -> {
      generations.addAndGet(parents.size());
      return inner.generate(parents, ctx);
    };
    Sparq[] holder = new Sparq[1];
    try (Sparq sparq = base(1_000).generator(counting).onIteration(e -> {
      if (e.iteration() == 2) {
        holder[0].stop();
      }
    }).build()) {
      holder[0] = sparq;
      RunStats t = sparq.run();
      assertTrue(sparq.stopRequested());
      assertTrue(t.iterations() >= 3 && t.iterations() <= 5, "stopped soon after: " + t.iterations());
      assertEquals(t.evaluated(), sparq.candidates().size());
      assertEquals(generations.get(), t.candidates(), "the work in flight at the stop is finished, not dropped");
      assertLoggedOnce(sparq.candidates());
    }
    try (Sparq sparq = base(1_000).build()) {
      RunStats t = sparq.run(s -> s.added() >= 20);
      assertTrue(t.added() >= 20 && t.iterations() < 1_000);
      assertLoggedOnce(sparq.candidates());
    }
  }

  @Test
  void aRolloutBudgetOvershootsByAtMostTheWorkInFlight() {
    try (Sparq sparq = base(1_000).budget(Budget.rollouts(2_000)).build()) {
      RunStats t = sparq.run();
      assertTrue(t.rollouts() >= 2_000, "reached: " + t.rollouts());
      // no new candidate starts once the rollouts so far plus the expected rollouts of those in
      // flight reach the budget; at most the 8 in flight (8 rollouts each) finish beyond it
      assertTrue(t.rollouts() <= 2_000 + 8 * 8, "overshoot: " + t.rollouts());
      assertEquals(t.evaluated(), sparq.candidates().size());
    }
  }

  @Test
  void aTokenBudgetOvershootsByAtMostTheWorkInFlight() {
    // 100 tokens per generation (every candidate has exactly one), reported at once as a server's
    // usage would be: the budget of 10,000 is 100 candidates. Checked only at commits, a group of 16
    // finished at 96 candidates (9,600) and the next at 112, so the run used at least 11,200.
    java.util.concurrent.atomic.AtomicLong used = new java.util.concurrent.atomic.AtomicLong();
    Generator inner = ArithmeticDomain.generator();
    Generator billed = (parents, ctx) -> {
      used.addAndGet(100L * parents.size());
      return inner.generate(parents, ctx);
    };
    dev.sparq.core.llm.UsageReporting usage = () -> new dev.sparq.core.llm.TokenUsage(used.get(), 0);
    try (Sparq sparq = base(1_000).generator(billed).usage(usage).inFlight(2)
        .budget(Budget.tokens(10_000)).build()) {
      RunStats t = sparq.run();
      assertTrue(t.tokens() >= 10_000, "reached: " + t.tokens());
      assertEquals(used.get(), t.tokens(), "every token reported is counted");
      // no candidate starts once the tokens so far plus the expected tokens of those in flight reach
      // the budget: at most the 2 in flight (and the one that crossed it) finish beyond it
      assertTrue(t.tokens() <= 10_000 + 3 * 100, "overshoot: " + t.tokens());
      assertEquals(t.evaluated(), sparq.candidates().size());
    }
  }

  @Test
  void aFinishedStageIsHandledBeforeMoreCandidatesStart() {
    // The first child is rejected by the generator. The second launch's parent draw (on the owner
    // thread) waits until that generation's result is in the owner's queue: its worker returned
    // from the generator and went back to wait for work, which it does only after posting. The
    // rejection must then be handled before a third candidate starts, not after every candidate the
    // budget allows (32) was started.
    var firstWorker = new java.util.concurrent.atomic.AtomicReference<Thread>();
    var firstReturned = new java.util.concurrent.atomic.AtomicBoolean();
    Generator inner = ArithmeticDomain.generator();
    AtomicInteger generations = new AtomicInteger();
    Generator firstRejected = (parents, ctx) -> {
      if (generations.incrementAndGet() == 1) {
        firstWorker.set(Thread.currentThread());
        firstReturned.set(true);
        return List.of(Outcome.rejected("missing_problem_tag", ""));
      }
      return inner.generate(parents, ctx);
    };
    AtomicInteger draws = new AtomicInteger();
    ParentSelector uniform = ParentSelector.uniform();
    ParentSelector waiting = (pool, random) -> {
      if (draws.incrementAndGet() == 1 + SteadyState.MATES + 1) {
        // the second launch: wait (no clock) until the first result was posted
        while (!firstReturned.get() || firstWorker.get().getState() != Thread.State.WAITING) {
          Thread.onSpinWait();
        }
      }
      return uniform.select(pool, random);
    };
    AtomicInteger drawsAtRejection = new AtomicInteger(-1);
    try (Sparq sparq = base(2).generator(firstRejected).selector(waiting).inFlight(50)
        .listener(new SparqListener() {
          @Override
          public void onRejection(RejectionEvent e) {
            drawsAtRejection.compareAndSet(-1, draws.get());
          }
        }).build()) {
      sparq.run();
      // after the first launch, or after the second at the latest (its draw waited for the result)
      int draws1 = 1 + SteadyState.MATES;
      assertTrue(drawsAtRejection.get() == draws1 || drawsAtRejection.get() == 2 * draws1,
          "draws (1 parent and " + SteadyState.MATES + " mates per launch) when the first result was handled: "
              + drawsAtRejection.get());
    }
  }

  @Test
  void aRunThatEvaluatesNothingStalls() {
    Generator broken = (parents, ctx) -> parents.stream()
        .map(p -> Outcome.<Problem>rejected("missing_problem_tag", "")).toList();
    try (Sparq sparq = base(1_000).generator(slowGenerator(broken)).stallLimit(3).build()) {
      StalledRunException e = assertThrows(StalledRunException.class, sparq::run);
      assertEquals(3, e.iterations());
      assertEquals(3, sparq.totals().iterations());
      assertTrue(e.getMessage().contains("generate/missing_problem_tag"), e.getMessage());
    }
  }

  @Test
  void rejectionsThatFinishFirstDoNotStallARunWhoseChildrenAreStillBeingSolved() {
    // Every other child is rejected by the generator, so it finishes at once; the good ones are
    // solved only after two whole groups of rejections were committed (a latch opened by the
    // listener, no timing), as happens with many candidates in flight against a slow solver. The
    // run evaluates new problems all along, so it must not stall with stallLimit 2.
    java.util.concurrent.CountDownLatch twoGroups = new java.util.concurrent.CountDownLatch(2);
    Generator good = ArithmeticDomain.generator();
    AtomicInteger calls = new AtomicInteger();
    Generator halfRejected = (parents, ctx) -> calls.incrementAndGet() % 2 == 0
        ? parents.stream().map(p -> Outcome.<Problem>rejected("missing_problem_tag", "")).toList()
        : good.generate(parents, ctx);
    DifficultyEstimator inner = ArithmeticDomain.estimator(8, 0.1, 0.9);
    DifficultyEstimator afterTwoGroups = (problems, solver, ctx) -> {
      try {
        twoGroups.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return inner.estimate(problems, solver, ctx);
    };
    try (Sparq sparq = base(6).generator(halfRejected).estimator(afterTwoGroups).inFlight(64)
        .stallLimit(2)
        .listener(new SparqListener() {
          @Override
          public void onIteration(IterationEvent e) {
            twoGroups.countDown();
          }
        }).build()) {
      RunStats t = sparq.run();
      assertEquals(6 * 16, t.candidates());
      assertTrue(t.evaluated() > 0);
      assertEquals(t.evaluated(), sparq.candidates().size());
      assertLoggedOnce(sparq.candidates());
    }
  }

  @Test
  void childrenThatAreAllRejectedAfterTheStallLimitStillStallTheRun() {
    // the stall guard waits for the children being evaluated, and stops starting new ones meanwhile:
    // when those are rejected too, the run stalls instead of spinning
    DifficultyEstimator rejectsAll = (problems, solver, ctx) -> problems.stream()
        .map(p -> Outcome.<dev.sparq.core.model.Evaluation>rejected("no_answer", "")).toList();
    try (Sparq sparq = base(1_000).estimator(rejectsAll).inFlight(64).stallLimit(2).build()) {
      assertThrows(StalledRunException.class, sparq::run);
      assertTrue(sparq.totals().candidates() <= 2 * 16 + 64, "stopped within the work in flight: "
          + sparq.totals().candidates());
      assertEquals(0, sparq.totals().evaluated());
    }
  }

  @Test
  void aFailingStageFailsTheRun() {
    DiversityDescriptor inner = ArithmeticDomain.descriptor();
    AtomicInteger calls = new AtomicInteger();
    DiversityDescriptor failing = (problems, ctx) -> {
      if (calls.incrementAndGet() > 40) {
        throw new IllegalStateException("server gone");
      }
      return inner.describe(problems, ctx);
    };
    try (Sparq sparq = base(1_000).descriptor(failing).build()) {
      IllegalStateException e = assertThrows(IllegalStateException.class, sparq::run);
      assertEquals("server gone", e.getMessage());
      assertFalse(sparq.candidates().isEmpty());
      assertLoggedOnce(sparq.candidates());
    }
  }
}
