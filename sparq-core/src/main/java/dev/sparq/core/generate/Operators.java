package dev.sparq.core.generate;

import dev.sparq.core.prompt.PromptTemplate;
import dev.sparq.core.ConfigException;
import dev.sparq.core.Outcome;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.StageContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The built-in operators. Each takes an optional {@link PromptTemplate}; the placeholders each one
 * fills are listed on its factory method, and a template using any other placeholder is refused when
 * the operator is built.
 */
public final class Operators {
  /** Rejection reason when a multi-parent operator cannot draw enough distinct parents. */
  public static final String NOT_ENOUGH_PARENTS = "not_enough_parents";

  private static final Set<String> PARENT = Set.of("parent_problem", "parent_solution", "parent_answer");

  private Operators() {}

  /** SPARQ's mutation with the default template. */
  public static Operator mutate() {
    return mutate(Prompts.MUTATE);
  }

  /**
   * SPARQ's mutation: one parent in. Placeholders: {@code parent_problem}, {@code parent_solution},
   * {@code parent_answer}.
   */
  public static Operator mutate(PromptTemplate template) {
    template.validate("mutate", PARENT);
    return new Operator() {
      @Override
      public String name() {
        return "mutate";
      }

      @Override
      public Outcome<OperatorPrompt> prompt(Problem parent, StageContext context) {
        return Outcome.of(new OperatorPrompt(template.render(parentValues(parent)), List.of(parent)));
      }
    };
  }

  /** Crossover with the default template. */
  public static Operator crossover() {
    return crossover(Prompts.CROSSOVER);
  }

  /**
   * Crossover: the primary parent and a second one drawn from the working set. Placeholders:
   * {@code first_problem}, {@code first_solution}, {@code first_answer}, {@code second_problem},
   * {@code second_solution}, {@code second_answer}.
   */
  public static Operator crossover(PromptTemplate template) {
    template.validate("crossover", Set.of("first_problem", "first_solution", "first_answer",
        "second_problem", "second_solution", "second_answer"));
    return new Operator() {
      @Override
      public String name() {
        return "crossover";
      }

      @Override
      public Outcome<OperatorPrompt> prompt(Problem parent, StageContext context) {
        List<Problem> others = drawDistinct(parent, 1, context);
        if (others.isEmpty()) {
          return Outcome.rejected(NOT_ENOUGH_PARENTS, "crossover needs a second parent");
        }
        Problem second = others.get(0);
        Map<String, String> v = new HashMap<>();
        v.put("first_problem", parent.statement());
        v.put("first_solution", parent.solution());
        v.put("first_answer", parent.answer());
        v.put("second_problem", second.statement());
        v.put("second_solution", second.solution());
        v.put("second_answer", second.answer());
        return Outcome.of(new OperatorPrompt(template.render(v), List.of(parent, second)));
      }
    };
  }

  /** Few-shot with the default template. */
  public static Operator fewShot(int k) {
    return fewShot(k, Prompts.FEW_SHOT);
  }

  /**
   * Few-shot: the primary parent and {@code k - 1} members drawn from the working set are shown as
   * examples. Placeholders: {@code examples} (the numbered problems and solutions), {@code k},
   * {@code parent_problem}, {@code parent_solution}, {@code parent_answer}.
   */
  public static Operator fewShot(int k, PromptTemplate template) {
    if (k < 2) {
      throw ConfigException.forKey("operators.few_shot.k", "must be >= 2, was " + k);
    }
    Set<String> allowed = new TreeSet<>(PARENT);
    allowed.add("examples");
    allowed.add("k");
    template.validate("few_shot", allowed);
    return new Operator() {
      @Override
      public String name() {
        return "few_shot";
      }

      @Override
      public Outcome<OperatorPrompt> prompt(Problem parent, StageContext context) {
        List<Problem> others = drawDistinct(parent, k - 1, context);
        if (others.size() < k - 1) {
          return Outcome.rejected(NOT_ENOUGH_PARENTS,
              "few-shot needs " + (k - 1) + " more parents, found " + others.size());
        }
        List<Problem> all = new ArrayList<>();
        all.add(parent);
        all.addAll(others);
        StringBuilder ex = new StringBuilder();
        for (int i = 0; i < all.size(); i++) {
          if (i > 0) {
            ex.append("\n\n");
          }
          ex.append("Example ").append(i + 1).append(".\nProblem:\n").append(all.get(i).statement())
              .append("\nSolution:\n").append(all.get(i).solution());
        }
        Map<String, String> v = parentValues(parent);
        v.put("examples", ex.toString());
        v.put("k", Integer.toString(k));
        return Outcome.of(new OperatorPrompt(template.render(v), all));
      }
    };
  }

  /** Targeted towards a harder problem, with the default template. */
  public static Operator harder() {
    return targeted("harder", Prompts.TARGETED,
        "is clearly harder: it should need more steps or a deeper idea, yet stay solvable with a "
            + "unique answer", Set.of());
  }

  /** Targeted towards an easier problem, with the default template. */
  public static Operator easier() {
    return targeted("easier", Prompts.TARGETED,
        "is somewhat easier, while still needing genuine reasoning rather than one computation",
        Set.of());
  }

  /** Targeted towards a given skill set, with the default template. */
  public static Operator towardSkills(Set<String> skills) {
    if (skills.isEmpty()) {
      throw ConfigException.forKey("operators.targeted.skills", "must not be empty");
    }
    String list = String.join(", ", new TreeSet<>(skills));
    return targeted("targeted_skills", Prompts.TARGETED,
        "needs exactly these skills to solve: " + list, skills);
  }

  /**
   * A targeted operator with its own template and target text. Placeholders: {@code parent_problem},
   * {@code parent_solution}, {@code parent_answer}, {@code target} (the target text) and
   * {@code skills} (the comma-separated skills, empty when none).
   *
   * @param name the operator name recorded in lineages
   */
  public static Operator targeted(String name, PromptTemplate template, String target,
      Set<String> skills) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(target, "target");
    Set<String> allowed = new TreeSet<>(PARENT);
    allowed.add("target");
    allowed.add("skills");
    template.validate(name, allowed);
    String skillList = String.join(", ", new TreeSet<>(skills));
    return new Operator() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Outcome<OperatorPrompt> prompt(Problem parent, StageContext context) {
        Map<String, String> v = parentValues(parent);
        v.put("target", target);
        v.put("skills", skillList);
        return Outcome.of(new OperatorPrompt(template.render(v), List.of(parent)));
      }
    };
  }

  private static Map<String, String> parentValues(Problem parent) {
    Map<String, String> v = new HashMap<>();
    v.put("parent_problem", parent.statement());
    v.put("parent_solution", parent.solution());
    v.put("parent_answer", parent.answer());
    return v;
  }

  /**
   * Draws {@code count} problems other than {@code parent} and each other, with a bounded number of
   * draws so a tiny working set cannot loop forever.
   */
  static List<Problem> drawDistinct(Problem parent, int count, StageContext context) {
    List<Problem> out = new ArrayList<>();
    Set<String> seen = new TreeSet<>();
    seen.add(parent.id());
    for (int attempt = 0; attempt < 16 && out.size() < count; attempt++) {
      for (Problem p : context.parents().draw(count - out.size(), context.random())) {
        if (seen.add(p.id())) {
          out.add(p);
        }
      }
    }
    return out;
  }
}
