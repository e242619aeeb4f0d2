package dev.sparq.core.sim;

import dev.sparq.core.Outcome;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Evaluation;
import dev.sparq.core.model.Lineage;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.model.Validity;
import dev.sparq.core.stage.DifficultyEstimator;
import dev.sparq.core.stage.DiversityDescriptor;
import dev.sparq.core.stage.Generator;
import dev.sparq.core.stage.Solver;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * A rule-based arithmetic domain that exercises the whole engine without any model: a procedural
 * generator that mutates integer expressions, a <b>simulated</b> student whose chance of a slip grows
 * with the number of operations and the size of the numbers, a fixed-K solve-rate estimator and a
 * descriptor with skill labels and numeric measures.
 *
 * <p>Nothing here is a language model: it exists so that the engine, archives, storage and export
 * can be tried, tested and benchmarked on any machine in seconds.
 */
public final class ArithmeticDomain {
  /** Attribute holding the expression of a problem. */
  public static final String EXPR = "expr";

  private static final int MAX_DEPTH = 6;
  private static final long MAX_MAGNITUDE = 1_000_000_000_000L;

  private ArithmeticDomain() {}

  /** Builds a problem from an expression string such as {@code "(3 + 4) * 2"}. */
  public static Problem problem(String expression, Lineage lineage) {
    ArithmeticExpr e = ArithmeticExpr.parse(expression);
    return problemOf(e, lineage);
  }

  private static Problem problemOf(ArithmeticExpr e, Lineage lineage) {
    String text = e.toString();
    long v = e.eval();
    return new Problem(null, "Compute " + text + ".",
        "Evaluate the innermost parentheses first, then the rest: " + text + " = \\boxed{" + v + "}.",
        Long.toString(v), lineage, java.util.Map.of(EXPR, text));
  }

