package dev.sparq.core.generate;

import dev.sparq.core.Outcome;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.StageContext;

/**
 * A variation operator of {@link LlmGenerator}: turns one primary parent (plus, for some operators,
 * extra parents drawn from {@link StageContext#parents()}) into a prompt. Built by {@link Operators}.
 */
public interface Operator {
  /** The name recorded in the child's lineage ({@code "mutate"}, {@code "crossover"}, ...). */
  String name();

  /**
   * Builds the prompt for one primary parent. Random choices use {@code context.random()} only.
   *
   * @return the prompt, or a rejection such as {@code not_enough_parents}
   */
  Outcome<OperatorPrompt> prompt(Problem parent, StageContext context);
}
