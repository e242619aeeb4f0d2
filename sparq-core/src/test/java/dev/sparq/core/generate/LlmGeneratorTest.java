package dev.sparq.core.generate;

import dev.sparq.core.prompt.PromptTemplate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.ConfigException;
import dev.sparq.core.Outcome;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.ParentSource;
import dev.sparq.core.stage.StageContext;
import dev.sparq.testkit.math.ArithmeticModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class LlmGeneratorTest {
  private static final List<Problem> POOL = List.of(
      Problem.of("Compute 1 + 2.", "1 + 2 = \\boxed{3}", "3"),
      Problem.of("Compute 4 * 5.", "4 * 5 = \\boxed{20}", "20"),
      Problem.of("Compute 9 - 3.", "9 - 3 = \\boxed{6}", "6"),
      Problem.of("Compute 7 + 7.", "7 + 7 = \\boxed{14}", "14"));

  private static StageContext context(long seed) {
    ParentSource source = (count, random) -> {
      List<Problem> out = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        out.add(POOL.get(random.nextInt(POOL.size())));
      }
      return out;
    };
    return new StageContext(new SplittableRandom(seed), 3, source);
  }

  /** Records every request and answers with a fixed function of the prompt. */
  private static final class Recording implements LanguageModel {
    final List<List<ChatRequest>> calls = new ArrayList<>();
    final Function<String, String> reply;

    Recording(Function<String, String> reply) {
      this.reply = reply;
    }

    @Override
    public List<List<Completion>> complete(List<ChatRequest> requests, SamplingParams params) {
      calls.add(requests);
      List<List<Completion>> out = new ArrayList<>();
      for (ChatRequest r : requests) {
        String user = r.messages().get(r.messages().size() - 1).content();
        out.add(List.of(Completion.of(reply.apply(user))));
      }
      return out;
    }
  }

  @Test
  void mutationSendsTheWholeBatchInOneCallAndSetsLineage() {
    ArithmeticModel model = new ArithmeticModel(0.2, 0, 0);
    LlmGenerator gen = LlmGenerator.builder(model).build();
    List<Outcome<Problem>> out = gen.generate(POOL, context(1));
    assertEquals(1, model.calls());
    assertEquals(POOL.size(), model.requests());
    for (int i = 0; i < POOL.size(); i++) {
      Problem child = out.get(i).value();
      assertEquals("mutate", child.lineage().operator());
      assertEquals(List.of(POOL.get(i).id()), child.lineage().parentIds());
      assertEquals(1, child.lineage().generation());
      assertTrue(child.statement().startsWith("Compute "));
      assertTrue(child.solution().contains("\\boxed{" + child.answer() + "}"));
    }
    assertEquals(POOL.size(), gen.acceptedCount());
  }

  @Test
  void defaultPromptContainsTheParentAndTheFormat() {
    Recording model = new Recording(p -> "<problem>New</problem><solution>\\boxed{1}</solution>");
    LlmGenerator.builder(model).build().generate(POOL.subList(0, 1), context(1));
    ChatRequest req = model.calls.get(0).get(0);
    assertEquals(2, req.messages().size(), "system + user");
    String user = req.messages().get(1).content();
    assertTrue(user.contains("Compute 1 + 2."));
    assertTrue(user.contains("1 + 2 = \\boxed{3}"));
    assertTrue(user.contains("<problem>") && user.contains("</solution>") && user.contains("\\boxed{"));
  }

  @Test
  void userTemplatesOverrideTheDefaultsAndAreValidated() {
    Recording model = new Recording(p -> "<problem>Q2</problem><solution>\\boxed{2}</solution>");
    PromptTemplate mine = PromptTemplate.of(null, "Remix: {parent_problem} (answer {parent_answer}) {{x}}");
    LlmGenerator.builder(model).operator(Operators.mutate(mine)).build()
        .generate(POOL.subList(0, 1), context(1));
    ChatRequest req = model.calls.get(0).get(0);
    assertEquals(1, req.messages().size(), "no system prompt");
    assertEquals("Remix: Compute 1 + 2. (answer 3) {x}", req.messages().get(0).content());

    ConfigException e = assertThrows(ConfigException.class,
        () -> Operators.mutate(PromptTemplate.of("Use {second_problem}")));
    assertTrue(e.getMessage().contains("second_problem"), e.getMessage());
  }

  @Test
  void placeholderValuesAreNotRescanned() {
    PromptTemplate t = PromptTemplate.of("A {parent_problem} B");
    String filled = t.render(Map.of("parent_problem", "{parent_problem} \\frac{1}{2}"))
        .messages().get(0).content();
    assertEquals("A {parent_problem} \\frac{1}{2} B", filled);
  }

  @Test
  void crossoverUsesTwoDistinctParents() {
    Recording model = new Recording(p -> "<problem>Mixed " + p.hashCode()
        + "</problem><solution>\\boxed{1}</solution>");
    LlmGenerator gen = LlmGenerator.builder(model).operator(Operators.crossover()).build();
    List<Outcome<Problem>> out = gen.generate(POOL, context(5));
    for (int i = 0; i < POOL.size(); i++) {
      Problem child = out.get(i).value();
      assertEquals("crossover", child.lineage().operator());
      assertEquals(2, child.lineage().parentIds().size());
      assertEquals(POOL.get(i).id(), child.lineage().parentIds().get(0));
      assertTrue(!child.lineage().parentIds().get(0).equals(child.lineage().parentIds().get(1)));
      String user = model.calls.get(0).get(i).messages().get(1).content();
      assertTrue(user.contains(POOL.get(i).statement()));
    }
  }

  @Test
  void multiParentOperatorsWithoutAWorkingSetAreCountedRejections() {
    Recording model = new Recording(p -> "<problem>X</problem><solution>\\boxed{1}</solution>");
    LlmGenerator gen = LlmGenerator.builder(model).operator(Operators.fewShot(3)).build();
    List<Outcome<Problem>> out = gen.generate(POOL.subList(0, 2), StageContext.of(new SplittableRandom(1)));
    assertEquals(Operators.NOT_ENOUGH_PARENTS, out.get(0).rejection().reason());
    assertEquals(Map.of(Operators.NOT_ENOUGH_PARENTS, 2L), gen.rejectionCounts());
    assertTrue(model.calls.isEmpty(), "no model call when nothing can be asked");
  }

  @Test
  void fewShotShowsKExamples() {
    Recording model = new Recording(p -> "<problem>Y</problem><solution>\\boxed{1}</solution>");
    LlmGenerator gen = LlmGenerator.builder(model).operator(Operators.fewShot(3)).build();
    Problem child = gen.generate(POOL.subList(0, 1), context(9)).get(0).value();
    assertEquals("few_shot", child.lineage().operator());
    assertEquals(3, child.lineage().parentIds().size());
    String user = model.calls.get(0).get(0).messages().get(1).content();
    assertTrue(user.contains("Example 1.") && user.contains("Example 3.") && !user.contains("Example 4."));
  }

  @Test
  void targetedOperatorsSayWhatTheyWant() {
    Recording model = new Recording(p -> "<problem>Z" + p.length()
        + "</problem><solution>\\boxed{1}</solution>");
    LlmGenerator gen = LlmGenerator.builder(model)
        .operator(Operators.towardSkills(Set.of("modular arithmetic", "counting"))).build();
    Problem child = gen.generate(POOL.subList(0, 1), context(2)).get(0).value();
    assertEquals("targeted_skills", child.lineage().operator());
    String user = model.calls.get(0).get(0).messages().get(1).content();
    assertTrue(user.contains("counting, modular arithmetic"), user);
    LlmGenerator hard = LlmGenerator.builder(model).operator(Operators.harder()).build();
    hard.generate(POOL.subList(0, 1), context(2));
    assertTrue(model.calls.get(1).get(0).messages().get(1).content().contains("harder"));
  }

  @Test
  void weightedChoiceFollowsWeightsAndTheSeed() {
    Recording model = new Recording(p -> "<problem>W" + p.hashCode()
        + "</problem><solution>\\boxed{1}</solution>");
    LlmGenerator gen = LlmGenerator.builder(model)
        .operator(Operators.mutate(), 3).operator(Operators.crossover(), 1).build();
    List<Problem> parents = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      parents.add(POOL.get(i % POOL.size()));
    }
    List<String> ops1 = operators(gen.generate(parents, context(77)));
    List<String> ops2 = operators(gen.generate(parents, context(77)));
    assertEquals(ops1, ops2, "same seed, same choices");
    long mutations = ops1.stream().filter("mutate"::equals).count();
    assertTrue(mutations > 1400 && mutations < 1600, "about 3/4 mutations, got " + mutations);
  }

  private static List<String> operators(List<Outcome<Problem>> out) {
    List<String> ops = new ArrayList<>();
    for (Outcome<Problem> o : out) {
      ops.add(o.value().lineage().operator());
    }
    return ops;
  }

  @Test
  void badRepliesAreCountedByReasonAndCopiesOfTheParentRejected() {
    List<String> replies = List.of(
        "no tags at all",
        "<problem>compute 4 * 5</problem><solution>\\boxed{20}</solution>",
        "<problem>Fine.</problem><solution>so \\boxed{2}</solution>",
        "<problem>Q</problem><solution>no box</solution>");
    int[] next = {0};
    Recording model = new Recording(p -> replies.get(next[0]++));
    LlmGenerator gen = LlmGenerator.builder(model).build();
    List<Outcome<Problem>> out = gen.generate(POOL, context(1));
    assertEquals(GenerationParser.MISSING_PROBLEM_TAG, out.get(0).rejection().reason());
    assertEquals(LlmGenerator.COPY_OF_PARENT, out.get(1).rejection().reason());
    assertTrue(out.get(2).isPresent());
    assertEquals(GenerationParser.NO_BOXED_ANSWER, out.get(3).rejection().reason());
    assertEquals(Map.of(GenerationParser.MISSING_PROBLEM_TAG, 1L, LlmGenerator.COPY_OF_PARENT, 1L,
        GenerationParser.NO_BOXED_ANSWER, 1L), gen.rejectionCounts());
  }
}
