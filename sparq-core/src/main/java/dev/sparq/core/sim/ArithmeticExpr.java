package dev.sparq.core.sim;

import java.util.function.Consumer;

/**
 * A tiny integer arithmetic expression tree (+, -, *) used by the simulated domain. Immutable.
 */
abstract sealed class ArithmeticExpr permits ArithmeticExpr.Num, ArithmeticExpr.Bin {

  abstract long eval();

  abstract int ops();

  abstract int depth();

  abstract void leaves(Consumer<Num> visitor);

  /** Fully parenthesised except at the root. */
  abstract void print(StringBuilder sb, boolean root);

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    print(sb, true);
    return sb.toString();
  }

  static final class Num extends ArithmeticExpr {
    final long value;

    Num(long value) {
      this.value = value;
    }

    @Override
    long eval() {
      return value;
    }

    @Override
    int ops() {
      return 0;
    }

    @Override
    int depth() {
      return 0;
    }

    @Override
    void leaves(Consumer<Num> visitor) {
      visitor.accept(this);
    }

    @Override
    void print(StringBuilder sb, boolean root) {
      sb.append(value);
    }
  }

  static final class Bin extends ArithmeticExpr {
    final char op;
    final ArithmeticExpr left;
    final ArithmeticExpr right;

    Bin(char op, ArithmeticExpr left, ArithmeticExpr right) {
      this.op = op;
      this.left = left;
      this.right = right;
    }

    @Override
    long eval() {
      long a = left.eval();
      long b = right.eval();
      return switch (op) {
        case '+' -> Math.addExact(a, b);
        case '-' -> Math.subtractExact(a, b);
        case '*' -> Math.multiplyExact(a, b);
        default -> throw new IllegalStateException("op " + op);
      };
    }

    @Override
    int ops() {
      return 1 + left.ops() + right.ops();
    }

    @Override
    int depth() {
      return 1 + Math.max(left.depth(), right.depth());
    }

    @Override
    void leaves(Consumer<Num> visitor) {
      left.leaves(visitor);
      right.leaves(visitor);
    }

    @Override
    void print(StringBuilder sb, boolean root) {
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

  /** Parses what {@link #toString()} prints. */
  static ArithmeticExpr parse(String s) {
    Parser p = new Parser(s);
    ArithmeticExpr e = p.expr();
    p.skipSpaces();
    if (p.pos != s.length()) {
      throw new IllegalArgumentException("unexpected '" + s.charAt(p.pos) + "' at " + p.pos + " in " + s);
    }
    return e;
  }

  private static final class Parser {
    final String s;
    int pos;

    Parser(String s) {
      this.s = s;
    }

    void skipSpaces() {
      while (pos < s.length() && s.charAt(pos) == ' ') {
        pos++;
      }
    }

    ArithmeticExpr expr() {
      ArithmeticExpr left = atom();
      skipSpaces();
      if (pos < s.length() && "+-*".indexOf(s.charAt(pos)) >= 0) {
        char op = s.charAt(pos++);
        ArithmeticExpr right = atom();
        return new Bin(op, left, right);
      }
      return left;
    }

    ArithmeticExpr atom() {
      skipSpaces();
      if (pos >= s.length()) {
        throw new IllegalArgumentException("unexpected end of " + s);
      }
      if (s.charAt(pos) == '(') {
        pos++;
        ArithmeticExpr e = expr();
        skipSpaces();
        if (pos >= s.length() || s.charAt(pos) != ')') {
          throw new IllegalArgumentException("missing ')' in " + s);
        }
        pos++;
        return e;
      }
      int start = pos;
      if (s.charAt(pos) == '-') {
        pos++;
      }
      while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
        pos++;
      }
      if (pos == start || (pos == start + 1 && s.charAt(start) == '-')) {
        throw new IllegalArgumentException("expected a number at " + start + " in " + s);
      }
      return new Num(Long.parseLong(s.substring(start, pos)));
    }
  }
}
