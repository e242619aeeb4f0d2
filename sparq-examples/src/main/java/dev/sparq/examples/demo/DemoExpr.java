package dev.sparq.examples.demo;

import dev.sparq.core.math.Rational;
import java.math.BigInteger;
import java.util.function.Consumer;

/**
 * An expression tree over exact rationals with the four operations and at most one unknown
 * {@code x}. Immutable. Printed fully parenthesised except at the root, and parsed back by
 * {@link #parse(String)}.
 */
public sealed interface DemoExpr permits DemoExpr.Num, DemoExpr.Var, DemoExpr.Bin {

  /** The value with {@code x} bound to {@code x}; throws {@link ArithmeticException} on division by zero. */
  Rational eval(Rational x);

  /** The value of an expression without an unknown. */
  default Rational eval() {
    return eval(null);
  }

  /** Number of operations. */
  int ops();

  /** Height of the tree (a leaf has depth 0). */
  int depth();

  /** Whether the unknown occurs. */
  boolean hasVar();

  /** Visits the number leaves left to right. */
  void leaves(Consumer<Num> visitor);

  /** Appends the printed form. */
  void print(StringBuilder sb, boolean root);

  /** The printed form, parseable by {@link #parse(String)}. */
  static String print(DemoExpr e) {
    StringBuilder sb = new StringBuilder();
    e.print(sb, true);
    return sb.toString();
  }

  /** A non-negative integer leaf. */
  record Num(BigInteger value) implements DemoExpr {
    /** A leaf of value {@code v} (must be {@code >= 0}). */
    public static Num of(long v) {
      if (v < 0) {
        throw new IllegalArgumentException("number leaves are non-negative, got " + v);
      }
      return new Num(BigInteger.valueOf(v));
    }

    @Override
    public Rational eval(Rational x) {
      return new Rational(value, BigInteger.ONE);
    }

    @Override
    public int ops() {
      return 0;
    }

    @Override
    public int depth() {
      return 0;
    }

    @Override
    public boolean hasVar() {
      return false;
    }

    @Override
    public void leaves(Consumer<Num> visitor) {
      visitor.accept(this);
    }

    @Override
    public void print(StringBuilder sb, boolean root) {
      sb.append(value);
    }
  }

  /** The unknown {@code x}. */
  record Var() implements DemoExpr {
    @Override
    public Rational eval(Rational x) {
      if (x == null) {
        throw new IllegalStateException("the expression has an unknown");
      }
      return x;
    }

    @Override
    public int ops() {
      return 0;
    }

    @Override
    public int depth() {
      return 0;
    }

    @Override
    public boolean hasVar() {
      return true;
    }

    @Override
    public void leaves(Consumer<Num> visitor) {}

    @Override
    public void print(StringBuilder sb, boolean root) {
      sb.append('x');
    }
  }

  /** A binary operation: {@code op} is one of {@code + - * /}. */
  record Bin(char op, DemoExpr left, DemoExpr right) implements DemoExpr {
    /** Checks the operator. */
    public Bin {
      if ("+-*/".indexOf(op) < 0) {
        throw new IllegalArgumentException("unknown operator " + op);
      }
    }

    @Override
    public Rational eval(Rational x) {
      Rational a = left.eval(x);
      Rational b = right.eval(x);
      return switch (op) {
        case '+' -> a.add(b);
        case '-' -> a.subtract(b);
        case '*' -> a.multiply(b);
        default -> a.divide(b);
      };
    }

    @Override
    public int ops() {
      return 1 + left.ops() + right.ops();
    }

    @Override
    public int depth() {
      return 1 + Math.max(left.depth(), right.depth());
    }

    @Override
    public boolean hasVar() {
      return left.hasVar() || right.hasVar();
    }

    @Override
    public void leaves(Consumer<Num> visitor) {
      left.leaves(visitor);
      right.leaves(visitor);
    }

    @Override
    public void print(StringBuilder sb, boolean root) {
      if (!root) {
        sb.append('(');
      }
      left.print(sb, false);
      sb.append(' ').append(op).append(' ');
      right.print(sb, false);
      if (!root) {
        sb.append(')');
      }
    }
  }

  /**
   * Parses the printed form: numbers, {@code x}, parentheses and one binary operator per level.
   *
   * @throws IllegalArgumentException with the position when the text does not parse
   */
  static DemoExpr parse(String s) {
    int[] pos = {0};
    DemoExpr e = parseExpr(s, pos);
    skip(s, pos);
    if (pos[0] != s.length()) {
      throw new IllegalArgumentException("unexpected '" + s.charAt(pos[0]) + "' at " + pos[0] + " in: " + s);
    }
    return e;
  }

  private static void skip(String s, int[] pos) {
    while (pos[0] < s.length() && s.charAt(pos[0]) == ' ') {
      pos[0]++;
    }
  }

  private static DemoExpr parseExpr(String s, int[] pos) {
    DemoExpr left = parseAtom(s, pos);
    skip(s, pos);
    if (pos[0] < s.length() && "+-*/".indexOf(s.charAt(pos[0])) >= 0) {
      char op = s.charAt(pos[0]++);
      DemoExpr right = parseAtom(s, pos);
      return new Bin(op, left, right);
    }
    return left;
  }

  private static DemoExpr parseAtom(String s, int[] pos) {
    skip(s, pos);
    if (pos[0] >= s.length()) {
      throw new IllegalArgumentException("unexpected end of: " + s);
    }
    char c = s.charAt(pos[0]);
    if (c == '(') {
      pos[0]++;
      DemoExpr e = parseExpr(s, pos);
      skip(s, pos);
      if (pos[0] >= s.length() || s.charAt(pos[0]) != ')') {
        throw new IllegalArgumentException("missing ')' at " + pos[0] + " in: " + s);
      }
      pos[0]++;
      return e;
    }
    if (c == 'x') {
      pos[0]++;
      return new Var();
    }
    int start = pos[0];
    while (pos[0] < s.length() && Character.isDigit(s.charAt(pos[0]))) {
      pos[0]++;
    }
    if (pos[0] == start) {
      throw new IllegalArgumentException("expected a number, 'x' or '(' at " + start + " in: " + s);
    }
    return new Num(new BigInteger(s.substring(start, pos[0])));
  }
}
