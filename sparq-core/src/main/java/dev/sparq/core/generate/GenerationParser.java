package dev.sparq.core.generate;

import dev.sparq.core.Outcome;
import dev.sparq.core.Rejection;
import dev.sparq.core.answer.AnswerExtractor;
import dev.sparq.core.internal.AsciiCase;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.FinishReason;
import dev.sparq.core.llm.ReasoningText;
import java.util.Optional;

/**
 * Reads a {@code <problem>...</problem> <solution>...</solution>} reply. Never throws on model output:
 * every defect is a {@link Rejection} with one of the reason codes below, which the generator counts.
 *
 * <table>
 *   <caption>Reason codes</caption>
 *   <tr><td>{@value #TRUNCATED}</td><td>generation hit max_tokens (finish reason {@code length})</td></tr>
 *   <tr><td>{@value #ABORTED}</td><td>the backend aborted the sequence</td></tr>
 *   <tr><td>{@value #UNFINISHED_THINKING}</td><td>the reply ended inside its thinking block (an
 *       unclosed {@code <think>}), whatever the finish reason: it has no answer</td></tr>
 *   <tr><td>{@value #MISSING_PROBLEM_TAG}</td><td>no complete {@code <problem>} element</td></tr>
 *   <tr><td>{@value #MISSING_SOLUTION_TAG}</td><td>no complete {@code <solution>} element</td></tr>
 *   <tr><td>{@value #DUPLICATE_PROBLEM_TAG}</td><td>more than one {@code <problem>} tag</td></tr>
 *   <tr><td>{@value #DUPLICATE_SOLUTION_TAG}</td><td>more than one {@code <solution>} tag</td></tr>
 *   <tr><td>{@value #NESTED_TAGS}</td><td>one element inside the other</td></tr>
 *   <tr><td>{@value #TEXT_OUTSIDE_TAGS}</td><td>text around the elements (only when strict)</td></tr>
 *   <tr><td>{@value #EMPTY_PROBLEM}</td><td>the problem is blank</td></tr>
 *   <tr><td>{@value #EMPTY_SOLUTION}</td><td>the solution is blank</td></tr>
 *   <tr><td>{@value #NO_BOXED_ANSWER}</td><td>the solution has no {@code \boxed{}}</td></tr>
 *   <tr><td>{@value #MALFORMED_BOXED_ANSWER}</td><td>the last box is empty or unbalanced</td></tr>
 *   <tr><td>{@value #TOO_LONG}</td><td>problem or answer longer than the configured caps</td></tr>
 * </table>
 *
 * <p>Tags are matched case-insensitively. Text outside the two elements (such as "Here is a new
 * problem:") is ignored unless the parser is strict.
 *
 * <p>A reasoning model's thinking is removed first ({@link ReasoningText#split}): only the text after
 * {@code </think>} is parsed, so the drafts of {@code <problem>} and {@code <solution>} a model writes
 * while thinking neither count as duplicates nor become the pair. Strictness applies to that visible
 * text.
 */
public final class GenerationParser {
  public static final String TRUNCATED = "truncated";
  public static final String ABORTED = "aborted";
  public static final String UNFINISHED_THINKING = "unfinished_thinking";
  public static final String MISSING_PROBLEM_TAG = "missing_problem_tag";
  public static final String MISSING_SOLUTION_TAG = "missing_solution_tag";
  public static final String DUPLICATE_PROBLEM_TAG = "duplicate_problem_tag";
  public static final String DUPLICATE_SOLUTION_TAG = "duplicate_solution_tag";
  public static final String NESTED_TAGS = "nested_tags";
  public static final String TEXT_OUTSIDE_TAGS = "text_outside_tags";
  public static final String EMPTY_PROBLEM = "empty_problem";
  public static final String EMPTY_SOLUTION = "empty_solution";
  public static final String NO_BOXED_ANSWER = "no_boxed_answer";
  public static final String MALFORMED_BOXED_ANSWER = "malformed_boxed_answer";
  public static final String TOO_LONG = "too_long";

  private final boolean strict;
  private final int maxProblemChars;
  private final int maxAnswerChars;

  /**
   * @param strict reject text outside the two elements
   * @param maxProblemChars longest accepted problem statement
   * @param maxAnswerChars longest accepted boxed answer
   */
  public GenerationParser(boolean strict, int maxProblemChars, int maxAnswerChars) {
    if (maxProblemChars < 1 || maxAnswerChars < 1) {
      throw new IllegalArgumentException("caps must be >= 1");
    }
    this.strict = strict;
    this.maxProblemChars = maxProblemChars;
    this.maxAnswerChars = maxAnswerChars;
  }

  /** A lenient parser with caps of 8,000 characters per problem and 500 per answer. */
  public static GenerationParser standard() {
    return new GenerationParser(false, 8_000, 500);
  }

