package dev.sparq.core.generate;

import dev.sparq.core.ConfigException;
import dev.sparq.core.Outcome;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.model.Lineage;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.Generator;
import dev.sparq.core.stage.StageContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link Generator} over a {@link LanguageModel}: for each parent it picks an {@link Operator} at
 * random by weight (with the stage's random generator), renders its prompt, sends all prompts of the
 * batch in one {@link LanguageModel#complete} call, and parses each reply with a
 * {@link GenerationParser}. Children carry {@link Lineage#childOf} the operator and the parents it used.
 *
 * <p>Unusable replies are rejections with a reason code (see {@link GenerationParser}, plus
 * {@value #COPY_OF_PARENT}, {@value #NO_COMPLETION} and {@link Operators#NOT_ENOUGH_PARENTS}); they
 * are counted in {@link #rejectionCounts()} and never thrown. Thread-safe.
 */
public final class LlmGenerator implements Generator {
  /** Rejection reason: the child's statement is the same problem as one of its parents. */
  public static final String COPY_OF_PARENT = "copy_of_parent";
  /** Rejection reason: the model returned no completion for the request. */
  public static final String NO_COMPLETION = "no_completion";

  private final LanguageModel model;
  private final SamplingParams sampling;
  private final List<Operator> operators;
  private final double[] cumulative;
  private final GenerationParser parser;
  private final Map<String, LongAdder> rejections = new ConcurrentHashMap<>();
  private final LongAdder accepted = new LongAdder();

  private LlmGenerator(Builder b) {
    this.model = b.model;
    this.sampling = b.sampling.toBuilder().n(1).build();
    this.operators = List.copyOf(b.operators);
    this.cumulative = new double[b.weights.size()];
    double sum = 0;
    for (int i = 0; i < cumulative.length; i++) {
      sum += b.weights.get(i);
      cumulative[i] = sum;
    }
    this.parser = b.parser;
  }

  /** A builder for a generator over {@code model}. */
  public static Builder builder(LanguageModel model) {
    return new Builder(model);
  }

  @Override
  public List<Outcome<Problem>> generate(List<Problem> parents, StageContext context) {
    List<Outcome<Problem>> out = new ArrayList<>(Collections.nCopies(parents.size(), null));
    List<ChatRequest> requests = new ArrayList<>();
    List<Integer> slots = new ArrayList<>();
    List<OperatorPrompt> prompts = new ArrayList<>();
    List<Operator> chosen = new ArrayList<>();
    for (int i = 0; i < parents.size(); i++) {
      Operator op = choose(context);
      Outcome<OperatorPrompt> prompt = op.prompt(parents.get(i), context);
      if (!prompt.isPresent()) {
        out.set(i, reject(prompt.rejection().reason(), prompt.rejection().detail()));
        continue;
      }
      requests.add(prompt.value().request());
      prompts.add(prompt.value());
      chosen.add(op);
      slots.add(i);
    }
    if (!requests.isEmpty()) {
      SamplingParams params = sampling.toBuilder().seed(context.nextRequestSeed()).build();
      List<List<Completion>> replies = model.complete(requests, params);
      for (int j = 0; j < requests.size(); j++) {
        List<Completion> reply = replies != null && j < replies.size() ? replies.get(j) : List.of();
        out.set(slots.get(j), child(reply, chosen.get(j), prompts.get(j)));
      }
    }
    return out;
  }

  private Outcome<Problem> child(List<Completion> reply, Operator op, OperatorPrompt prompt) {
    if (reply == null || reply.isEmpty() || reply.get(0) == null) {
      return reject(NO_COMPLETION, "");
    }
    Outcome<GeneratedPair> parsed = parser.parse(reply.get(0));
    if (!parsed.isPresent()) {
      return reject(parsed.rejection().reason(), parsed.rejection().detail());
    }
    GeneratedPair pair = parsed.value();
    Problem child = Problem.of(pair.problem(), pair.solution(), pair.answer(),
        Lineage.childOf(op.name(), prompt.parents()));
    for (Problem p : prompt.parents()) {
      if (p.id().equals(child.id())) {
        return reject(COPY_OF_PARENT, p.id());
      }
    }
    accepted.increment();
    return Outcome.of(child);
  }

  private Outcome<Problem> reject(String reason, String detail) {
    rejections.computeIfAbsent(reason, k -> new LongAdder()).increment();
    return Outcome.rejected(reason, detail);
  }

  private Operator choose(StageContext context) {
    if (operators.size() == 1) {
      return operators.get(0);
    }
    double u = context.random().nextDouble() * cumulative[cumulative.length - 1];
    for (int i = 0; i < cumulative.length; i++) {
      if (u < cumulative[i]) {
        return operators.get(i);
      }
    }
    return operators.get(operators.size() - 1);
  }

  /** Rejections so far by reason code, sorted by code. */
  public Map<String, Long> rejectionCounts() {
    Map<String, Long> m = new TreeMap<>();
    rejections.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  /** Children produced so far. */
  public long acceptedCount() {
    return accepted.sum();
  }

  /** The operators' weights, in the order of {@link #operators()}. */
  public List<Double> weights() {
    List<Double> out = new java.util.ArrayList<>(cumulative.length);
    for (int i = 0; i < cumulative.length; i++) {
      out.add(cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]));
    }
    return out;
  }

  /** The model the children come from. */
  public LanguageModel model() {
    return model;
  }

  /** The sampling of every generation call. */
  public SamplingParams sampling() {
    return sampling;
  }

  /** The operators, in the order they were added. */
  public List<Operator> operators() {
    return operators;
  }

  /** Builder of {@link LlmGenerator}. Without operators, SPARQ's mutation is used alone. */
  public static final class Builder {
    private final LanguageModel model;
    private SamplingParams sampling = SamplingParams.builder().temperature(1.0).maxTokens(2048).build();
    private final List<Operator> operators = new ArrayList<>();
    private final List<Double> weights = new ArrayList<>();
    private GenerationParser parser = GenerationParser.standard();

    private Builder(LanguageModel model) {
      this.model = Objects.requireNonNull(model, "model");
    }

    /** Sampling parameters ({@code n} is forced to 1). Default: temperature 1.0, 2048 tokens. */
    public Builder sampling(SamplingParams sampling) {
      this.sampling = Objects.requireNonNull(sampling, "sampling");
      return this;
    }

    /** Adds an operator with weight 1. */
    public Builder operator(Operator op) {
      return operator(op, 1.0);
    }

    /** Adds an operator chosen with probability proportional to {@code weight}. */
    public Builder operator(Operator op, double weight) {
      Objects.requireNonNull(op, "operator");
      if (!(weight > 0) || Double.isInfinite(weight)) {
        throw ConfigException.forKey("operators." + op.name() + ".weight",
            "must be finite and > 0, was " + weight);
      }
      operators.add(op);
      weights.add(weight);
      return this;
    }

    /** The reply parser. Default: {@link GenerationParser#standard()}. */
    public Builder parser(GenerationParser parser) {
      this.parser = Objects.requireNonNull(parser, "parser");
      return this;
    }

    public LlmGenerator build() {
      if (operators.isEmpty()) {
        operator(Operators.mutate());
      }
      return new LlmGenerator(this);
    }
  }
}
