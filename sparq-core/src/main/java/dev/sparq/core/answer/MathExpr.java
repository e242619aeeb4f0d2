package dev.sparq.core.answer;

import dev.sparq.core.math.Rational;
import java.util.List;

/** The syntax tree of one scalar answer such as {@code 2\sqrt{2}}, {@code \frac{x+1}{2}} or {@code 0.25}. */
sealed interface MathExpr {
  /** A decimal literal; {@code fractionDigits} counts the digits written after the point. */
  record Num(Rational value, int fractionDigits, boolean hasPoint) implements MathExpr {}

  /** A variable such as {@code x} or {@code a_1}. */
  record Var(String name) implements MathExpr {}

  /** A named constant: {@code pi} or {@code inf}. (Letters, {@code e} included, are variables.) */
  record Const(String name) implements MathExpr {}

  /** Unary minus. */
  record Neg(MathExpr arg) implements MathExpr {}

  /** A binary operation; {@code op} is one of {@code + - * / ^}. */
  record Bin(char op, MathExpr left, MathExpr right) implements MathExpr {}

  /** A function application: sqrt, sin, cos, tan, ln, log, exp, abs, fact, ... */
  record Func(String name, List<MathExpr> args) implements MathExpr {}
}
