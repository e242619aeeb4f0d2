package dev.sparq.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.ConfigException;
import dev.sparq.core.Outcome;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.internal.Json;
import dev.sparq.core.llm.TokenUsage;
import dev.sparq.core.llm.UsageReporting;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Problem;
import dev.sparq.testkit.math.ArithmeticDomain;
import dev.sparq.core.stage.DifficultyEstimator;
import dev.sparq.core.stage.Generator;
import dev.sparq.core.stage.StageContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 18: duplicate problem ids are not solved twice, and runs that make no progress end. */
class DuplicatesAndStallTest {

  /**
   * A generator that always turns the same parent into the same child (the random generator is
   * derived from the parent id), as a model at temperature 0 would: with a static working set most
   * children soon repeat.
   */
  private static final class SameChildGenerator implements Generator {
    final Generator inner = ArithmeticDomain.generator();

    @Override
    public List<Outcome<Problem>> generate(List<Problem> parents, StageContext ctx) {
      List<Outcome<Problem>> out = new ArrayList<>(parents.size());
      for (Problem p : parents) {
        StageContext fixed = new StageContext(new SplittableRandom(p.id().hashCode()),
            ctx.iteration(), ctx.parents());
        out.add(inner.generate(List.of(p), fixed).get(0));
      }
      return out;
    }
  }

  /** Counts how often each problem id is estimated. */
  private static final class CountingEstimator implements DifficultyEstimator {
    final DifficultyEstimator inner = ArithmeticDomain.estimator(16, 0.1, 0.9);
    final Map<String, Integer> counts = Collections.synchronizedMap(new HashMap<>());

    @Override
    public List<Outcome<dev.sparq.core.model.Evaluation>> estimate(List<Problem> problems,
        dev.sparq.core.stage.Solver solver, StageContext context) {
      problems.forEach(p -> counts.merge(p.id(), 1, Integer::sum));
      return inner.estimate(problems, solver, context);
    }
  }

  private static Sparq.Builder base(int seeds) {
    return Sparq.builder()
        .generator(new SameChildGenerator())
        .solver(ArithmeticDomain.solver(0.15))
        .estimator(ArithmeticDomain.estimator(16, 0.1, 0.9))
        .descriptor(ArithmeticDomain.descriptor())
        .seedProblems(ArithmeticDomain.seeds(seeds, new SplittableRandom(1)))
        .variant(Variant.STATIC_UNIFORM)
        .nicheCapacity(8)
        .batchSize(32)
        .chunkSize(8)
        .randomSeed(3);
  }

  @Test
  void anEvaluatedProblemIdIsNotSolvedAgain() {
    CountingEstimator estimator = new CountingEstimator();
    List<EvaluatedCandidate> logged = Collections.synchronizedList(new ArrayList<>());
    try (Sparq sparq = base(10).estimator(estimator).stallLimit(0).budget(Budget.iterations(20))
        .listener(new SparqListener() {
          @Override
          public void onCandidate(EvaluatedCandidate c) {
            logged.add(c);
          }
        }).build()) {
      RunStats t = sparq.run();
      // 10 seeds, one child each: at most 10 distinct children, each estimated exactly once
      assertTrue(estimator.counts.size() <= 10, "distinct children: " + estimator.counts.size());
      estimator.counts.forEach((id, n) -> assertEquals(1, n, id + " was estimated " + n + " times"));
      assertEquals(20 * 32, t.candidates());
      assertEquals(t.evaluated() - estimator.counts.size(), t.duplicates(), "duplicates: " + t);
      assertEquals(16L * estimator.counts.size(), t.rollouts(), "rollouts only for new ids");
      long dups = 0;
      Map<String, EvaluatedCandidate> first = new HashMap<>();
      for (EvaluatedCandidate c : logged) {
        if (c.duplicate()) {
          dups++;
          assertTrue(c.rollouts().isEmpty(), "a duplicate spends no rollouts");
          assertEquals(dev.sparq.core.model.AddStatus.NOT_ADDED, c.status());
          EvaluatedCandidate orig = first.get(c.problem().id());
          assertTrue(orig != null, "a duplicate follows its first evaluation");
          assertEquals(orig.difficulty(), c.difficulty(), "the evaluation is reused");
          assertEquals(orig.descriptor(), c.descriptor());
        } else {
          assertTrue(first.putIfAbsent(c.problem().id(), c) == null, "evaluated twice: " + c);
        }
      }
      assertEquals(t.duplicates(), dups);
      assertDistinctIds(sparq.archive().members());
    }
  }

  @Test
  void aChildEqualToASeedMemberIsRefusedByTheArchive() {
    // the generator hands back its parent unchanged: in a dynamic run the parent is an archive member
    Generator identity = (parents, ctx) -> parents.stream().map(Outcome::of).toList();
    try (Sparq sparq = base(12).generator(identity).variant(Variant.DYNAMIC_DIVERSE).stallLimit(0)
        .budget(Budget.iterations(4)).build()) {
      RunStats t = sparq.run();
      assertEquals(t.evaluated(), t.duplicates(), "every child repeats a member: " + t);
      assertEquals(0, t.added());
      assertDistinctIds(sparq.archive().members());
    }
  }

