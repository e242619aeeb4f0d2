package dev.sparq.examples.demo;

import dev.sparq.core.math.Rational;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One problem of the demo domain, in a form that can be solved exactly: an expression to evaluate, a
 * linear equation in {@code x}, or a 2x2 linear system. Its {@link #spec()} is stored in the
 * problem's attributes and parsed back with {@link #parse(String)}, so archives and logs written to
 * disk can be read again.
 */
public sealed interface DemoTask permits DemoTask.Evaluate, DemoTask.Linear, DemoTask.System2 {

  /**
   * One step of a worked solution, with what makes it hard for the simulated student.
   *
   * @param text the step as written in the reference solution
   * @param digits the most decimal digits of a number in the step
   * @param fractional whether the step involves a non-integer number
   */
  record Step(String text, int digits, boolean fractional) {}

  /** {@code "arithmetic"}, {@code "linear_equations"} or {@code "systems_of_equations"}. */
  String topic();

  /** The text stored in the {@link DemoDomain#SPEC} attribute. */
  String spec();

  /** The problem statement shown to the student. */
  String statement();

  /** The exact answer in plain form ({@code "7"}, {@code "-3/4"}, {@code "2, -1/3"}). */
  String answer();

  /** The worked steps of the reference solution. */
  List<Step> steps();

  /** Every number that appears: leaves, intermediate values and the answer. */
  List<Rational> numbers();

  /** The deepest nesting (0 for a system). */
  int depth();

  /** Whether the task uses division. */
  boolean usesDivision();

  /**
   * Why this task is not a valid problem (for example a linear equation with no unique solution),
   * or empty when it is valid. Call before any other method on an untrusted task.
   */
  Optional<String> invalidReason();

  /** The reference solution: the steps, then the answer in {@code \boxed{}}. */
  default String solution() {
    StringBuilder sb = new StringBuilder();
    int i = 1;
    for (Step s : steps()) {
      sb.append("Step ").append(i++).append(": ").append(s.text()).append('\n');
    }
    return sb.append("The answer is \\boxed{").append(answer()).append("}.").toString();
  }

  /** Parses a spec written by {@link #spec()}. */
  static DemoTask parse(String spec) {
    int colon = spec.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("demo spec has no kind prefix: " + spec);
    }
    String kind = spec.substring(0, colon);
    String body = spec.substring(colon + 1).trim();
    switch (kind) {
      case "eval":
        return new Evaluate(DemoExpr.parse(body));
      case "linear": {
        int eq = body.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException("linear spec has no '=': " + spec);
        }
        return new Linear(DemoExpr.parse(body.substring(0, eq).trim()),
            Rational.parse(body.substring(eq + 1).trim()));
      }
      case "system": {
        String[] rows = body.split(";");
        if (rows.length != 2) {
          throw new IllegalArgumentException("system spec needs two rows: " + spec);
        }
        Rational[][] m = new Rational[2][3];
        for (int r = 0; r < 2; r++) {
          String[] cells = rows[r].split(",");
          if (cells.length != 3) {
            throw new IllegalArgumentException("system row needs a, b, c: " + spec);
          }
          for (int c = 0; c < 3; c++) {
            m[r][c] = Rational.parse(cells[c].trim());
          }
        }
        return new System2(m[0][0], m[0][1], m[0][2], m[1][0], m[1][1], m[1][2]);
      }
      default:
        throw new IllegalArgumentException("unknown demo kind '" + kind + "' in: " + spec);
    }
  }

  /** Evaluate an expression without unknowns. */
  record Evaluate(DemoExpr expr) implements DemoTask {
    @Override
    public String topic() {
      return "arithmetic";
    }

    @Override
    public String spec() {
      return "eval: " + DemoExpr.print(expr);
    }

    @Override
    public String statement() {
      Rational v = expr.eval();
      return "Compute " + DemoExpr.print(expr) + "."
          + (usesDivision() || !v.isInteger() ? " Give the answer as a fraction in lowest terms." : "");
    }

    @Override
    public String answer() {
      return expr.eval().toString();
    }

    @Override
    public List<Step> steps() {
      List<Step> out = new ArrayList<>();
      collect(expr, out);
      return out;
    }

    static Rational collect(DemoExpr e, List<Step> out) {
      if (e instanceof DemoExpr.Bin b) {
        Rational l = collect(b.left(), out);
        Rational r = collect(b.right(), out);
        Rational v = DemoTask.apply(b.op(), l, r);
        out.add(new Step(l + " " + b.op() + " " + r + " = " + v,
            Math.max(l.digits(), r.digits()), !l.isInteger() || !r.isInteger() || !v.isInteger()));
        return v;
      }
      return e.eval(null);
    }

    @Override
    public List<Rational> numbers() {
      List<Rational> out = new ArrayList<>();
      expr.leaves(n -> out.add(n.eval(null)));
      for (Step s : steps()) {
        out.add(Rational.parse(s.text().substring(s.text().lastIndexOf('=') + 1).trim()));
      }
      return out;
    }

    @Override
    public int depth() {
      return expr.depth();
    }

    @Override
    public boolean usesDivision() {
      return DemoTask.hasDivision(expr);
    }

    @Override
    public Optional<String> invalidReason() {
      if (expr.hasVar()) {
        return Optional.of("unexpected_unknown");
      }
      try {
        expr.eval();
        return Optional.empty();
      } catch (ArithmeticException e) {
        return Optional.of("division_by_zero");
      }
    }
  }

  /** Solve {@code lhs(x) = rhs} where {@code x} occurs once in {@code lhs}, never in a denominator. */
  record Linear(DemoExpr lhs, Rational rhs) implements DemoTask {
    @Override
    public String topic() {
      return "linear_equations";
    }

    @Override
    public String spec() {
      return "linear: " + DemoExpr.print(lhs) + " = " + rhs;
    }

    @Override
    public String statement() {
      return "Solve for x: " + DemoExpr.print(lhs) + " = " + rhs + "."
          + (solution0().isInteger() ? "" : " Give x as a fraction in lowest terms.");
    }

    /** The exact solution. */
    public Rational solution0() {
      Rational b = lhs.eval(Rational.ZERO);
      Rational a = lhs.eval(Rational.ONE).subtract(b);
      return rhs.subtract(b).divide(a);
    }

    @Override
    public String answer() {
      return solution0().toString();
    }

    @Override
    public List<Step> steps() {
      List<Step> out = new ArrayList<>();
      DemoExpr side = lhs;
      Rational target = rhs;
      while (side instanceof DemoExpr.Bin b) {
        boolean xLeft = b.left().hasVar();
        DemoExpr inner = xLeft ? b.left() : b.right();
        Rational k = (xLeft ? b.right() : b.left()).eval(null);
        Rational next;
        String what;
        switch (b.op()) {
          case '+' -> {
            next = target.subtract(k);
            what = "subtract " + k + " from both sides";
          }
          case '-' -> {
            if (xLeft) {
              next = target.add(k);
              what = "add " + k + " to both sides";
            } else {
              next = k.subtract(target);
              what = "move the unknown term: " + k + " - (" + target + ")";
            }
          }
          case '*' -> {
            next = target.divide(k);
            what = "divide both sides by " + k;
          }
          default -> {
            next = target.multiply(k);
            what = "multiply both sides by " + k;
          }
        }
        out.add(new Step(what + ", giving " + DemoExpr.print(inner) + " = " + next,
            Math.max(k.digits(), target.digits()), !k.isInteger() || !target.isInteger() || !next.isInteger()));
        side = inner;
        target = next;
      }
      return out;
    }

    @Override
    public List<Rational> numbers() {
      List<Rational> out = new ArrayList<>();
      lhs.leaves(n -> out.add(n.eval(null)));
      out.add(rhs);
      out.add(solution0());
      return out;
    }

    @Override
    public int depth() {
      return lhs.depth();
    }

    @Override
    public boolean usesDivision() {
      return DemoTask.hasDivision(lhs);
    }

    @Override
    public Optional<String> invalidReason() {
      int[] vars = {0};
      countVars(lhs, vars);
      if (vars[0] != 1) {
        return Optional.of("unknown_count");
      }
      if (varInDenominator(lhs)) {
        return Optional.of("x_in_denominator");
      }
      try {
        Rational b = lhs.eval(Rational.ZERO);
        Rational a = lhs.eval(Rational.ONE).subtract(b);
        if (a.signum() == 0) {
          return Optional.of("no_unique_solution");
        }
        steps();
        return Optional.empty();
      } catch (ArithmeticException e) {
        return Optional.of("division_by_zero");
      }
    }

    private static void countVars(DemoExpr e, int[] n) {
      if (e instanceof DemoExpr.Var) {
        n[0]++;
      } else if (e instanceof DemoExpr.Bin b) {
        countVars(b.left(), n);
        countVars(b.right(), n);
      }
    }

    private static boolean varInDenominator(DemoExpr e) {
      if (e instanceof DemoExpr.Bin b) {
        return (b.op() == '/' && b.right().hasVar()) || varInDenominator(b.left())
            || varInDenominator(b.right());
      }
      return false;
    }
  }

  /** Solve {@code a1 x + b1 y = c1, a2 x + b2 y = c2} for a unique {@code (x, y)}. */
  record System2(Rational a1, Rational b1, Rational c1, Rational a2, Rational b2, Rational c2)
      implements DemoTask {
    @Override
    public String topic() {
      return "systems_of_equations";
    }

    @Override
    public String spec() {
      return "system: " + a1 + ", " + b1 + ", " + c1 + "; " + a2 + ", " + b2 + ", " + c2;
    }

    private static String row(Rational a, Rational b, Rational c) {
      String bs = b.signum() < 0 ? " - " + b.negate() : " + " + b;
      return a + "x" + bs + "y = " + c;
    }

    @Override
    public String statement() {
      return "Solve the system " + row(a1, b1, c1) + " and " + row(a2, b2, c2)
          + ". Give the answer as x, y.";
    }

    private Rational det() {
      return a1.multiply(b2).subtract(a2.multiply(b1));
    }

    /** The solution x. */
    public Rational x() {
      return c1.multiply(b2).subtract(c2.multiply(b1)).divide(det());
    }

    /** The solution y. */
    public Rational y() {
      return a1.multiply(c2).subtract(a2.multiply(c1)).divide(det());
    }

    @Override
    public String answer() {
      return x() + ", " + y();
    }

    @Override
    public List<Step> steps() {
      Rational d = det();
      List<Step> out = new ArrayList<>();
      int dig = 0;
      boolean frac = false;
      for (Rational r : List.of(a1, b1, c1, a2, b2, c2)) {
        dig = Math.max(dig, r.digits());
        frac |= !r.isInteger();
      }
      out.add(new Step("the determinant is " + a1 + " * " + b2 + " - " + a2 + " * " + b1 + " = " + d,
          dig, frac || !d.isInteger()));
      Rational xn = c1.multiply(b2).subtract(c2.multiply(b1));
      out.add(new Step("eliminate y: " + d + " x = " + xn, Math.max(dig, xn.digits()), frac));
      out.add(new Step("so x = " + x(), Math.max(xn.digits(), d.digits()), !x().isInteger()));
      out.add(new Step("substitute back: y = " + y(), Math.max(dig, y().digits()),
          frac || !y().isInteger()));
      return out;
    }

    @Override
    public List<Rational> numbers() {
      return List.of(a1, b1, c1, a2, b2, c2, x(), y());
    }

    @Override
    public int depth() {
      return 0;
    }

    @Override
    public boolean usesDivision() {
      return !x().isInteger() || !y().isInteger();
    }

    @Override
    public Optional<String> invalidReason() {
      return det().signum() == 0 ? Optional.of("singular_system") : Optional.empty();
    }
  }

  /** Whether an expression contains a division. */
  static boolean hasDivision(DemoExpr e) {
    return e instanceof DemoExpr.Bin b && (b.op() == '/' || hasDivision(b.left()) || hasDivision(b.right()));
  }

  /** {@code a op b} for one of {@code + - * /}. */
  static Rational apply(char op, Rational a, Rational b) {
    return switch (op) {
      case '+' -> a.add(b);
      case '-' -> a.subtract(b);
      case '*' -> a.multiply(b);
      default -> a.divide(b);
    };
  }
}
