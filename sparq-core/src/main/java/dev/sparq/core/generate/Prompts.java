package dev.sparq.core.generate;

import dev.sparq.core.prompt.PromptTemplate;
/**
 * The default prompt templates, in our own wording. Each asks for exactly one new problem and a full
 * solution in {@code <problem>} / {@code <solution>} tags with the final answer boxed, which is what
 * {@link GenerationParser} reads. Copy and edit them to override.
 */
public final class Prompts {
  private Prompts() {}

  /** The default system prompt of every operator. */
  public static final String SYSTEM =
      "You are an experienced mathematics teacher who writes clear, correct and self-contained "
          + "problems, and solves them carefully.";

  /** The reply format shared by all default templates. */
  public static final String FORMAT = """
      Reply in exactly this format and add nothing before or after it:
      <problem>
      (the new problem, complete and unambiguous, with a single well-defined final answer)
      </problem>
      <solution>
      (a complete step-by-step solution that ends with the final answer written as \\boxed{...}; if \
      the problem has several answers, put all of them in one \\boxed{} separated by commas)
      </solution>""";

  /** SPARQ's mutation: one parent problem and solution in, one new problem out. */
  public static final PromptTemplate MUTATE = PromptTemplate.of(SYSTEM, """
      Below is a math problem together with its worked solution.

      Problem:
      {parent_problem}

      Solution:
      {parent_solution}

      Invent one NEW math problem that takes this one as a starting point. You may change the \
      setting, the quantities, the structure or the methods it needs, but it must not be a copy. \
      Then solve your new problem from scratch and double-check every step.

      """ + FORMAT);

  /** Crossover: two parents in, one problem that combines ideas from both. */
  public static final PromptTemplate CROSSOVER = PromptTemplate.of(SYSTEM, """
      Here are two math problems with their worked solutions.

      First problem:
      {first_problem}

      Its solution:
      {first_solution}

      Second problem:
      {second_problem}

      Its solution:
      {second_solution}

      Invent one NEW math problem whose solution needs ideas from both of them. It must be a single \
      coherent problem, not two problems glued together. Then solve it from scratch and \
      double-check every step.

      """ + FORMAT);

  /** Few-shot: k archive members shown as examples, one new problem in the same spirit. */
  public static final PromptTemplate FEW_SHOT = PromptTemplate.of(SYSTEM, """
      Here are {k} example math problems with worked solutions.

      {examples}

      Invent one NEW math problem in the spirit of these examples but different from all of them. \
      Then solve it from scratch and double-check every step.

      """ + FORMAT);

  /** Targeted: rewrite the parent towards a target (harder, easier, or a given set of skills). */
  public static final PromptTemplate TARGETED = PromptTemplate.of(SYSTEM, """
      Below is a math problem together with its worked solution.

      Problem:
      {parent_problem}

      Solution:
      {parent_solution}

      Invent one NEW math problem based on this one that {target}. Then solve your new problem from \
      scratch and double-check every step.

      """ + FORMAT);
}
