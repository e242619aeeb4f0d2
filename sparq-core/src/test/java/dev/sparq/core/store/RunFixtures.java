package dev.sparq.core.store;

import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.engine.Variant;
import dev.sparq.testkit.math.ArithmeticDomain;
import java.util.SplittableRandom;

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
}