  @Test
  void resumeKeepsTheEvaluatedIds() throws Exception {
    String straight;
    try (Sparq s = base(10).stallLimit(0).budget(Budget.iterations(12)).build()) {
      s.run();
      straight = ArchiveJson.toJson((CellArchive) s.archive()) + s.totals();
    }
    EngineState state;
    String saved;
    try (Sparq s = base(10).stallLimit(0).budget(Budget.iterations(5)).build()) {
      s.run();
      // through JSON, as a checkpoint stores it
      state = Json.mapper().readValue(Json.mapper().writeValueAsString(s.state()),
          EngineState.class);
      saved = ArchiveJson.toJson((CellArchive) s.archive());
    }
    assertTrue(!state.evaluated().isEmpty());
    try (Sparq s = base(10).stallLimit(0).budget(Budget.iterations(12))
        .resume(state, ArchiveJson.fromJson(saved)).build()) {
      s.run();
      assertEquals(straight, ArchiveJson.toJson((CellArchive) s.archive()) + s.totals());
    }
  }

  /** A usage source that counts tokens for every generation call, as a paid API would bill. */
  private static final class BilledGenerator implements Generator, UsageReporting {
    final AtomicLong calls = new AtomicLong();

    @Override
    public List<Outcome<Problem>> generate(List<Problem> parents, StageContext ctx) {
      calls.addAndGet(parents.size());
      return parents.stream().map(p -> Outcome.<Problem>rejected("missing_problem_tag",
          "no <problem> tag")).toList();
    }

    @Override
    public TokenUsage tokenUsage() {
      return new TokenUsage(100 * calls.get(), 50 * calls.get());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"iterations", "candidates", "rollouts", "tokens"})
  void aRunWhoseGeneratorRejectsEverythingEndsWithAClearError(String kind) {
    BilledGenerator gen = new BilledGenerator();
    Budget budget = switch (kind) {
      case "iterations" -> Budget.iterations(1_000_000);
      case "candidates" -> Budget.candidates(Long.MAX_VALUE - 1);
      case "rollouts" -> Budget.rollouts(1_000);
      default -> Budget.tokens(1_000_000_000L);
    };
    try (Sparq sparq = base(10).generator(gen).usage(gen).budget(budget).build()) {
      StalledRunException e = assertThrows(StalledRunException.class, sparq::run);
      assertEquals(5, e.iterations());
      assertEquals(5, sparq.totals().iterations(), "the default stall limit is 5");
      assertTrue(e.getMessage().contains("generate/missing_problem_tag"), e.getMessage());
      assertTrue(e.getMessage().contains("stallLimit"), e.getMessage());
      assertEquals(5L * 32 * 150, sparq.totals().tokens(), "tokens are counted while stalled");
    }
  }

  @Test
  void stallLimitIsConfigurable() {
    BilledGenerator gen = new BilledGenerator();
    try (Sparq sparq = base(10).generator(gen).stallLimit(2).budget(Budget.rollouts(10)).build()) {
      assertThrows(StalledRunException.class, sparq::run);
      assertEquals(2, sparq.totals().iterations());
    }
    assertThrows(ConfigException.class, () -> base(10).stallLimit(-1).build());
  }

  @Test
  void aResumedRunStallsWhereAnUninterruptedOneWould() throws Exception {
    EngineState state;
    String saved;
    try (Sparq s = base(10).generator(new BilledGenerator()).budget(Budget.iterations(3)).build()) {
      s.run();
      state = Json.mapper().readValue(Json.mapper().writeValueAsString(s.state()),
          EngineState.class);
      saved = ArchiveJson.toJson((CellArchive) s.archive());
    }
    assertEquals(3, state.stalled(), "three iterations evaluated nothing");
    try (Sparq s = base(10).generator(new BilledGenerator()).budget(Budget.rollouts(1_000))
        .resume(state, ArchiveJson.fromJson(saved)).build()) {
      StalledRunException e = assertThrows(StalledRunException.class, s::run);
      assertEquals(5, e.iterations());
      assertEquals(5, s.totals().iterations(), "stalls at iteration 5, as without the restart");
    }
    // a state saved before the counter was kept reads as 0
    com.fasterxml.jackson.databind.node.ObjectNode old = Json.mapper().valueToTree(state);
    old.remove("stalled");
    assertEquals(0, Json.mapper().treeToValue(old, EngineState.class).stalled());
  }

  @Test
  void aTokenBudgetStopsTheRunAndNeedsAUsageSource() {
    assertThrows(ConfigException.class, () -> base(10).budget(Budget.tokens(10)).build());
    AtomicLong generated = new AtomicLong();
    Generator inner = new SameChildGenerator();
    Generator counting = (parents, ctx) -> {
      generated.addAndGet(parents.size());
      return inner.generate(parents, ctx);
    };
    UsageReporting usage = () -> new TokenUsage(7 * generated.get(), 3 * generated.get());
    try (Sparq sparq = base(10).generator(counting).usage(usage).stallLimit(0)
        .budget(Budget.tokens(1_000)).build()) {
      RunStats t = sparq.run();
      // 32 children a batch at 10 tokens each: 320 per iteration, so the fourth reaches 1,000
      assertEquals(4, t.iterations());
      assertEquals(1_280, t.tokens());
    }
  }

  private static void assertDistinctIds(List<Elite> members) {
    Set<String> ids = new HashSet<>();
    for (Elite e : members) {
      assertTrue(ids.add(e.id()), "two archive members with problem id " + e.id());
    }
  }
}
