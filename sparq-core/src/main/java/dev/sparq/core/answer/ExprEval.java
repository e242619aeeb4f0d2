package dev.sparq.core.answer;

import dev.sparq.core.math.Rational;
import java.math.BigInteger;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Exact (rational) and numeric evaluation of {@link MathExpr} trees, both spending a {@link StepBudget}. */
final class ExprEval {
  /** Largest integer exponent evaluated exactly. */
  static final int MAX_EXACT_EXPONENT = 4096;
  /** Largest size, in bits of numerator plus denominator, of an exact intermediate result. */
  static final long MAX_EXACT_BITS = 8192;

  private ExprEval() {}

  /** The exact value, or {@code null} when the value is not rational or too large to hold exactly. */
  static Rational exact(MathExpr e, StepBudget budget) {
    budget.step();
    if (e instanceof MathExpr.Num n) {
      return n.value();
    }
    if (e instanceof MathExpr.Neg n) {
      Rational a = exact(n.arg(), budget);
      return a == null ? null : a.negate();
    }
    if (e instanceof MathExpr.Bin b) {
      Rational l = exact(b.left(), budget);
      if (l == null) {
        return null;
      }
      Rational r = exact(b.right(), budget);
      if (r == null) {
        return null;
      }
      Rational v;
      switch (b.op()) {
        case '+': v = l.add(r); break;
        case '-': v = l.subtract(r); break;
        case '*': v = l.multiply(r); break;
        case '/':
          if (r.isZero()) {
            return null;
          }
          v = l.divide(r);
          break;
        case '^': v = pow(l, r); break;
        default: return null;
      }
      return v == null || v.bits() > MAX_EXACT_BITS ? null : v;
    }
    if (e instanceof MathExpr.Func f) {
      if (f.name().equals("sqrt")) {
        Rational a = exact(f.args().get(0), budget);
        return a == null ? null : sqrtExact(a);
      }
      if (f.name().equals("fact")) {
        Rational a = exact(f.args().get(0), budget);
        if (a == null || !a.isInteger() || a.num().signum() < 0 || a.num().bitLength() > 8
            || a.num().intValue() > 200) {
          return null;
        }
        BigInteger r = BigInteger.ONE;
        for (int i = 2; i <= a.num().intValue(); i++) {
          budget.step();
          r = r.multiply(BigInteger.valueOf(i));
        }
        return new Rational(r, BigInteger.ONE);
      }
      if (f.name().equals("abs")) {
        Rational a = exact(f.args().get(0), budget);
        return a == null ? null : (a.num().signum() < 0 ? a.negate() : a);
      }
    }
    return null;
  }

  private static Rational pow(Rational base, Rational exponent) {
    if (!exponent.isInteger() || exponent.num().bitLength() > 31) {
      return null;
    }
    int n = exponent.num().intValue();
    if (Math.abs(n) > MAX_EXACT_EXPONENT) {
      return null;
    }
    if ((long) Math.abs(n) * Math.max(1, base.bits()) > MAX_EXACT_BITS) {
      return null;
    }
    if (n < 0 && base.isZero()) {
      return null;
    }
    Rational r = new Rational(base.num().pow(Math.abs(n)), base.den().pow(Math.abs(n)));
    return n < 0 ? Rational.ONE.divide(r) : r;
  }

  private static Rational sqrtExact(Rational a) {
    if (a.num().signum() < 0) {
      return null;
    }
    BigInteger rn = a.num().sqrt();
    BigInteger rd = a.den().sqrt();
    if (rn.multiply(rn).equals(a.num()) && rd.multiply(rd).equals(a.den())) {
      return new Rational(rn, rd);
    }
    return null;
  }

