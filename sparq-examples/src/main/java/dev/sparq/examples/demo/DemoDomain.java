package dev.sparq.examples.demo;

import dev.sparq.core.Outcome;
import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.CategoricalTessellation;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.archive.CvtTessellation;
import dev.sparq.core.archive.GridTessellation;
import dev.sparq.core.math.Rational;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Lineage;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.stage.DifficultyEstimator;
import dev.sparq.core.stage.DiversityDescriptor;
import dev.sparq.core.stage.Generator;
import dev.sparq.core.stage.Solver;
import dev.sparq.core.stage.StageContext;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * The built-in demo domain of the {@code sparq} command: arithmetic with exact fractions, linear
 * equations and 2x2 linear systems, a procedural generator that mutates them, and a
 * <b>simulated</b> student. Nothing here is a language model: the student is a random process whose
 * chance of a slip grows with the number of solution steps and the size of the numbers in each step.
 * It exists so that the whole pipeline (engine, estimator, archive, log, export, report) runs on any
 * machine in seconds.
 *
 * <h2>Generator operators</h2>
 * <ul>
 *   <li>{@code change_numbers}: replace one number (an expression leaf, the right-hand side, or a
 *       coefficient of a system);
 *   <li>{@code add_operation}: apply one more operation with a new number (for a system, add a
 *       multiple of one equation to the other);
 *   <li>{@code nest}: replace a number with a small parenthesised expression;
 *   <li>{@code combine}: join with a second parent drawn from the working set (two expressions are
 *       joined by an operation, an expression is substituted into an equation, two equations become
 *       a system whose solution is both parents' solutions);
 *   <li>{@code introduce_unknown}: turn an expression into an equation by hiding one number as
 *       {@code x}.
 * </ul>
 * Every child's answer is computed exactly. Children that are invalid or out of bounds are
 * rejected with a reason ({@code too_deep}, {@code too_large}, {@code division_by_zero},
 * {@code no_unique_solution}, {@code singular_system}, {@code unchanged}).
 */
public final class DemoDomain {
  /** Attribute holding the {@link DemoTask#spec()} of a problem. */
  public static final String SPEC = "demo.spec";
  /** Attribute holding the topic of a problem. */
  public static final String TOPIC = "demo.topic";
  /** Names of the two numeric measures of {@link #descriptor()}. */
  public static final List<String> MEASURES = List.of("solution steps", "log10 of the largest number");
  /** Default slip rate of the simulated student (gives a wide spread of solve rates). */
  public static final double DEFAULT_SLIP = 0.12;

  static final int MAX_DEPTH = 6;
  static final long MAX_NUMBER = 10_000_000L;
  private static final String[] OPERATORS =
      {"change_numbers", "add_operation", "nest", "combine", "introduce_unknown"};

  private DemoDomain() {}

  /** Builds a problem from a task (attributes {@link #SPEC} and {@link #TOPIC}). */
  public static Problem problem(DemoTask task, Lineage lineage) {
    return new Problem(null, task.statement(), task.solution(), task.answer(), lineage,
        Map.of(SPEC, task.spec(), TOPIC, task.topic()));
  }

  /** The task of a demo problem, if it has a readable {@link #SPEC} attribute. */
  public static Optional<DemoTask> taskOf(Problem p) {
    String spec = p.attributes().get(SPEC);
    if (spec == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(DemoTask.parse(spec));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  // ---------------------------------------------------------------- seeds

  /**
   * {@code n} seed problems: about half short expressions, a third one- or two-step linear equations
   * with integer solutions, the rest 2x2 systems with small integer solutions. Deterministic for a
   * given random state.
   */
  public static List<Problem> seeds(int n, RandomGenerator r) {
    List<Problem> out = new ArrayList<>(n);
    java.util.Set<String> seen = new java.util.HashSet<>();
    int guard = 0;
    while (out.size() < n && guard++ < n * 50) {
      double u = r.nextDouble();
      DemoTask t;
      if (u < 0.5) {
        DemoExpr e = new DemoExpr.Bin(op(r, "+-*"), num(r, 12), num(r, 12));
        if (r.nextBoolean()) {
          e = r.nextBoolean() ? new DemoExpr.Bin(op(r, "+-*"), e, num(r, 12))
              : new DemoExpr.Bin(op(r, "+-*"), num(r, 12), e);
        }
        t = new DemoTask.Evaluate(e);
      } else if (u < 0.85) {
        long a = 2 + r.nextInt(8);
        long b = 1 + r.nextInt(20);
        long x = r.nextInt(21) - 10;
        DemoExpr lhs = new DemoExpr.Bin('*', DemoExpr.Num.of(a), new DemoExpr.Var());
        boolean plus = r.nextBoolean();
        lhs = new DemoExpr.Bin(plus ? '+' : '-', lhs, DemoExpr.Num.of(b));
        t = new DemoTask.Linear(lhs, Rational.of(a * x + (plus ? b : -b)));
      } else {
        long x = r.nextInt(11) - 5;
        long y = r.nextInt(11) - 5;
        long a1 = nonZero(r, 5);
        long b1 = nonZero(r, 5);
        long a2 = nonZero(r, 5);
        long b2 = nonZero(r, 5);
        if (a1 * b2 == a2 * b1) {
          continue;
        }
        t = new DemoTask.System2(Rational.of(a1), Rational.of(b1), Rational.of(a1 * x + b1 * y),
            Rational.of(a2), Rational.of(b2), Rational.of(a2 * x + b2 * y));
      }
      if (t.invalidReason().isEmpty() && seen.add(t.spec())) {
        out.add(problem(t, Lineage.seed()));
      }
    }
    return out;
  }

  private static long nonZero(RandomGenerator r, int bound) {
    long v = 1 + r.nextInt(bound);
    return r.nextBoolean() ? v : -v;
  }

  private static char op(RandomGenerator r, String ops) {
    return ops.charAt(r.nextInt(ops.length()));
  }

  private static DemoExpr.Num num(RandomGenerator r, int bound) {
    return DemoExpr.Num.of(1 + r.nextInt(bound));
  }

  // ---------------------------------------------------------------- generator

  /** The procedural generator (see the class comment for its operators). */
  public static Generator generator() {
    return (parents, ctx) -> {
      List<Outcome<Problem>> out = new ArrayList<>(parents.size());
      for (Problem parent : parents) {
        out.add(mutate(parent, ctx));
      }
      return out;
    };
  }

  static Outcome<Problem> mutate(Problem parent, StageContext ctx) {
    RandomGenerator r = ctx.random();
    Optional<DemoTask> parsed = taskOf(parent);
    if (parsed.isEmpty()) {
      return Outcome.rejected("not_demo", "parent has no readable '" + SPEC + "' attribute");
    }
    DemoTask t = parsed.get();
    String operator = OPERATORS[r.nextInt(OPERATORS.length)];
    List<Problem> lineage = new ArrayList<>(List.of(parent));
    DemoTask child;
    try {
      switch (operator) {
        case "change_numbers" -> child = changeNumbers(t, r);
        case "add_operation" -> child = addOperation(t, r);
        case "nest" -> {
          if (t instanceof DemoTask.System2) {
            operator = "change_numbers";
            child = changeNumbers(t, r);
          } else {
            child = nest(t, r);
          }
        }
        case "combine" -> {
          List<Problem> mate = ctx.parents().draw(1, r);
          Optional<DemoTask> other = mate.isEmpty() ? Optional.empty() : taskOf(mate.get(0));
          Optional<DemoTask> joined = other.flatMap(o -> combine(t, o, r));
          if (joined.isPresent()) {
            child = joined.get();
            lineage.add(mate.get(0));
          } else {
            operator = "add_operation";
            child = addOperation(t, r);
          }
        }
        default -> {
          if (t instanceof DemoTask.Evaluate ev && ev.expr().ops() > 0) {
            child = introduceUnknown(ev, r);
          } else {
            operator = "add_operation";
            child = addOperation(t, r);
          }
        }
      }
    } catch (ArithmeticException e) {
      return Outcome.rejected("division_by_zero", operator);
    }
    Optional<String> invalid = child.invalidReason();
    if (invalid.isPresent()) {
      return Outcome.rejected(invalid.get(), operator + ": " + child.spec());
    }
    if (child.depth() > MAX_DEPTH) {
      return Outcome.rejected("too_deep", operator + ": depth " + child.depth());
    }
    for (Rational v : child.numbers()) {
      if (!v.within(MAX_NUMBER)) {
        return Outcome.rejected("too_large", operator + ": " + v);
      }
    }
    if (child.spec().equals(t.spec())) {
      return Outcome.rejected("unchanged", operator);
    }
    return Outcome.of(problem(child, Lineage.childOf(operator, lineage)));
  }

  static DemoTask changeNumbers(DemoTask t, RandomGenerator r) {
    if (t instanceof DemoTask.Evaluate e) {
      return new DemoTask.Evaluate(replaceLeaf(e.expr(), r, leaf -> newNumber(leaf, r)));
    }
    if (t instanceof DemoTask.Linear l) {
      if (countLeaves(l.lhs()) == 0 || r.nextInt(4) == 0) {
        return new DemoTask.Linear(l.lhs(), Rational.of(r.nextInt(101) - 50));
      }
      return new DemoTask.Linear(replaceLeaf(l.lhs(), r, leaf -> newNumber(leaf, r)), l.rhs());
    }
    DemoTask.System2 s = (DemoTask.System2) t;
    Rational[] v = {s.a1(), s.b1(), s.c1(), s.a2(), s.b2(), s.c2()};
    int i = r.nextInt(6);
    long mag = Math.max(9, Math.min(3 * v[i].num().abs().longValue(), 200));
    long n = 1 + r.nextLong(mag);
    v[i] = Rational.of(r.nextBoolean() ? n : -n);
    return new DemoTask.System2(v[0], v[1], v[2], v[3], v[4], v[5]);
  }

  private static DemoExpr newNumber(DemoExpr.Num leaf, RandomGenerator r) {
    long old = leaf.value().min(BigInteger.valueOf(100_000)).longValue();
    long bound = Math.max(12, Math.min(old * 4, 2_000));
    return DemoExpr.Num.of(1 + r.nextLong(bound));
  }

  static DemoTask addOperation(DemoTask t, RandomGenerator r) {
    if (t instanceof DemoTask.System2 s) {
      long k = nonZero(r, 3);
      Rational kr = Rational.of(k);
      if (r.nextBoolean()) {
        return new DemoTask.System2(s.a1().add(kr.multiply(s.a2())), s.b1().add(kr.multiply(s.b2())),
            s.c1().add(kr.multiply(s.c2())), s.a2(), s.b2(), s.c2());
      }
      return new DemoTask.System2(s.a1(), s.b1(), s.c1(), s.a2().add(kr.multiply(s.a1())),
          s.b2().add(kr.multiply(s.b1())), s.c2().add(kr.multiply(s.c1())));
    }
    char op = op(r, "+-*/");
    DemoExpr n = num(r, 20);
    if (t instanceof DemoTask.Evaluate e) {
      return new DemoTask.Evaluate(r.nextBoolean() ? new DemoExpr.Bin(op, e.expr(), n)
          : new DemoExpr.Bin(op, n, e.expr()));
    }
    DemoTask.Linear l = (DemoTask.Linear) t;
    DemoExpr lhs = op == '/' || r.nextBoolean() ? new DemoExpr.Bin(op, l.lhs(), n)
        : new DemoExpr.Bin(op, n, l.lhs());
    return new DemoTask.Linear(lhs, l.rhs());
  }

  static DemoTask nest(DemoTask t, RandomGenerator r) {
    java.util.function.Function<DemoExpr.Num, DemoExpr> sub =
        leaf -> new DemoExpr.Bin(op(r, "+-*/"), num(r, 12), num(r, 12));
    if (t instanceof DemoTask.Evaluate e) {
      return new DemoTask.Evaluate(replaceLeaf(e.expr(), r, sub));
    }
    DemoTask.Linear l = (DemoTask.Linear) t;
    if (countLeaves(l.lhs()) == 0) {
      return addOperation(t, r);
    }
    return new DemoTask.Linear(replaceLeaf(l.lhs(), r, sub), l.rhs());
  }

  static Optional<DemoTask> combine(DemoTask a, DemoTask b, RandomGenerator r) {
    if (a instanceof DemoTask.Evaluate ea && b instanceof DemoTask.Evaluate eb) {
      return Optional.of(new DemoTask.Evaluate(new DemoExpr.Bin(op(r, "+-*/"), ea.expr(), eb.expr())));
    }
    if (a instanceof DemoTask.Linear la && b instanceof DemoTask.Evaluate eb) {
      return Optional.of(embed(la, eb.expr(), r));
    }
    if (a instanceof DemoTask.Evaluate ea && b instanceof DemoTask.Linear lb) {
      return Optional.of(embed(lb, ea.expr(), r));
    }
    if (a instanceof DemoTask.Linear la && b instanceof DemoTask.Linear lb) {
      Rational x = la.solution0();
      Rational y = lb.solution0();
      Rational a1 = coefficient(la.lhs());
      Rational b1 = coefficient(lb.lhs());
      Rational a2 = Rational.of(nonZero(r, 9));
      Rational b2 = Rational.of(nonZero(r, 9));
      return Optional.of(new DemoTask.System2(a1, b1, a1.multiply(x).add(b1.multiply(y)), a2, b2,
          a2.multiply(x).add(b2.multiply(y))));
    }
    return Optional.empty();
  }

  private static DemoTask embed(DemoTask.Linear l, DemoExpr e, RandomGenerator r) {
    if (countLeaves(l.lhs()) == 0) {
      return new DemoTask.Linear(new DemoExpr.Bin(op(r, "+-*"), l.lhs(), e), l.rhs());
    }
    return new DemoTask.Linear(replaceLeaf(l.lhs(), r, leaf -> e), l.rhs());
  }

  /** The coefficient of x in an affine expression. */
  static Rational coefficient(DemoExpr lhs) {
    return lhs.eval(Rational.ONE).subtract(lhs.eval(Rational.ZERO));
  }

  static DemoTask introduceUnknown(DemoTask.Evaluate e, RandomGenerator r) {
    Rational value = e.expr().eval();
    return new DemoTask.Linear(replaceLeaf(e.expr(), r, leaf -> new DemoExpr.Var()), value);
  }

  static int countLeaves(DemoExpr e) {
    int[] n = {0};
    e.leaves(x -> n[0]++);
    return n[0];
  }

  private static DemoExpr replaceLeaf(DemoExpr e, RandomGenerator r,
      java.util.function.Function<DemoExpr.Num, DemoExpr> with) {
    int count = countLeaves(e);
    if (count == 0) {
      return e;
    }
    int[] counter = {r.nextInt(count)};
    return replace(e, counter, with);
  }

  private static DemoExpr replace(DemoExpr e, int[] counter,
      java.util.function.Function<DemoExpr.Num, DemoExpr> with) {
    if (e instanceof DemoExpr.Num n) {
      return counter[0]-- == 0 ? with.apply(n) : n;
    }
    if (e instanceof DemoExpr.Bin b) {
      DemoExpr l = replace(b.left(), counter, with);
      DemoExpr rr = replace(b.right(), counter, with);
      return new DemoExpr.Bin(b.op(), l, rr);
    }
    return e;
  }

  // ---------------------------------------------------------------- simulated student

  /**
   * The simulated student with the exact answer matcher. See {@link #student(double,
   * DemoAnswers.Matcher)}.
   */
  public static Solver student(double slip) {
    return student(slip, DemoAnswers.exact());
  }

  /**
   * A <b>simulated</b> student (not a language model). Each rollout walks the reference solution's
   * steps; step {@code i} (0-based) is slipped with probability
   * {@code 1 - exp(-slip * (1 + 0.35 (d - 1) + 0.6 f) * (1 + 0.08 i))}, where {@code d} is the
   * number of digits in the step and {@code f} is 1 when it involves fractions. A slip makes the final
   * answer wrong (off by a little, a sign error, or an inverted fraction). About 2% of rollouts forget
   * the {@code \boxed{}} answer altogether. Rollouts end with the answer in {@code \boxed{}}; the
   * answer is extracted with {@link DemoAnswers#lastBoxed} and checked with {@code matcher}.
   *
   * @param slip the base slip rate per step ({@link #DEFAULT_SLIP} gives a wide spread)
   * @param matcher decides whether an extracted answer equals the intended one
   */
  public static Solver student(double slip, DemoAnswers.Matcher matcher) {
    return (problems, k, ctx) -> {
      RandomGenerator r = ctx.random();
      List<List<Rollout>> out = new ArrayList<>(problems.size());
      for (Problem p : problems) {
        Optional<DemoTask> task = taskOf(p);
        List<Rollout> rolls = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
          String text = task.isPresent() ? attempt(task.get(), slip, r)
              : "(simulated student) I cannot read this problem.";
          String answer = DemoAnswers.lastBoxed(text).orElse(null);
          boolean correct = answer != null && matcher.matches(answer, p.answer());
          rolls.add(new Rollout(text, answer, correct, Math.max(1, text.length() / 4)));
        }
        out.add(rolls);
      }
      return out;
    };
  }

  /** One simulated attempt: the steps up to the first slip, then a boxed answer. */
  static String attempt(DemoTask t, double slip, RandomGenerator r) {
    List<DemoTask.Step> steps = t.steps();
    StringBuilder sb = new StringBuilder("(simulated student)\n");
    boolean slipped = false;
    for (int i = 0; i < steps.size(); i++) {
      DemoTask.Step s = steps.get(i);
      double w = (1 + 0.35 * (s.digits() - 1) + (s.fractional() ? 0.6 : 0)) * (1 + 0.08 * i);
      if (r.nextDouble() < 1 - Math.exp(-slip * w)) {
        sb.append("Step ").append(i + 1).append(": ").append(s.text()).append(" (a slip happens here)\n");
        slipped = true;
        break;
      }
      sb.append("Step ").append(i + 1).append(": ").append(s.text()).append('\n');
    }
    if (steps.isEmpty() && r.nextDouble() < 1 - Math.exp(-slip * 0.5)) {
      slipped = true;
    }
    if (r.nextDouble() < 0.02) {
      return sb.append("So the answer is ").append(t.answer()).append('.').toString();
    }
    String answer = slipped ? wrong(t.answer(), r) : t.answer();
    if (!slipped && r.nextInt(3) == 0) {
      answer = latex(answer);
    }
    return sb.append("The answer is \\boxed{").append(answer).append("}.").toString();
  }

  private static String latex(String answer) {
    Optional<List<Rational>> parts = DemoAnswers.parseList(answer);
    if (parts.isEmpty()) {
      return answer;
    }
    List<String> out = new ArrayList<>();
    for (Rational q : parts.get()) {
      out.add(q.toLatex());
    }
    return String.join(", ", out);
  }

  /** A plausible wrong answer, never equal to {@code answer}. */
  static String wrong(String answer, RandomGenerator r) {
    List<Rational> parts = DemoAnswers.parseList(answer).orElse(List.of(Rational.ZERO));
    List<Rational> bad = new ArrayList<>(parts);
    int i = r.nextInt(bad.size());
    Rational v = bad.get(i);
    Rational w;
    int kind = r.nextInt(3);
    if (kind == 0 && v.signum() != 0) {
      w = v.negate();
    } else if (kind == 1 && !v.isInteger() && v.signum() != 0) {
      w = Rational.ONE.divide(v);
    } else {
      w = v.add(Rational.of(r.nextBoolean() ? 1 + r.nextInt(5) : -1 - r.nextInt(5)));
    }
    if (w.equals(v)) {
      w = v.add(Rational.ONE);
    }
    bad.set(i, w);
    List<String> s = new ArrayList<>();
    for (Rational q : bad) {
      s.add(q.toString());
    }
    return String.join(", ", s);
  }

  // ---------------------------------------------------------------- estimator and descriptor

  /**
   * A fixed-K solve-rate estimator as in SPARQ: {@code k} rollouts, solve rate {@code SR}, quality
   * {@code 1 - SR} when {@code low <= SR <= high}, else 0. {@code SR} is measured over the rollouts
   * the solver returned (normally {@code k}); unlike core's {@code FixedKEstimator} there is no
   * validity guard and no rounding tolerance at the band's ends.
   */
  public static DifficultyEstimator estimator(int k, double low, double high) {
    return dev.sparq.testkit.math.ArithmeticDomain.estimator(k, low, high);
  }


  /** Skills in the order they are chosen for the label set (after the topic). */
  public static final List<String> SKILLS = List.of("fractions", "negative_numbers", "division",
      "nested_parentheses", "multi_step", "large_numbers");

  /**
   * Describes a problem SPARQ-style by a skill set of at most three labels: its topic
   * ({@code arithmetic}, {@code linear_equations}, {@code systems_of_equations}) plus the first two
   * of {@link #SKILLS} that apply; and by two measures ({@link #MEASURES}): the number of solution
   * steps and {@code log10} of the largest number involved.
   */
  public static DiversityDescriptor descriptor() {
    return (problems, ctx) -> {
      List<Outcome<Descriptor>> out = new ArrayList<>(problems.size());
      for (Problem p : problems) {
        Optional<DemoTask> t = taskOf(p);
        if (t.isEmpty()) {
          out.add(Outcome.rejected("not_demo", "no readable '" + SPEC + "' attribute"));
          continue;
        }
        out.add(Outcome.of(describe(t.get())));
      }
      return out;
    };
  }

  /** The descriptor of one task. */
  public static Descriptor describe(DemoTask t) {
    List<Rational> numbers = t.numbers();
    boolean fractions = false;
    boolean negative = false;
    double max = 0;
    for (Rational q : numbers) {
      fractions |= !q.isInteger();
      negative |= q.signum() < 0;
      max = Math.max(max, Math.abs(q.toDouble()));
    }
    int steps = t.steps().size();
    boolean[] has = {fractions, negative, t.usesDivision(), t.depth() >= 3, steps >= 5, max >= 100};
    TreeSet<String> labels = new TreeSet<>();
    labels.add(t.topic());
    for (int i = 0; i < has.length && labels.size() < 3; i++) {
      if (has[i]) {
        labels.add(SKILLS.get(i));
      }
    }
    return new Descriptor(new double[] {steps, Math.log10(max + 1)}, List.copyOf(labels));
  }

  // ---------------------------------------------------------------- archives

  /** The archive shapes the demo can fill. */
  public enum ArchiveKind {
    /** SPARQ's skill-set niches (categorical, cells created on first use). */
    SKILLS,
    /** A 12 x 8 grid over (steps, log10 largest number). */
    GRID,
    /** 64 CVT cells over the same two measures. */
    CVT
  }

  /** A new empty archive of the given kind with capacity {@code t} per cell. */
  public static Archive archive(ArchiveKind kind, int t, long seed) {
    return switch (kind) {
      case SKILLS -> CellArchive.builder().tessellation(new CategoricalTessellation()).capacity(t).build();
      case GRID -> CellArchive.builder()
          .tessellation(new GridTessellation(new int[] {12, 8}, new double[] {0, 0}, new double[] {12, 8}))
          .capacity(t).build();
      case CVT -> CellArchive.builder()
          .tessellation(CvtTessellation.build(64, new double[] {0, 0}, new double[] {12, 8}, 4096, 15,
              new SplittableRandom(seed)))
          .capacity(t).build();
    };
  }
}
