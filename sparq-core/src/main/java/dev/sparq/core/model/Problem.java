package dev.sparq.core.model;

import com.google.common.collect.ImmutableSortedMap;
import java.util.Map;
import java.util.Objects;

/**
 * A math problem with its reference solution and intended answer. Immutable.
 *
 * <p>The {@link #id()} is derived from the normalised statement ({@link ProblemIds#idOf}) unless
 * given, so the same problem text always has the same id.
 *
 * @param id stable id; {@code null} in the canonical constructor means "derive from statement"
 * @param statement the problem text shown to solvers
 * @param solution the reference solution written by the generator or taken from the seed set (may be
 *     empty)
 * @param answer the intended final answer (the gold for answer checking)
 * @param lineage parents, operator and generation
 * @param attributes free string attributes (source file, MATH level and type, skills, ...), sorted by
 *     key
 */
public record Problem(
    String id,
    String statement,
    String solution,
    String answer,
    Lineage lineage,
    Map<String, String> attributes) {

  public Problem {
    Objects.requireNonNull(statement, "statement");
    solution = solution == null ? "" : solution;
    answer = answer == null ? "" : answer;
    lineage = lineage == null ? Lineage.seed() : lineage;
    attributes = attributes == null ? ImmutableSortedMap.of() : ImmutableSortedMap.copyOf(attributes);
    if (id == null || id.isEmpty()) {
      id = ProblemIds.idOf(statement);
    }
  }

  /** A seed problem with a derived id and no attributes. */
  public static Problem of(String statement, String solution, String answer) {
    return new Problem(null, statement, solution, answer, Lineage.seed(), Map.of());
  }

  /** A generated problem with a derived id. */
  public static Problem of(String statement, String solution, String answer, Lineage lineage) {
    return new Problem(null, statement, solution, answer, lineage, Map.of());
  }

  /** This problem with one attribute added or replaced. */
  public Problem withAttribute(String key, String value) {
    ImmutableSortedMap.Builder<String, String> b = ImmutableSortedMap.naturalOrder();
    attributes.forEach((k, v) -> {
      if (!k.equals(key)) {
        b.put(k, v);
      }
    });
    b.put(key, value);
    return new Problem(id, statement, solution, answer, lineage, b.build());
  }
}
