package dev.sparq.core.answer;

import java.util.List;

/**
 * A parsed answer: a scalar, a sequence (list, set, tuple, interval, union), a matrix, a relation or
 * text.
 */
sealed interface AnswerValue {
  /** A number or an expression; {@code percent} when it was written with a percent sign. */
  record Scalar(MathExpr expr, boolean percent) implements AnswerValue {}

  /**
   * Several values. Unordered sequences (comma lists, sets, unions of intervals) compare as
   * multisets; ordered ones (tuples, intervals) compare element by element and need the same
   * brackets.
   *
   * @param ordered whether order matters
   * @param open the opening bracket ({@code (}, {@code [}), or {@code ,} for a bare list, {@code n} for a
   *     list of named values ({@code p=5, q=2}),
   *     {@code U} for a union, {@code s} for a set
   * @param close the closing bracket, or the same marker as {@code open}
   */
  record Seq(boolean ordered, char open, char close, List<AnswerValue> items) implements AnswerValue {}

  /** A matrix or vector written with a {@code matrix} environment, row by row. */
  record Matrix(List<List<AnswerValue>> rows) implements AnswerValue {}

  /**
   * A relation or a chain of them: {@code x \le 5}, {@code 2x+4y-3=0}, {@code -2 \le x \le 7},
   * {@code x = 5+5+1 = 11}. {@code ops} holds one of {@code = < > ≤ ≥ ≠} between each pair of parts.
   *
   * @param strippable whether the last part alone may stand for the whole (a chain, or a left-hand
   *     side that names a quantity rather than computes one: {@code (p,q)=(3,2)}, {@code AB=4})
   */
  record Relation(List<Character> ops, List<AnswerValue> parts, boolean strippable)
      implements AnswerValue {}

  /** Anything that is not mathematics this checker understands, compared as normalised text. */
  record Text(String text) implements AnswerValue {}
}
