package dev.sparq.core.answer;

/**
 * The shape of a final answer, as read by {@link AnswerChecker#kind(String)}: a cheap categorical
 * descriptor of a problem. The ordinal is stable and may be used as a numeric measure.
 */
public enum AnswerKind {
  /** No answer, or one too long or too deep to read. */
  NONE,
  /** An integer, possibly negative. */
  INTEGER,
  /** A non-integer rational: fraction, mixed number or terminating decimal. */
  RATIONAL,
  /** A constant that is not rational as written: radicals, pi, logarithms. */
  IRRATIONAL,
  /** An expression with variables. */
  EXPRESSION,
  /** An ordered tuple or an interval. */
  TUPLE,
  /** An unordered list, set or union. */
  LIST,
  /** A matrix or vector. */
  MATRIX,
  /** Text. */
  TEXT
}
