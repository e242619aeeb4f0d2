package dev.sparq.core.answer;

import dev.sparq.core.math.Rational;
import java.util.List;

/** The syntax tree of one scalar answer such as {@code 2\sqrt{2}}, {@code \frac{x+1}{2}} or {@code 0.25}. */
sealed interface Expr {
  /** A decimal literal; {@code fractionDigits} counts the digits written after the point. */
  record Num(Rational value, int fractionDigits, boolean hasPoint) implements Expr {}

  /** A variable such as {@code x} or {@code a_1}. */
  record Var(String name) implements Expr {}

  /** A named constant: {@code pi} or {@code inf}. (Letters, {@code e} included, are variables.) */
  record Const(String name) implements Expr {}

  /** Unary minus. */
  record Neg(Expr arg) implements Expr {}

  /** A binary operation; {@code op} is one of {@code + - * / ^}. */
  record Bin(char op, Expr left, Expr right) implements Expr {}

  /** A function application: sqrt, sin, cos, tan, ln, log, exp, abs, fact, ... */
  record Func(String name, List<Expr> args) implements Expr {}
}
