package dev.sparq.core.describe;

import dev.sparq.core.Outcome;
import dev.sparq.core.answer.AnswerChecker;
import dev.sparq.core.answer.AnswerKind;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.DiversityDescriptor;
import java.util.ArrayList;
import java.util.List;

/**
 * Descriptors that need no model: the length of the reference solution and the kind of the intended
 * answer. Useful with a grid archive, or alongside skill niches.
 */
public final class CheapDescriptors {
  private CheapDescriptors() {}

  /**
   * Two measures: solution length in characters, and the {@link AnswerKind} ordinal of the answer.
   */
  public static DiversityDescriptor solutionLengthAndAnswerKind() {
    AnswerChecker checker = AnswerChecker.standard();
    return (problems, context) -> {
      List<Outcome<Descriptor>> out = new ArrayList<>(problems.size());
      for (Problem p : problems) {
        out.add(Outcome.of(Descriptor.ofMeasures(p.solution().length(),
            checker.kind(p.answer()).ordinal())));
      }
      return out;
    };
  }

  /** One label, the answer kind in lower case ({@code "integer"}, {@code "expression"}, ...). */
  public static DiversityDescriptor answerKindLabel() {
    AnswerChecker checker = AnswerChecker.standard();
    return (problems, context) -> {
      List<Outcome<Descriptor>> out = new ArrayList<>(problems.size());
      for (Problem p : problems) {
        out.add(Outcome.of(Descriptor.ofLabels(
            checker.kind(p.answer()).name().toLowerCase(java.util.Locale.ROOT))));
      }
      return out;
    };
  }
}