  /** The value in double precision with variables bound by {@code env}; NaN when undefined. */
  static double numeric(MathExpr e, Map<String, Double> env, StepBudget budget) {
    budget.step();
    if (e instanceof MathExpr.Num n) {
      return n.value().toDouble();
    }
    if (e instanceof MathExpr.Var v) {
      Double x = env.get(v.name());
      return x == null ? Double.NaN : x;
    }
    if (e instanceof MathExpr.Const c) {
      return c.name().equals("pi") ? Math.PI : Double.POSITIVE_INFINITY;
    }
    if (e instanceof MathExpr.Neg n) {
      return -numeric(n.arg(), env, budget);
    }
    if (e instanceof MathExpr.Bin b) {
      double l = numeric(b.left(), env, budget);
      double r = numeric(b.right(), env, budget);
      switch (b.op()) {
        case '+': return l + r;
        case '-': return l - r;
        case '*': return l * r;
        case '/': return r == 0 ? Double.NaN : l / r;
        case '^': return power(l, r, b.right(), budget);
        default: return Double.NaN;
      }
    }
    if (e instanceof MathExpr.Func f) {
      double a = numeric(f.args().get(f.args().size() - 1), env, budget);
      switch (f.name()) {
        case "sqrt": return Math.sqrt(a);
        case "root": {
          double idx = numeric(f.args().get(0), env, budget);
          if (a < 0 && idx == Math.rint(idx) && ((long) idx) % 2 == 1) {
            return -Math.pow(-a, 1 / idx);
          }
          return Math.pow(a, 1 / idx);
        }
        case "sin": return Math.sin(a);
        case "cos": return Math.cos(a);
        case "tan": return Math.tan(a);
        case "sec": return 1 / Math.cos(a);
        case "csc": return 1 / Math.sin(a);
        case "cot": return 1 / Math.tan(a);
        case "arcsin": return Math.asin(a);
        case "arccos": return Math.acos(a);
        case "arctan": return Math.atan(a);
        case "ln": return Math.log(a);
        case "log": return Math.log10(a);
        case "exp": return Math.exp(a);
        case "abs": return Math.abs(a);
        case "fact": {
          if (a < 0 || a != Math.rint(a) || a > 170) {
            return Double.NaN;
          }
          double r = 1;
          for (int i = 2; i <= (int) a; i++) {
            r *= i;
          }
          return r;
        }
        default: return Double.NaN;
      }
    }
    return Double.NaN;
  }

  /**
   * {@code l^r}, real where a real root exists: a negative base with an exponent that is exactly a
   * fraction of odd denominator ({@code x^{2/3}}, {@code x^{1/3}}) takes the real odd root, as
   * {@code \sqrt[3]{x}} does, instead of NaN.
   */
  private static double power(double l, double r, MathExpr exponent, StepBudget budget) {
    if (l >= 0 || r == Math.rint(r) || Double.isNaN(r) || Double.isInfinite(r)) {
      return Math.pow(l, r);
    }
    Rational q = exact(exponent, budget);
    if (q == null || !q.den().testBit(0) || q.den().bitLength() > 31) {
      return Double.NaN;
    }
    double magnitude = Math.pow(-l, r);
    return q.num().testBit(0) ? -magnitude : magnitude;
  }

  /** The names of the variables in {@code e}, sorted. */
  static Set<String> variables(MathExpr e) {
    Set<String> out = new TreeSet<>();
    collect(e, out);
    return out;
  }

  private static void collect(MathExpr e, Set<String> out) {
    if (e instanceof MathExpr.Var v) {
      out.add(v.name());
    } else if (e instanceof MathExpr.Neg n) {
      collect(n.arg(), out);
    } else if (e instanceof MathExpr.Bin b) {
      collect(b.left(), out);
      collect(b.right(), out);
    } else if (e instanceof MathExpr.Func f) {
      for (MathExpr a : f.args()) {
        collect(a, out);
      }
    }
  }

  /** Whether {@code e} contains a decimal literal with digits after the point. */
  static boolean hasDecimalPoint(MathExpr e) {
    if (e instanceof MathExpr.Num n) {
      return n.hasPoint();
    }
    if (e instanceof MathExpr.Neg n) {
      return hasDecimalPoint(n.arg());
    }
    if (e instanceof MathExpr.Bin b) {
      return hasDecimalPoint(b.left()) || hasDecimalPoint(b.right());
    }
    if (e instanceof MathExpr.Func f) {
      return f.args().stream().anyMatch(ExprEval::hasDecimalPoint);
    }
    return false;
  }

  /**
   * The number of digits after the point when {@code e} is a plain (possibly negated) decimal
   * literal written with a point, else -1.
   */
  static int plainDecimalDigits(MathExpr e) {
    if (e instanceof MathExpr.Neg n) {
      return plainDecimalDigits(n.arg());
    }
    if (e instanceof MathExpr.Num n && n.hasPoint()) {
      return n.fractionDigits();
    }
    return -1;
  }
}