  /** {@code n} random seed problems with one or two operations on numbers below 20. */
  public static List<Problem> seeds(int n, RandomGenerator random) {
    List<Problem> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ArithmeticExpr e = new ArithmeticExpr.Bin(op(random), num(random, 20), num(random, 20));
      if (random.nextBoolean()) {
        e = new ArithmeticExpr.Bin(op(random), e, num(random, 20));
      }
      out.add(problemOf(e, Lineage.seed()));
    }
    return out;
  }

  private static char op(RandomGenerator r) {
    return "+-*".charAt(r.nextInt(3));
  }

  private static ArithmeticExpr.Num num(RandomGenerator r, int bound) {
    return new ArithmeticExpr.Num(1 + r.nextInt(bound));
  }

  /**
   * The procedural generator. Operators: {@code change_numbers} (replace one number),
   * {@code extend} (apply one more operation), {@code combine} (join with a second parent drawn from
   * the working set). Children deeper than 6 or with values beyond 10^12 are rejected with reasons
   * {@code too_deep} and {@code overflow}.
   */
  public static Generator generator() {
    return (parents, ctx) -> {
      RandomGenerator r = ctx.random();
      List<Outcome<Problem>> out = new ArrayList<>(parents.size());
      for (Problem parent : parents) {
        String src = parent.attributes().get(EXPR);
        if (src == null) {
          out.add(Outcome.rejected("not_arithmetic", "parent has no '" + EXPR + "' attribute"));
          continue;
        }
        ArithmeticExpr e = ArithmeticExpr.parse(src);
        int choice = r.nextInt(3);
        ArithmeticExpr child;
        String operator;
        List<Problem> lineageParents = new ArrayList<>(List.of(parent));
        if (choice == 0) {
          operator = "change_numbers";
          child = replaceLeaf(e, r.nextInt(countLeaves(e)), r);
        } else if (choice == 1) {
          operator = "extend";
          ArithmeticExpr n = num(r, 30);
          child = r.nextBoolean() ? new ArithmeticExpr.Bin(op(r), e, n) : new ArithmeticExpr.Bin(op(r), n, e);
        } else {
          operator = "combine";
          List<Problem> mate = ctx.parents().draw(1, r);
          ArithmeticExpr other = mate.isEmpty() || mate.get(0).attributes().get(EXPR) == null
              ? num(r, 30) : ArithmeticExpr.parse(mate.get(0).attributes().get(EXPR));
          lineageParents.addAll(mate);
          child = new ArithmeticExpr.Bin(op(r), e, other);
        }
        if (child.depth() > MAX_DEPTH) {
          out.add(Outcome.rejected("too_deep", "depth " + child.depth()));
          continue;
        }
        long v;
        try {
          v = child.eval();
        } catch (ArithmeticException ex) {
          out.add(Outcome.rejected("overflow", child.toString()));
          continue;
        }
        if (Math.abs(v) > MAX_MAGNITUDE) {
          out.add(Outcome.rejected("overflow", child.toString()));
          continue;
        }
        out.add(Outcome.of(problemOf(child, Lineage.childOf(operator, lineageParents))));
      }
      return out;
    };
  }

  private static int countLeaves(ArithmeticExpr e) {
    int[] n = {0};
    e.leaves(x -> n[0]++);
    return n[0];
  }

  private static ArithmeticExpr replaceLeaf(ArithmeticExpr e, int index, RandomGenerator r) {
    int[] counter = {index};
    return replace(e, counter, r);
  }

  private static ArithmeticExpr replace(ArithmeticExpr e, int[] counter, RandomGenerator r) {
    if (e instanceof ArithmeticExpr.Num n) {
      if (counter[0]-- == 0) {
        long bound = Math.max(10, Math.abs(n.value) * 3);
        return new ArithmeticExpr.Num(1 + r.nextLong(Math.min(bound, 10_000)));
      }
      return n;
    }
    ArithmeticExpr.Bin b = (ArithmeticExpr.Bin) e;
    ArithmeticExpr l = replace(b.left, counter, r);
    ArithmeticExpr rr = replace(b.right, counter, r);
    return new ArithmeticExpr.Bin(b.op, l, rr);
  }

  /**
   * A simulated student. The chance of solving is {@code exp(-(slip * operations + sizeSlip *
   * digits))} where digits counts the digits of all numbers; a wrong attempt is off by 1 to 10.
   *
   * @param slip cost per operation (0.15 gives a useful spread of solve rates)
   */
  public static Solver solver(double slip) {
    return (problems, k, ctx) -> {
      RandomGenerator r = ctx.random();
      List<List<Rollout>> out = new ArrayList<>(problems.size());
      for (Problem p : problems) {
        String src = p.attributes().get(EXPR);
        ArithmeticExpr e = src == null ? null : ArithmeticExpr.parse(src);
        long truth = e == null ? 0 : e.eval();
        int ops = e == null ? 10 : e.ops();
        int[] digits = {0};
        if (e != null) {
          e.leaves(n -> digits[0] += Long.toString(Math.abs(n.value)).length());
        }
        double pCorrect = Math.exp(-(slip * ops * ops / 2.0 + slip / 3 * digits[0]));
        List<Rollout> rolls = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
          long ans = r.nextDouble() < pCorrect ? truth
              : truth + (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(10));
          String a = Long.toString(ans);
          rolls.add(new Rollout("Working it out: \\boxed{" + a + "}", a, a.equals(p.answer()), 12));
        }
        out.add(rolls);
      }
      return out;
    };
  }

  /**
   * A fixed-K solve-rate estimator: asks the solver for {@code k} rollouts per problem; quality is
   * {@code 1 - SR} when {@code low <= SR <= high}, else 0, as in SPARQ. {@code SR} is measured over
   * the rollouts the solver actually returned (normally {@code k}). Unlike
   * {@link dev.sparq.core.difficulty.FixedKEstimator} there is no validity guard and no rounding
   * tolerance at the band's ends. {@code DemoDomain} in sparq-examples uses this estimator too.
   */
  public static DifficultyEstimator estimator(int k, double low, double high) {
    return (problems, solver, ctx) -> {
      List<List<Rollout>> rolls = solver.solve(problems, k, ctx);
      List<Outcome<Evaluation>> out = new ArrayList<>(problems.size());
      for (List<Rollout> rs : rolls) {
        int correct = 0;
        for (Rollout x : rs) {
          if (x.correct()) {
            correct++;
          }
        }
        double sr = (double) correct / rs.size();
        double q = sr >= low && sr <= high ? 1 - sr : 0.0;
        out.add(Outcome.of(new Evaluation(new Difficulty(correct, rs.size(), q, Validity.VALID), rs)));
      }
      return out;
    };
  }

  /**
   * Describes an expression by the operations it uses ({@code addition}, {@code subtraction},
   * {@code multiplication}, {@code nesting} when deeper than 2, {@code large_numbers} when a number
   * reaches 100) as labels, and by two measures: operation count and log10 of the largest number.
   */
  public static DiversityDescriptor descriptor() {
    return (problems, ctx) -> {
      List<Outcome<Descriptor>> out = new ArrayList<>(problems.size());
      for (Problem p : problems) {
        String src = p.attributes().get(EXPR);
        if (src == null) {
          out.add(Outcome.rejected("not_arithmetic", "no '" + EXPR + "' attribute"));
          continue;
        }
        ArithmeticExpr e = ArithmeticExpr.parse(src);
        TreeSet<String> labels = new TreeSet<>();
        collectOps(e, labels);
        if (e.depth() > 2) {
          labels.add("nesting");
        }
        long[] max = {0};
        e.leaves(n -> max[0] = Math.max(max[0], Math.abs(n.value)));
        if (max[0] >= 100) {
          labels.add("large_numbers");
        }
        out.add(Outcome.of(new Descriptor(new double[] {e.ops(), Math.log10(max[0] + 1.0)},
            List.copyOf(labels))));
      }
      return out;
    };
  }

  private static void collectOps(ArithmeticExpr e, TreeSet<String> labels) {
    if (e instanceof ArithmeticExpr.Bin b) {
      labels.add(switch (b.op) {
        case '+' -> "addition";
        case '-' -> "subtraction";
        default -> "multiplication";
      });
      collectOps(b.left, labels);
      collectOps(b.right, labels);
    }
  }
}
