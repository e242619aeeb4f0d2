package dev.sparq.core.solve;

import dev.sparq.core.ConfigException;
import dev.sparq.core.answer.AnswerChecker;
import dev.sparq.core.prompt.PromptTemplate;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.ReasoningText;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.stage.Solver;
import dev.sparq.core.stage.StageContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link Solver} over a {@link LanguageModel}: the student whose solve rate defines difficulty. All
 * problems of a batch go to the model in one {@link LanguageModel#complete} call with {@code n = k}
 * (or in chunks of {@link Builder#maxRequestsPerCall(int)}), so a GPU backend samples the K rollouts of
 * a problem together and an HTTP backend sends one request per problem.
 *
 * <p>Each rollout's final answer is extracted and checked against the problem's intended answer with
 * an {@link AnswerChecker}. A truncated rollout ({@code finish_reason = length}) counts as having no
 * answer. A reasoning model's answer is read from the text after its thinking only
 * ({@link ReasoningText#split}): a {@code \boxed{}} drafted inside {@code <think>...</think>} is never
 * graded, and a rollout that ended inside its thinking (no closing tag) has no answer, whatever its
 * finish reason, counted in {@link #unfinishedThinkingRollouts()}. The rollout keeps the whole text,
 * thinking included, and the completion's token count, thinking tokens included. When the model
 * returns fewer than {@code k} completions the missing ones are empty,
 * incorrect rollouts and are counted in {@link #missingRollouts()}. Each call gets a sampling seed drawn
 * from the stage's random generator, so backends that honour seeds reproduce a run. Thread-safe.
 *
 * <p>A completion longer than {@link #maxRolloutChars()} characters ({@value #CHARS_PER_TOKEN} per
 * token of {@code maxTokens}, at least {@value #MIN_ROLLOUT_CHARS}) cannot be what the model was
 * asked for: a server that ignored {@code max_tokens} or sent garbage. It is cut to that length,
 * graded as truncated (no answer) and counted in {@link #oversizedRollouts()}, so one such reply
 * cannot make a candidate-log line that no reader accepts.
 */
public final class LlmSolver implements Solver {
  /** The default solver prompt; placeholder {@code problem}. */
  public static final PromptTemplate DEFAULT_TEMPLATE = PromptTemplate.of("""
      Solve the following math problem. Reason step by step, and write the final answer at the end \
      as \\boxed{...}. If there are several answers, put all of them in one \\boxed{} separated by \
      commas.

      {problem}""");

  private final LanguageModel model;
  private final SamplingParams sampling;
  private final PromptTemplate template;
  private final AnswerChecker checker;
  private final int maxRequestsPerCall;
  private final LongAdder calls = new LongAdder();
  private final LongAdder rollouts = new LongAdder();
  private final LongAdder missing = new LongAdder();
  private final LongAdder noAnswer = new LongAdder();
  private final LongAdder oversized = new LongAdder();
  private final LongAdder unfinishedThinking = new LongAdder();
  private final int maxRolloutChars;

  /** Characters allowed per requested token before a completion counts as oversized. */
  public static final int CHARS_PER_TOKEN = 32;

  /** The least number of characters a rollout may have before it counts as oversized. */
  public static final int MIN_ROLLOUT_CHARS = 65_536;

  private LlmSolver(Builder b) {
    this.model = b.model;
    this.sampling = b.sampling;
    this.template = b.template;
    this.checker = b.checker;
    this.maxRequestsPerCall = b.maxRequestsPerCall;
    this.maxRolloutChars = (int) Math.min(Integer.MAX_VALUE - 16,
        Math.max(MIN_ROLLOUT_CHARS, (long) sampling.maxTokens() * CHARS_PER_TOKEN));
  }

  public static Builder builder(LanguageModel model) {
    return new Builder(model);
  }

  @Override
  public List<List<Rollout>> solve(List<Problem> problems, int k, StageContext context) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, was " + k);
    }
    List<List<Rollout>> out = new ArrayList<>(problems.size());
    for (int from = 0; from < problems.size(); from += maxRequestsPerCall) {
      List<Problem> chunk = problems.subList(from, Math.min(problems.size(), from + maxRequestsPerCall));
      List<ChatRequest> requests = new ArrayList<>(chunk.size());
      for (Problem p : chunk) {
        requests.add(template.render(Map.of("problem", p.statement())));
      }
      SamplingParams params = sampling.toBuilder().n(k).seed(context.nextRequestSeed()).build();
      List<List<Completion>> replies = model.complete(requests, params);
      calls.increment();
      for (int i = 0; i < chunk.size(); i++) {
        List<Completion> reply = replies != null && i < replies.size() && replies.get(i) != null
            ? replies.get(i) : List.of();
        out.add(grade(chunk.get(i), reply, k));
      }
    }
    return out;
  }

  private List<Rollout> grade(Problem problem, List<Completion> reply, int k) {
    List<Rollout> list = new ArrayList<>(k);
    for (int j = 0; j < k; j++) {
      if (j >= reply.size() || reply.get(j) == null) {
        missing.increment();
        list.add(new Rollout("", null, false, 0));
        continue;
      }
      Completion c = reply.get(j);
      String text = c.text() == null ? "" : c.text();
      boolean tooLong = text.length() > maxRolloutChars;
      if (tooLong) {
        oversized.increment();
        int end = Character.isHighSurrogate(text.charAt(maxRolloutChars - 1))
            ? maxRolloutChars - 1 : maxRolloutChars; // never half a surrogate pair
        text = text.substring(0, end);
      }
      ReasoningText.Split split = ReasoningText.split(text);
      if (split.unfinished() && !tooLong) {
        unfinishedThinking.increment();
      }
      AnswerChecker.Graded g = c.truncated() || tooLong || split.unfinished()
          ? new AnswerChecker.Graded(null, AnswerChecker.Verdict.NO_ANSWER)
          : checker.grade(problem.answer(), split.answer());
      if (g.answer() == null) {
        noAnswer.increment();
      }
      list.add(new Rollout(text, g.answer(), g.correct(), c.completionTokens()));
    }
    rollouts.add(k);
    return list;
  }

  /** The student model. */
  public LanguageModel model() {
    return model;
  }

  /** The prompt template. */
  public PromptTemplate template() {
    return template;
  }

  /** The sampling of the rollouts. */
  public SamplingParams sampling() {
    return sampling;
  }

  /** Model calls made so far. */
  public long calls() {
    return calls.sum();
  }

  /** Rollouts produced so far (including missing ones). */
  public long rolloutCount() {
    return rollouts.sum();
  }

  /** Rollouts the model did not return. */
  public long missingRollouts() {
    return missing.sum();
  }

  /** Rollouts without an extractable answer (including truncated ones). */
  public long rolloutsWithoutAnswer() {
    return noAnswer.sum();
  }

  /**
   * Rollouts whose text was longer than {@link #maxRolloutChars()}: cut, and graded as having no
   * answer.
   */
  public long oversizedRollouts() {
    return oversized.sum();
  }

  /**
   * Rollouts that ended inside their thinking (an unclosed {@code <think>}, see {@link ReasoningText}):
   * graded as having no answer, and also counted in {@link #rolloutsWithoutAnswer()}. Many of them
   * mean {@code maxTokens} leaves too little room for the model's thinking.
   */
  public long unfinishedThinkingRollouts() {
    return unfinishedThinking.sum();
  }

  /** The most characters a rollout's text keeps (see the class description). */
  public int maxRolloutChars() {
    return maxRolloutChars;
  }

  /** The answer checker used to grade rollouts. */
  public AnswerChecker checker() {
    return checker;
  }

  /** Builder of {@link LlmSolver}. */
  public static final class Builder {
    private final LanguageModel model;
    private SamplingParams sampling = SamplingParams.builder().temperature(1.0).maxTokens(2048).build();
    private PromptTemplate template = DEFAULT_TEMPLATE;
    private AnswerChecker checker = AnswerChecker.standard();
    private int maxRequestsPerCall = Integer.MAX_VALUE;

    private Builder(LanguageModel model) {
      this.model = Objects.requireNonNull(model, "model");
    }

    /** Sampling parameters; {@code n} and the seed are set per call. Default: temperature 1.0, 2048 tokens. */
    public Builder sampling(SamplingParams sampling) {
      this.sampling = Objects.requireNonNull(sampling, "sampling");
      return this;
    }

    /** The prompt; it may use the placeholder {@code {problem}} only. */
    public Builder template(PromptTemplate template) {
      this.template = template.validate("solver", Set.of("problem"));
      return this;
    }

    public Builder checker(AnswerChecker checker) {
      this.checker = Objects.requireNonNull(checker, "checker");
      return this;
    }

    /** Most problems per model call; default unlimited (the whole batch in one call). */
    public Builder maxRequestsPerCall(int n) {
      if (n < 1) {
        throw ConfigException.forKey("solver.max_requests_per_call", "must be >= 1, was " + n);
      }
      this.maxRequestsPerCall = n;
      return this;
    }

    public LlmSolver build() {
      return new LlmSolver(this);
    }
  }
}
