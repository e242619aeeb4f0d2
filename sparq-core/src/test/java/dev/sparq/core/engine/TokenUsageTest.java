package dev.sparq.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.llm.TokenUsage;
import dev.sparq.core.llm.UsageReporting;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.DiversityDescriptor;
import dev.sparq.core.stage.Solver;
import dev.sparq.testkit.math.ArithmeticDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Token usage reported through {@link UsageReporting} and {@link IterationEvent#tokens()}. */
class TokenUsageTest {
  /** Counters a simulated model would keep: 7 prompt tokens per problem, 5 per rollout. */
  private static final class Meter implements UsageReporting {
    final AtomicLong prompt = new AtomicLong();
    final AtomicLong completion = new AtomicLong();

    @Override
    public TokenUsage tokenUsage() {
      return new TokenUsage(prompt.get(), completion.get());
    }
  }

  private static Sparq.Builder engine(Meter meter, int threads) {
    Solver base = ArithmeticDomain.solver(0.15);
    Solver metered = (problems, k, ctx) -> {
      meter.prompt.addAndGet(7L * problems.size());
      meter.completion.addAndGet(5L * k * problems.size());
      return base.solve(problems, k, ctx);
    };
    DiversityDescriptor describe = ArithmeticDomain.descriptor();
    DiversityDescriptor meteredDescribe = (problems, ctx) -> {
      meter.prompt.addAndGet(3L * problems.size()); // a labelling call, also for the seeds
      return describe.describe(problems, ctx);
    };
    List<Problem> seeds = ArithmeticDomain.seeds(12, new SplittableRandom(7));
    return Sparq.builder().generator(ArithmeticDomain.generator()).solver(metered)
        .estimator(ArithmeticDomain.estimator(8, 0.1, 0.9)).descriptor(meteredDescribe)
        .seedProblems(seeds).variant(Variant.DYNAMIC_DIVERSE).nicheCapacity(3).batchSize(16)
        .chunkSize(4).threads(threads).budget(Budget.iterations(6)).randomSeed(5);
  }

  @Test
  void eachIterationReportsTheTokensSpentInIt() {
    for (int threads : new int[] {1, 4}) {
      Meter meter = new Meter();
      List<IterationEvent> events = new ArrayList<>();
      try (Sparq sparq = engine(meter, threads).usage(meter).listener(new SparqListener() {
        @Override
        public void onIteration(IterationEvent event) {
          events.add(event);
        }
      }).build()) {
        TokenUsage seeds = new TokenUsage(3L * 12, 0);
        assertEquals(seeds, sparq.tokenUsage(), "seed descriptions before the first iteration");
        sparq.run();
        TokenUsage sum = TokenUsage.NONE;
        long duplicatesBefore = 0;
        for (IterationEvent e : events) {
          // every evaluated child was solved with K = 8 and described once, except duplicates of
          // problems evaluated before, which reuse that evaluation
          long dups = e.totals().duplicates() - duplicatesBefore;
          duplicatesBefore = e.totals().duplicates();
          assertEquals(5L * e.rollouts(), e.tokens().completionTokens());
          assertEquals(7L * (e.candidates() - dups) + 3L * (e.evaluated() - dups),
              e.tokens().promptTokens());
          sum = sum.plus(e.tokens());
        }
        assertTrue(sum.completionTokens() > 0);
        assertEquals(seeds.plus(sum), sparq.tokenUsage());
        assertEquals(meter.tokenUsage(), sparq.tokenUsage());
      }
    }
  }

  @Test
  void withoutASourceEventsCarryNoTokens() {
    Meter meter = new Meter();
    List<IterationEvent> events = new ArrayList<>();
    try (Sparq sparq = engine(meter, 1).listener(new SparqListener() {
      @Override
      public void onIteration(IterationEvent event) {
        events.add(event);
      }
    }).build()) {
      sparq.run();
    }
    assertEquals(6, events.size());
    events.forEach(e -> assertEquals(TokenUsage.NONE, e.tokens()));
    assertTrue(meter.tokenUsage().totalTokens() > 0, "the model did work that was not reported");
  }
}