  /**
   * Parses one completion, honouring its finish reason. A reply that ended inside its thinking is
   * {@value #UNFINISHED_THINKING} (whether it ran out of tokens there or not), one cut off after its
   * thinking is {@value #TRUNCATED}.
   */
  public Outcome<GeneratedPair> parse(Completion completion) {
    if (completion.finishReason() == FinishReason.ABORT) {
      return Outcome.rejected(ABORTED, "");
    }
    ReasoningText.Split split = ReasoningText.split(completion.text());
    if (split.unfinished()) {
      return Outcome.rejected(UNFINISHED_THINKING, completion.completionTokens() + " tokens, finish reason "
          + completion.finishReason().wireName());
    }
    if (completion.finishReason() == FinishReason.LENGTH) {
      return Outcome.rejected(TRUNCATED, completion.completionTokens() + " tokens");
    }
    return parseVisible(split.answer());
  }

  /** Parses reply text, without its thinking (see the class description). */
  public Outcome<GeneratedPair> parse(String text) {
    if (text == null) {
      return Outcome.rejected(MISSING_PROBLEM_TAG, "no text");
    }
    ReasoningText.Split split = ReasoningText.split(text);
    if (split.unfinished()) {
      return Outcome.rejected(UNFINISHED_THINKING, "");
    }
    return parseVisible(split.answer());
  }

  private Outcome<GeneratedPair> parseVisible(String text) {
    // ASCII-only lower case keeps indexes aligned with the original text.
    String lower = AsciiCase.lower(text);
    Element problem = element(text, lower, "problem");
    if (problem.reason != null) {
      return Outcome.rejected(problem.reason, "");
    }
    Element solution = element(text, lower, "solution");
    if (solution.reason != null) {
      return Outcome.rejected(solution.reason, "");
    }
    boolean disjoint = problem.end <= solution.start || solution.end <= problem.start;
    if (!disjoint) {
      return Outcome.rejected(NESTED_TAGS, "");
    }
    if (strict) {
      int first = Math.min(problem.start, solution.start);
      int last = Math.max(problem.end, solution.end);
      int midFrom = Math.min(problem.end, solution.end);
      int midTo = Math.max(problem.start, solution.start);
      if (!text.substring(0, first).isBlank() || !text.substring(last).isBlank()
          || !text.substring(midFrom, midTo).isBlank()) {
        return Outcome.rejected(TEXT_OUTSIDE_TAGS, "");
      }
    }
    String p = problem.content.strip();
    String s = solution.content.strip();
    if (p.isEmpty()) {
      return Outcome.rejected(EMPTY_PROBLEM, "");
    }
    if (s.isEmpty()) {
      return Outcome.rejected(EMPTY_SOLUTION, "");
    }
    if (p.length() > maxProblemChars) {
      return Outcome.rejected(TOO_LONG, "problem has " + p.length() + " characters");
    }
    if (!s.contains("\\boxed") && !s.contains("\\fbox")) {
      return Outcome.rejected(NO_BOXED_ANSWER, "");
    }
    Optional<String> answer = AnswerExtractor.extract(s);
    if (answer.isEmpty()) {
      return Outcome.rejected(MALFORMED_BOXED_ANSWER, "");
    }
    if (answer.get().length() > maxAnswerChars) {
      return Outcome.rejected(TOO_LONG, "answer has " + answer.get().length() + " characters");
    }
    return Outcome.of(new GeneratedPair(p, s, answer.get()));
  }


  private static final class Element {
    String reason;
    String content;
    int start;
    int end;
  }

  private static Element element(String text, String lower, String name) {
    Element e = new Element();
    String open = "<" + name + ">";
    String close = "</" + name + ">";
    int o = lower.indexOf(open);
    if (o < 0) {
      e.reason = name.equals("problem") ? MISSING_PROBLEM_TAG : MISSING_SOLUTION_TAG;
      return e;
    }
    if (lower.indexOf(open, o + open.length()) >= 0) {
      e.reason = name.equals("problem") ? DUPLICATE_PROBLEM_TAG : DUPLICATE_SOLUTION_TAG;
      return e;
    }
    int c = lower.indexOf(close, o + open.length());
    if (c < 0) {
      e.reason = name.equals("problem") ? MISSING_PROBLEM_TAG : MISSING_SOLUTION_TAG;
      return e;
    }
    if (lower.indexOf(close, c + close.length()) >= 0 || lower.lastIndexOf(close, o) >= 0) {
      e.reason = name.equals("problem") ? DUPLICATE_PROBLEM_TAG : DUPLICATE_SOLUTION_TAG;
      return e;
    }
    e.content = text.substring(o + open.length(), c);
    e.start = o;
    e.end = c + close.length();
    return e;
  }
}
