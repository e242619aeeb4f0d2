package dev.sparq.core.store;

import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.engine.Variant;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.stage.Solver;
import dev.sparq.core.stage.StageContext;
import dev.sparq.testkit.math.ArithmeticDomain;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.function.Predicate;

/** Engine configurations on the deterministic arithmetic domain, shared by store tests. */
public final class RunFixtures {
  private RunFixtures() {}

  /** A dynamic, diverse run of {@code iterations} iterations with batch 16. */
  public static Sparq.Builder engine(long iterations) {
    return Sparq.builder()
        .generator(ArithmeticDomain.generator())
        .solver(ArithmeticDomain.solver(0.15))
        .estimator(ArithmeticDomain.estimator(8, 0.1, 0.9))
        .descriptor(ArithmeticDomain.descriptor())
        .seedProblems(ArithmeticDomain.seeds(12, new SplittableRandom(7)))
        .variant(Variant.DYNAMIC_DIVERSE)
        .nicheCapacity(3)
        .batchSize(16)
        .chunkSize(8)
        .budget(Budget.iterations(iterations))
        .randomSeed(20260101L);
  }

  /**
   * A solver like a model server that stops answering: calls whose context {@code hangs} accepts
   * never return (until interrupted, then they throw as the HTTP client does); the others are
   * {@code inner}'s. {@link #hung} gets a permit as each hanging call starts, so a test waits for
   * them without sleeping.
   */
  public static final class HangingSolver implements Solver {
    private final Solver inner;
    private final Predicate<StageContext> hangs;
    private final CountDownLatch never = new CountDownLatch(1);
    /** One permit per call that started hanging. */
    public final Semaphore hung = new Semaphore(0);
    /** The ids of the problems of every call that hung. */
    public final Set<String> hungIds = ConcurrentHashMap.newKeySet();
    /** Calls that hung and ended (by an interrupt). */
    public final java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();

    public HangingSolver(Solver inner, Predicate<StageContext> hangs) {
      this.inner = inner;
      this.hangs = hangs;
    }

    @Override
    public List<List<Rollout>> solve(List<Problem> problems, int k, StageContext context) {
      if (!hangs.test(context)) {
        return inner.solve(problems, k, context);
      }
      problems.forEach(p -> hungIds.add(p.id()));
      hung.release();
      try {
        never.await();
        throw new AssertionError("unreachable: the latch is never released");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the model", e);
      } finally {
        ended.incrementAndGet();
      }
    }
  }
}
