package dev.sparq.core.seeds;

import java.util.List;
import java.util.Objects;

/**
 * Which JSON fields of a seed record hold what. Used by {@link SeedLoader#generic} and, with fixed
 * mappings, by the MATH and GSM8K loaders.
 *
 * @param problem field holding the problem statement (required)
 * @param solution field holding the reference solution ({@code null}: none)
 * @param answer field holding the answer ({@code null}: extract it from the solution)
 * @param extraction how to extract the answer from the solution when {@code answer} is null or the
 *     record lacks it
 * @param id field holding a stable id ({@code null}: derive the id from the statement)
 * @param attributes fields copied into the problem's attributes (as text)
 */
public record FieldMapping(String problem, String solution, String answer,
    AnswerExtraction extraction, String id, List<String> attributes) {
  public FieldMapping {
    Objects.requireNonNull(problem, "problem");
    extraction = extraction == null ? AnswerExtraction.NONE : extraction;
    attributes = attributes == null ? List.of() : List.copyOf(attributes);
    if (answer == null && (solution == null || extraction == AnswerExtraction.NONE)) {
      throw new IllegalArgumentException(
          "a field mapping needs an answer field, or a solution field and an extraction");
    }
  }

  /** The MATH layout: problem, solution (answer in the last \boxed{}), level and type. */
  public static FieldMapping math() {
    return new FieldMapping("problem", "solution", null, AnswerExtraction.BOXED, null,
        List.of("level", "type"));
  }

  /** The GSM8K layout: question, answer (solution ending in {@code #### N}). */
  public static FieldMapping gsm8k() {
    return new FieldMapping("question", "answer", null, AnswerExtraction.GSM8K, null, List.of());
  }

  /** A mapping with a problem field and an answer field only. */
  public static FieldMapping of(String problem, String answer) {
    return new FieldMapping(problem, null, answer, AnswerExtraction.NONE, null, List.of());
  }

  public FieldMapping withSolution(String field, AnswerExtraction extraction) {
    return new FieldMapping(problem, field, answer, extraction, id, attributes);
  }

  public FieldMapping withId(String field) {
    return new FieldMapping(problem, solution, answer, extraction, field, attributes);
  }

  public FieldMapping withAttributes(List<String> fields) {
    return new FieldMapping(problem, solution, answer, extraction, id, fields);
  }
}
