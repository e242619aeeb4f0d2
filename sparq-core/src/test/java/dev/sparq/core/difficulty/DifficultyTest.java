package dev.sparq.core.difficulty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.ConfigException;
import dev.sparq.core.Outcome;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Evaluation;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.model.Validity;
import dev.sparq.core.stage.Solver;
import dev.sparq.core.stage.StageContext;
import dev.sparq.core.solve.LlmSolver;
import dev.sparq.testkit.math.ArithmeticModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DifficultyTest {
  /** A solver that answers each problem with a fixed list of answers, cycling. */
  private static Solver scripted(Map<String, List<String>> answers) {
    return (problems, k, ctx) -> {
      List<List<Rollout>> out = new ArrayList<>();
      for (Problem p : problems) {
        List<String> a = answers.get(p.statement());
        List<Rollout> rs = new ArrayList<>();
        for (int j = 0; j < k; j++) {
          String ans = a.get(j % a.size());
          rs.add(Rollout.of("\\boxed{" + ans + "}", ans, ans.equals(p.answer())));
        }
        out.add(rs);
      }
      return out;
    };
  }

  private static StageContext ctx() {
    return StageContext.of(new SplittableRandom(3));
  }

  @Test
  void aSolverBreakingItsContractFailsNamingTheProblemInsteadOfMiscounting() {
    List<Problem> problems = List.of(Problem.of("1 + 1", "", "2"), Problem.of("2 + 2", "", "4"));
    Solver oneShort = (ps, k, ctx) -> {
      List<List<Rollout>> out = scripted(Map.of("1 + 1", List.of("2"), "2 + 2", List.of("4")))
          .solve(ps, k, ctx);
      out.set(1, out.get(1).subList(0, k - 1));
      return out;
    };
    Solver nothing = (ps, k, ctx) -> null;
    Solver nullRollout = (ps, k, ctx) -> {
      List<List<Rollout>> out = new ArrayList<>();
      for (Problem p : ps) {
        List<Rollout> rs = new ArrayList<>();
        for (int j = 0; j < k; j++) {
          rs.add(j == 2 ? null : Rollout.of("x", "x", false));
        }
        out.add(rs);
      }
      return out;
    };
    for (var estimator : List.of(FixedKEstimator.paper(),
        AdaptiveEstimator.builder().build())) {
      String short1 = assertThrows(dev.sparq.core.SparqException.class,
          () -> estimator.estimate(problems, oneShort, ctx())).getMessage();
      assertTrue(short1.contains("for problem 1 (id " + problems.get(1).id() + ")")
          && short1.contains("rollouts for"), short1);
      String none = assertThrows(dev.sparq.core.SparqException.class,
          () -> estimator.estimate(problems, nothing, ctx())).getMessage();
      assertTrue(none.contains("returned null for 2 problems"), none);
      String hole = assertThrows(dev.sparq.core.SparqException.class,
          () -> estimator.estimate(problems, nullRollout, ctx())).getMessage();
      assertTrue(hole.contains("null rollout (2 of"), hole);
    }
  }

  @Test
  void bandQualityFollowsThePaper() {
    SolveRateBand b = SolveRateBand.PAPER;
    assertEquals(0.0, b.quality(0, 16));
    assertEquals(0.0, b.quality(1, 16), "1/16 = 0.0625 is below 0.1");
    assertEquals(1 - 2 / 16.0, b.quality(2, 16), 1e-12);
    assertEquals(1 - 14 / 16.0, b.quality(14, 16), 1e-12);
    assertEquals(0.0, b.quality(15, 16));
    assertEquals(0.0, b.quality(16, 16));
    assertEquals(0.9, b.quality(1, 10), 1e-12, "ends are inside the band");
    assertEquals(2, b.minCorrect(16));
    assertEquals(14, b.maxCorrect(16));
    assertThrows(ConfigException.class, () -> new SolveRateBand(0.9, 0.1));
  }

  @Test
  void fixedKCountsCorrectRolloutsInOneSolverCall() {
    int[] calls = {0};
    Solver s = scripted(Map.of("half", List.of("1", "2"), "all", List.of("7"), "none", List.of("3")));
    Solver counting = (p, k, c) -> {
      calls[0]++;
      return s.solve(p, k, c);
    };
    List<Problem> ps = List.of(Problem.of("half", "", "1"), Problem.of("all", "", "7"),
        Problem.of("none", "", "4"));
    List<Outcome<Evaluation>> out = FixedKEstimator.paper().estimate(ps, counting, ctx());
    assertEquals(1, calls[0]);
    Difficulty half = out.get(0).value().difficulty();
    assertEquals(8, half.correct());
    assertEquals(16, half.rollouts());
    assertEquals(0.5, half.quality(), 1e-12);
    assertEquals(0.0, out.get(1).value().difficulty().quality());
    assertEquals(16, out.get(1).value().difficulty().correct());
    assertEquals(0.0, out.get(2).value().difficulty().quality());
  }

  @Test
  void guardFlagsAClearMajorityForAnotherAnswer() {
    ValidityGuard guard = ValidityGuard.flagging();
    Problem p = Problem.of("q", "", "5");
    List<Rollout> majority = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      majority.add(Rollout.of("", i % 2 == 0 ? "6" : "6.0", false)); // equivalent spellings pool
    }
    for (int i = 0; i < 7; i++) {
      majority.add(Rollout.of("", "5", true));
    }
    assertEquals(Validity.DISPUTED, guard.assess(p, majority));
    assertEquals("6", guard.competingAnswer(p, majority).orElseThrow());

    List<Rollout> split = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      split.add(Rollout.of("", String.valueOf(i % 4 + 6), false)); // four answers, 4 votes each
    }
    assertEquals(Validity.VALID, guard.assess(p, split), "no clear majority");
    List<Rollout> eight = new ArrayList<>(majority.subList(0, 8));
    eight.addAll(majority.subList(9, 16));
    eight.add(Rollout.of("", null, false));
    assertEquals(Validity.VALID, guard.assess(p, eight), "8 of 16 is not more than half");
  }

  @Test
  void guardPoliciesKeepDropOrResolve() {
    Solver s = scripted(Map.of("wrong", List.of("6"), "fine", List.of("1", "2")));
    List<Problem> ps = List.of(Problem.of("wrong", "", "5"), Problem.of("fine", "", "1"));

    ValidityGuard keep = ValidityGuard.flagging();
    List<Outcome<Evaluation>> kept = new FixedKEstimator(16, SolveRateBand.PAPER, keep).estimate(ps, s, ctx());
    assertEquals(Validity.DISPUTED, kept.get(0).value().difficulty().validity());
    assertEquals(Validity.VALID, kept.get(1).value().difficulty().validity());
    assertEquals(1, keep.stats().disputed());

    ValidityGuard drop = ValidityGuard.builder().policy(ValidityGuard.Policy.DROP).build();
    List<Outcome<Evaluation>> dropped = new FixedKEstimator(16, SolveRateBand.PAPER, drop).estimate(ps, s, ctx());
    assertEquals(ValidityGuard.DISPUTED, dropped.get(0).rejection().reason());
    assertTrue(dropped.get(1).isPresent());
    assertEquals(new ValidityGuard.Stats(2, 1, 1, 0), drop.stats());

    List<List<Problem>> asked = new ArrayList<>();
    ValidityGuard yes = ValidityGuard.builder().policy(ValidityGuard.Policy.RESOLVE)
        .resolver((problems, c) -> {
          asked.add(problems);
          return problems.stream().map(q -> true).toList();
        }).build();
    List<Outcome<Evaluation>> resolved = new FixedKEstimator(16, SolveRateBand.PAPER, yes).estimate(ps, s, ctx());
    assertEquals(List.of(List.of(ps.get(0))), asked, "only disputed problems are re-solved");
    assertEquals(Validity.VALID, resolved.get(0).value().difficulty().validity());
    assertEquals(1, yes.stats().confirmed());

    ValidityGuard no = ValidityGuard.builder().policy(ValidityGuard.Policy.RESOLVE)
        .resolver((problems, c) -> problems.stream().map(q -> false).toList()).build();
    assertEquals(ValidityGuard.UNCONFIRMED,
        new FixedKEstimator(16, SolveRateBand.PAPER, no).estimate(ps, s, ctx()).get(0).rejection().reason());
    assertThrows(ConfigException.class,
        () -> ValidityGuard.builder().policy(ValidityGuard.Policy.RESOLVE).build());
  }

  @Test
  void modelResolverReSolvesWithTheGeneratorModel() {
    ArithmeticModel model = new ArithmeticModel(0.0, 0, 0);
    ModelAnswerResolver r = new ModelAnswerResolver(model,
        dev.sparq.core.llm.SamplingParams.defaults(), 3);
    List<Boolean> ok = r.confirm(List.of(Problem.of("Compute 2 + 3.", "", "5"),
        Problem.of("Compute 2 * 3.", "", "7")), ctx());
    assertEquals(List.of(true, false), ok);
    assertEquals(1, model.calls());
  }

  @Test
  void modelResolverReadsTheAnswerAfterTheThinking() {
    dev.sparq.core.llm.LanguageModel model = (requests, params) -> List.of(List.of(
        dev.sparq.core.llm.Completion.of("<think>\\boxed{5}? no</think>\\boxed{6}"),
        dev.sparq.core.llm.Completion.of("<think>surely \\boxed{5}"),
        dev.sparq.core.llm.Completion.of("\\boxed{5}")));
    ModelAnswerResolver r = new ModelAnswerResolver(model, dev.sparq.core.llm.SamplingParams.defaults(), 3);
    assertEquals(List.of(false), r.confirm(List.of(Problem.of("q", "", "5")), ctx()),
        "one of three agrees: the boxes inside the thinking do not vote");
  }

  @Test
  void fixedKWithTheScriptedModelSeparatesEasyAndHardProblems() {
    ArithmeticModel model = new ArithmeticModel(0.3, 0, 0);
    LlmSolver solver = LlmSolver.builder(model).build();
    List<Problem> ps = List.of(Problem.of("Compute 5.", "", "5"),
        Problem.of("Compute 3 + 4 * 2 - 1 + 6 * 2 - 3.", "", "17"));
    List<Outcome<Evaluation>> out = FixedKEstimator.paper().estimate(ps, solver, ctx());
    assertEquals(1, model.calls(), "all problems and all 16 rollouts in one call");
    assertEquals(16, out.get(0).value().difficulty().correct(), "no operation, no slip");
    int hard = out.get(1).value().difficulty().correct();
    assertTrue(hard < 10, "six operations at 30% slip each are mostly wrong, got " + hard);
  }

  @Test
  void adaptiveStopsEarlyOnConstantProblemsAndLearnsAPrior() {
    Solver s = scripted(Map.of("always", List.of("1"), "never", List.of("2"),
        "half", List.of("1", "2")));
    AdaptiveEstimator est = AdaptiveEstimator.builder().build();
    List<Problem> ps = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ps.add(Problem.of("always", "", "1"));
      ps.add(Problem.of("never", "", "1"));
    }
    ps.add(Problem.of("half", "", "1"));
    for (long it = 0; it < 20; it++) {
      est.estimate(ps, s, new StageContext(new SplittableRandom(it), it, dev.sparq.core.stage.ParentSource.empty()));
    }
    List<Outcome<Evaluation>> last = est.estimate(ps, s,
        new StageContext(new SplittableRandom(99), 20, dev.sparq.core.stage.ParentSource.empty()));
    Difficulty always = last.get(0).value().difficulty();
    Difficulty never = last.get(1).value().difficulty();
    Difficulty half = last.get(10).value().difficulty();
    assertTrue(always.rollouts() < 16 && never.rollouts() < 16, always + " " + never);
    assertEquals(0.0, always.quality());
    assertEquals(0.0, never.quality());
    assertTrue(half.quality() > 0, "half is in the band: " + half);
    // settled early: the posterior mean of 1 - p over the in-band solve rates, 0.5 up to the
    // prior's small asymmetry between the always- and never-solved problems it learned from
    assertEquals(0.5, half.quality(), 1e-6);
    assertTrue(est.meanRollouts() < 16);
    double[] prior = SolveRatePrior.fromState(est.priorState()).probabilities();
    assertTrue(prior[0] > 0.35 && prior[prior.length - 1] > 0.35,
        "learned mass at 0 and 1: " + prior[0] + ", " + prior[prior.length - 1]);
  }

  @Test
  void anInBandProblemSettledEarlyGetsThePosteriorMeanQuality() {
    // problems at solve rates 0.2 to 0.8 settle in the band after a few rollouts; 1 - c/n of those
    // few is noisy, the posterior mean of 1 - p under the learned prior is closer to the truth
    SplittableRandom r = new SplittableRandom(3);
    AdaptiveEstimator est = AdaptiveEstimator.builder().build();
    double posteriorError = 0;
    double countError = 0;
    int early = 0;
    for (long it = 0; it < 30; it++) {
      DrawnBatch drawn = DrawnBatch.uniform(r, "problem " + it + "-", 64, 0.2, 0.8, 16);
      List<Problem> ps = drawn.problems();
      Solver s = drawn.solver();
      List<Outcome<Evaluation>> got = est.estimate(ps, s,
          new StageContext(new SplittableRandom(it), it, dev.sparq.core.stage.ParentSource.empty()));
      for (int i = 0; i < ps.size(); i++) {
        Difficulty d = got.get(i).value().difficulty();
        if (it >= 5 && d.rollouts() < 16 && d.quality() > 0) {
          double q = drawn.trueQuality(i);
          double fromCount = 1 - Math.min(0.9, Math.max(0.1, (double) d.correct() / d.rollouts()));
          posteriorError += Math.abs(d.quality() - q);
          countError += Math.abs(fromCount - q);
          early++;
        }
      }
    }
    assertTrue(early > 500, "problems settled early in the band: " + early);
    assertTrue(posteriorError < 0.9 * countError, String.format(java.util.Locale.ROOT,
        "mean error %.4f against %.4f from the count", posteriorError / early, countError / early));
  }

  @Test
  void adaptivePriorIsDeterministicAndRestorable() {
    Solver s = scripted(Map.of("a", List.of("1", "2", "2"), "b", List.of("2")));
    List<Problem> ps = List.of(Problem.of("a", "", "1"), Problem.of("b", "", "1"));
    AdaptiveEstimator one = AdaptiveEstimator.builder().build();
    AdaptiveEstimator two = AdaptiveEstimator.builder().build();
    for (long it = 0; it < 5; it++) {
      StageContext c = new StageContext(new SplittableRandom(it), it, dev.sparq.core.stage.ParentSource.empty());
      one.estimate(ps, s, c);
      two.estimate(List.of(ps.get(1)), s, c); // other order of chunks within the iteration
      two.estimate(List.of(ps.get(0)), s, c);
    }
    StageContext next = new StageContext(new SplittableRandom(9), 5, dev.sparq.core.stage.ParentSource.empty());
    one.estimate(List.of(), s, next);
    two.estimate(ps, s, next);
    one.estimate(ps, s, next);
    assertEquals(one.priorState(), two.priorState(), "same observations, same prior");
    AdaptiveEstimator restored = AdaptiveEstimator.builder().prior(one.priorState()).build();
    assertEquals(one.priorState(), restored.priorState());
    assertFalse(one.priorState().observations() == 0);
  }

  @Test
  void priorStateSurvivesAJsonRoundTrip() throws Exception {
    SolveRatePrior prior = SolveRatePrior.initial(16, 0.3, 0.3, 20);
    prior.observe(0, 8);
    prior.observe(3, 8);
    prior.observe(8, 8);
    String json = dev.sparq.core.internal.Json.mapper().writeValueAsString(prior.state());
    SolveRatePrior.State back = dev.sparq.core.internal.Json.mapper().readValue(json, SolveRatePrior.State.class);
    assertEquals(prior.state(), back);
    assertEquals(java.util.Arrays.toString(prior.probabilities()),
        java.util.Arrays.toString(SolveRatePrior.fromState(back).probabilities()));
  }
}
