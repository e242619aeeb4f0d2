package dev.sparq.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.Outcome;
import dev.sparq.core.math.Rational;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Lineage;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.stage.StageContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DemoDomainTest {

  @Test
  void rationalsAreExactAndParseEveryForm() {
    assertEquals(Rational.of(3, 4), Rational.parse("6/8"));
    assertEquals(Rational.of(-3, 4), Rational.parse("-\\frac{3}{4}"));
    assertEquals(Rational.of(3, 4), Rational.parse("\\dfrac{3}{4}"));
    assertEquals(Rational.of(-7), Rational.parse("-7"));
    assertEquals("1/3", Rational.of(1, 6).add(Rational.of(1, 6)).toString());
    assertEquals("-\\frac{5}{2}", Rational.of(-5, 2).toLatex());
    assertEquals(Rational.of(2, 3), Rational.of(1, 3).divide(Rational.of(1, 2)));
  }

  @Test
  void expressionsPrintAndParseBack() {
    DemoExpr e = DemoExpr.parse("((3 + x) * 4) / (12 - 5)");
    assertEquals("((3 + x) * 4) / (12 - 5)", DemoExpr.print(e));
    assertEquals(Rational.of(4), e.eval(Rational.of(4)));
    assertEquals(4, e.ops());
    assertEquals(3, e.depth());
  }

  @Test
  void tasksRoundTripThroughTheirSpecAndSolveExactly() {
    DemoTask lin = DemoTask.parse("linear: (3 * (x + 2)) - 5 = 17/2");
    assertEquals(lin, DemoTask.parse(lin.spec()));
    DemoTask.Linear l = (DemoTask.Linear) lin;
    assertEquals(Rational.of(17, 2), l.lhs().eval(l.solution0()));
    assertEquals(3, lin.steps().size());

    DemoTask sys = DemoTask.parse("system: 2, 3, 7; 1, -1, 1");
    assertEquals("2, 1", sys.answer());
    assertEquals(sys, DemoTask.parse(sys.spec()));
    assertTrue(sys.solution().endsWith("\\boxed{2, 1}."));

    assertEquals("no_unique_solution",
        DemoTask.parse("linear: (x * 0) + 3 = 3").invalidReason().orElseThrow());
    assertEquals("x_in_denominator", DemoTask.parse("linear: 3 / x = 3").invalidReason().orElseThrow());
    assertEquals("singular_system", DemoTask.parse("system: 1, 2, 3; 2, 4, 6").invalidReason().orElseThrow());
    assertEquals("division_by_zero", DemoTask.parse("eval: 3 / (2 - 2)").invalidReason().orElseThrow());
  }

  /** Checks a child's answer independently of how the task computes it. */
  private static void assertAnswerIsExact(Problem p) {
    DemoTask t = DemoDomain.taskOf(p).orElseThrow();
    List<Rational> ans = DemoAnswers.parseList(p.answer()).orElseThrow();
    if (t instanceof DemoTask.Evaluate e) {
      assertEquals(List.of(e.expr().eval()), ans, p.statement());
    } else if (t instanceof DemoTask.Linear l) {
      assertEquals(l.rhs(), l.lhs().eval(ans.get(0)), p.statement());
    } else {
      DemoTask.System2 s = (DemoTask.System2) t;
      Rational x = ans.get(0);
      Rational y = ans.get(1);
      assertEquals(s.c1(), s.a1().multiply(x).add(s.b1().multiply(y)), p.statement());
      assertEquals(s.c2(), s.a2().multiply(x).add(s.b2().multiply(y)), p.statement());
    }
    assertTrue(p.solution().contains("\\boxed{" + p.answer() + "}"));
  }

  @Test
  void generatorMakesValidChildrenWithExactAnswersUsingEveryOperator() {
    SplittableRandom r = new SplittableRandom(11);
    List<Problem> pool = new ArrayList<>(DemoDomain.seeds(60, r));
    pool.forEach(DemoDomainTest::assertAnswerIsExact);
    Set<String> operators = new HashSet<>();
    Set<String> topics = new HashSet<>();
    int rejected = 0;
    for (int round = 0; round < 30; round++) {
      List<Problem> parents = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        parents.add(pool.get(r.nextInt(pool.size())));
      }
      List<Problem> snapshot = List.copyOf(pool);
      StageContext ctx = new StageContext(new SplittableRandom(round), round,
          (count, rnd) -> List.of(snapshot.get(rnd.nextInt(snapshot.size()))));
      List<Outcome<Problem>> kids = DemoDomain.generator().generate(parents, ctx);
      assertEquals(parents.size(), kids.size());
      for (int i = 0; i < kids.size(); i++) {
        Outcome<Problem> o = kids.get(i);
        if (!o.isPresent()) {
          rejected++;
          continue;
        }
        Problem c = o.value();
        assertAnswerIsExact(c);
        Lineage lin = c.lineage();
        operators.add(lin.operator());
        assertEquals(parents.get(i).id(), lin.parentIds().get(0));
        if (lin.operator().equals("combine")) {
          assertEquals(2, lin.parentIds().size());
        }
        topics.add(c.attributes().get(DemoDomain.TOPIC));
        pool.add(c);
      }
    }
    assertEquals(Set.of("change_numbers", "add_operation", "nest", "combine", "introduce_unknown"),
        operators);
    assertEquals(Set.of("arithmetic", "linear_equations", "systems_of_equations"), topics);
    assertTrue(rejected < 30 * 40 / 2, "too many rejections: " + rejected);
  }

  @Test
  void generatorRejectsParentsItCannotRead() {
    List<Outcome<Problem>> out = DemoDomain.generator().generate(
        List.of(Problem.of("What is love?", "", "42")), StageContext.of(new SplittableRandom(1)));
    assertEquals("not_demo", out.get(0).rejection().reason());
  }

  private static double solveRate(String spec, double slip, int k) {
    Problem p = DemoDomain.problem(DemoTask.parse(spec), Lineage.seed());
    List<Rollout> rs = DemoDomain.student(slip).solve(List.of(p), k, StageContext.of(new SplittableRandom(5)))
        .get(0);
    assertEquals(k, rs.size());
    return rs.stream().filter(Rollout::correct).count() / (double) k;
  }

  @Test
  void simulatedStudentSlipsMoreOnLongerAndLargerWork() {
    int k = 4000;
    double short1 = solveRate("eval: 3 + 4", 0.12, k);
    double long1 = solveRate("eval: ((3 + 4) * (5 - 2)) + ((6 * 2) - (8 + 1))", 0.12, k);
    double big = solveRate("eval: 38271 + 99174", 0.12, k);
    assertTrue(short1 > long1 + 0.2, short1 + " vs " + long1);
    assertTrue(short1 > big + 0.05, short1 + " vs " + big);
    // with no slips, every rollout that has a boxed answer is correct (about 2% forget the box)
    assertTrue(solveRate("linear: (3 * x) + 4 = 19", 0.0, 1000) > 0.95);
  }

  @Test
  void rolloutsBoxTheirAnswersAndWrongOnesNeverMatch() {
    Problem p = DemoDomain.problem(DemoTask.parse("linear: ((2 * x) + 7) / 3 = 5/2"), Lineage.seed());
    List<Rollout> rs = DemoDomain.student(0.6).solve(List.of(p), 300, StageContext.of(new SplittableRandom(3)))
        .get(0);
    int wrong = 0;
    int unboxed = 0;
    for (Rollout r : rs) {
      assertTrue(r.text().startsWith("(simulated student)"));
      if (r.answer() == null) {
        unboxed++;
        assertFalse(r.correct());
        continue;
      }
      assertTrue(r.text().contains("\\boxed{" + r.answer() + "}"));
      boolean exact = DemoAnswers.parseList(r.answer()).orElseThrow()
          .equals(DemoAnswers.parseList(p.answer()).orElseThrow());
      assertEquals(exact, r.correct(), r.text());
      if (!exact) {
        wrong++;
      }
    }
    assertTrue(wrong > 50, "slip 0.6 should give many wrong answers: " + wrong);
    assertTrue(unboxed < 20);
  }

  @Test
  void wrongAnswersDifferFromTheTruth() {
    SplittableRandom r = new SplittableRandom(9);
    for (String a : List.of("0", "7", "-3/4", "2, -1/3")) {
      for (int i = 0; i < 200; i++) {
        String w = DemoDomain.wrong(a, r);
        assertFalse(DemoAnswers.exact().matches(w, a), a + " -> " + w);
      }
    }
  }

  @Test
  void answersAreExtractedWithMatchedBracesAndComparedExactly() {
    assertEquals("\\frac{3}{4}", DemoAnswers.lastBoxed("so \\boxed{1} then \\boxed{\\frac{3}{4}}.").orElseThrow());
    assertTrue(DemoAnswers.lastBoxed("no box").isEmpty());
    assertTrue(DemoAnswers.lastBoxed("\\boxed{\\frac{3}{4}").isEmpty());
    assertTrue(DemoAnswers.exact().matches("\\frac{6}{8}, -2", "3/4, -2"));
    assertTrue(DemoAnswers.exact().matches("(x=3/4, y=-2)", "3/4, -2"));
    assertFalse(DemoAnswers.exact().matches("-2, 3/4", "3/4, -2"));
    assertFalse(DemoAnswers.exact().matches("three", "3"));
  }

  @Test
  void descriptorGivesTopicPlusAtMostTwoSkillsAndTwoMeasures() {
    Descriptor d = DemoDomain.describe(DemoTask.parse("linear: ((3 * x) - 250) / 7 = -1/2"));
    assertEquals(List.of("fractions", "linear_equations", "negative_numbers"), d.labels());
    assertEquals(3.0, d.measure(0));
    assertEquals(Math.log10(251), d.measure(1), 1e-12);
    Descriptor e = DemoDomain.describe(DemoTask.parse("eval: 3 + 4"));
    assertEquals(List.of("arithmetic"), e.labels());
    assertNull(DemoDomain.taskOf(Problem.of("x", "", "1")).orElse(null));
  }

  @Test
  void seedsAreDeterministicAndDistinct() {
    List<Problem> a = DemoDomain.seeds(100, new SplittableRandom(4));
    List<Problem> b = DemoDomain.seeds(100, new SplittableRandom(4));
    assertEquals(a, b);
    assertEquals(100, a.stream().map(Problem::id).distinct().count());
    assertNotEquals(a, DemoDomain.seeds(100, new SplittableRandom(5)));
  }
}
