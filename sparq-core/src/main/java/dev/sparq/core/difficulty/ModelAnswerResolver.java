package dev.sparq.core.difficulty;

import dev.sparq.core.answer.AnswerChecker;
import dev.sparq.core.prompt.PromptTemplate;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.ReasoningText;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.StageContext;
import dev.sparq.core.solve.LlmSolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Asks a model (usually the generator) to solve each disputed problem again, {@code votes} times in
 * one call, and confirms the intended answer when more than half of the attempts agree with it.
 * Attempts are graded like the solver's: truncated ones and ones that ended inside their thinking
 * disagree, and only the text after a reasoning model's thinking is read ({@link ReasoningText}).
 */
public final class ModelAnswerResolver implements AnswerResolver {
  private final LanguageModel model;
  private final SamplingParams sampling;
  private final PromptTemplate template;
  private final AnswerChecker checker;
  private final int votes;

  /**
   * @param model the model that re-solves
   * @param sampling sampling parameters ({@code n} is set to {@code votes})
   * @param votes attempts per problem
   */
  public ModelAnswerResolver(LanguageModel model, SamplingParams sampling, int votes) {
    this(model, sampling, votes, LlmSolver.DEFAULT_TEMPLATE, AnswerChecker.standard());
  }

  /** A resolver with its own prompt (placeholder {@code {problem}}) and checker. */
  public ModelAnswerResolver(LanguageModel model, SamplingParams sampling, int votes,
      PromptTemplate template, AnswerChecker checker) {
    if (votes < 1) {
      throw new IllegalArgumentException("votes must be >= 1, was " + votes);
    }
    this.model = Objects.requireNonNull(model, "model");
    this.sampling = Objects.requireNonNull(sampling, "sampling");
    this.template = template.validate("resolver", java.util.Set.of("problem"));
    this.checker = Objects.requireNonNull(checker, "checker");
    this.votes = votes;
  }

  @Override
  public List<Boolean> confirm(List<Problem> problems, StageContext context) {
    if (problems.isEmpty()) {
      return List.of();
    }
    List<ChatRequest> requests = new ArrayList<>();
    for (Problem p : problems) {
      requests.add(template.render(Map.of("problem", p.statement())));
    }
    SamplingParams params = sampling.toBuilder().n(votes).seed(context.nextRequestSeed()).build();
    List<List<Completion>> replies = model.complete(requests, params);
    List<Boolean> out = new ArrayList<>(problems.size());
    for (int i = 0; i < problems.size(); i++) {
      List<Completion> reply = replies != null && i < replies.size() && replies.get(i) != null
          ? replies.get(i) : List.of();
      int agree = 0;
      for (Completion c : reply) {
        if (c == null || c.truncated()) {
          continue;
        }
        ReasoningText.Split split = ReasoningText.split(c.text());
        if (!split.unfinished() && checker.grade(problems.get(i).answer(), split.answer()).correct()) {
          agree++;
        }
      }
      out.add(2 * agree > votes);
    }
    return out;
  }
}
