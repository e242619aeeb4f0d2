package dev.sparq.core.answer;

import java.util.List;

/** A parsed answer: a scalar, a sequence (list, set, tuple, interval, union), a matrix or text. */
sealed interface AnswerValue {
  /** A number or an expression; {@code percent} when it was written with a percent sign. */
  record Scalar(MathExpr expr, boolean percent) implements AnswerValue {}

  /**
   * Several values. Unordered sequences (comma lists, sets, unions of intervals) compare as
   * multisets; ordered ones (tuples, intervals) compare element by element and need the same
   * brackets.
   *
   * @param ordered whether order matters
   * @param open the opening bracket ({@code (}, {@code [}), or {@code ,} for a bare list,
   *     {@code U} for a union, {@code s} for a set
   * @param close the closing bracket, or the same marker as {@code open}
   */
  record Seq(boolean ordered, char open, char close, List<AnswerValue> items) implements AnswerValue {}

  /** A matrix or vector written with a {@code matrix} environment, row by row. */
  record Matrix(List<List<AnswerValue>> rows) implements AnswerValue {}

  /** Anything that is not mathematics this checker understands, compared as normalised text. */
  record Text(String text) implements AnswerValue {}
}
