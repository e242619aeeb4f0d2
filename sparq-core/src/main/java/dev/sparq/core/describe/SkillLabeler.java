package dev.sparq.core.describe;

import dev.sparq.core.ConfigException;
import dev.sparq.core.Outcome;
import dev.sparq.core.prompt.PromptTemplate;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.ReasoningText;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.StageContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * Asks a model for up to {@code k} skills a problem exercises (SPARQ: k = 3), one batch per model
 * call. The reply may list skills one per line (numbered or bulleted) or comma-separated; a heading
 * such as "Skills:" is ignored. Labels are {@link SkillVocabulary#normalize normalised}; labels
 * longer than {@link #MAX_WORDS} words are ignored. A reply with no usable label is a rejection
 * {@value #UNPARSEABLE} (also for truncated replies with nothing usable), counted in
 * {@link #rejectionCounts()}. A reasoning model's thinking is not read
 * ({@link ReasoningText#answer}); a reply that ended inside its thinking has no labels. Thread-safe.
 */
public final class SkillLabeler {
  /** Rejection reason for replies without a usable label. */
  public static final String UNPARSEABLE = "unparseable_skills";
  /** Longest label kept, in words. */
  public static final int MAX_WORDS = 6;

  /** The default prompt; placeholders {@code problem}, {@code solution} and {@code k}. */
  public static final PromptTemplate DEFAULT_TEMPLATE = PromptTemplate.of("""
      Which mathematical skills does the following problem exercise? Name at most {k} skills, the \
      most important first, each as a short general phrase of one to four words (for example \
      "modular arithmetic" or "similar triangles"), one per line, and write nothing else.

      Problem:
      {problem}

      Solution:
      {solution}""");

  private static final Pattern BULLET = Pattern.compile("^\\s*(?:[-*\u2022]+|\\(?\\d{1,2}[.):]|[a-z][.)])\\s*");
  private static final Pattern HEADING = Pattern.compile("(?i)^\\s*(?:the\\s+)?(?:main\\s+)?skills?"
      + "(?:\\s+(?:are|exercised|used|needed))?\\s*:\\s*");

  private final LanguageModel model;
  private final SamplingParams sampling;
  private final PromptTemplate template;
  private final int k;
  private final Map<String, LongAdder> rejections = new ConcurrentHashMap<>();

  private SkillLabeler(Builder b) {
    this.model = b.model;
    this.sampling = b.sampling.toBuilder().n(1).build();
    this.template = b.template;
    this.k = b.k;
  }

  public static Builder builder(LanguageModel model) {
    return new Builder(model);
  }

  /** The labelling model. */
  public LanguageModel model() {
    return model;
  }

  /** The prompt template. */
  public PromptTemplate template() {
    return template;
  }

  /** The most skills per problem. */
  public int k() {
    return k;
  }

  /** The sampling of every labelling request (a fresh request seed is drawn per call). */
  public SamplingParams sampling() {
    return sampling;
  }

  /** Labels a batch in one model call: one outcome per problem with up to k normalised labels. */
  public List<Outcome<List<String>>> label(List<Problem> problems, StageContext context) {
    if (problems.isEmpty()) {
      return List.of();
    }
    List<ChatRequest> requests = new ArrayList<>();
    for (Problem p : problems) {
      requests.add(template.render(Map.of("problem", p.statement(), "solution", p.solution(),
          "k", Integer.toString(k))));
    }
    SamplingParams params = sampling.toBuilder().seed(context.nextRequestSeed()).build();
    List<List<Completion>> replies = model.complete(requests, params);
    List<Outcome<List<String>>> out = new ArrayList<>(problems.size());
    for (int i = 0; i < problems.size(); i++) {
      List<Completion> reply = replies != null && i < replies.size() && replies.get(i) != null
          ? replies.get(i) : List.of();
      List<String> labels = reply.isEmpty() || reply.get(0) == null ? List.of()
          : parse(ReasoningText.answer(reply.get(0).text()), k);
      if (labels.isEmpty()) {
        rejections.computeIfAbsent(UNPARSEABLE, x -> new LongAdder()).increment();
        out.add(Outcome.rejected(UNPARSEABLE, problems.get(i).id()));
      } else {
        out.add(Outcome.of(labels));
      }
    }
    return out;
  }

  /** Reads up to {@code k} normalised labels from a reply; empty when there are none. */
  public static List<String> parse(String reply, int k) {
    Set<String> out = new LinkedHashSet<>();
    if (reply == null) {
      return List.of();
    }
    for (String line : reply.split("\\R")) {
      String l = HEADING.matcher(line).replaceFirst("");
      l = BULLET.matcher(l).replaceFirst("");
      String[] parts = l.contains(",") || l.contains(";") ? l.split("[,;]") : new String[] {l};
      for (String part : parts) {
        String p = BULLET.matcher(part).replaceFirst("");
        String n = SkillVocabulary.normalize(p);
        if (n.isEmpty() || n.split(" ").length > MAX_WORDS || n.chars().noneMatch(Character::isLetter)) {
          continue;
        }
        out.add(n);
        if (out.size() == k) {
          return List.copyOf(out);
        }
      }
    }
    return List.copyOf(out);
  }

  /** Rejections so far by reason. */
  public Map<String, Long> rejectionCounts() {
    Map<String, Long> m = new TreeMap<>();
    rejections.forEach((key, v) -> m.put(key, v.sum()));
    return m;
  }

  /** Builder of {@link SkillLabeler}. */
  public static final class Builder {
    private final LanguageModel model;
    private SamplingParams sampling = SamplingParams.builder().temperature(0).maxTokens(64).build();
    private PromptTemplate template = DEFAULT_TEMPLATE;
    private int k = 3;

    private Builder(LanguageModel model) {
      this.model = Objects.requireNonNull(model, "model");
    }

    /** Most skills per problem; default 3 as in the paper. */
    public Builder k(int k) {
      if (k < 1) {
        throw ConfigException.forKey("skills.k", "must be >= 1, was " + k);
      }
      this.k = k;
      return this;
    }

    /** Sampling; default greedy with 64 tokens. */
    public Builder sampling(SamplingParams sampling) {
      this.sampling = Objects.requireNonNull(sampling, "sampling");
      return this;
    }

    /** The prompt; placeholders {@code problem}, {@code solution}, {@code k}. */
    public Builder template(PromptTemplate template) {
      this.template = template.validate("skills", Set.of("problem", "solution", "k"));
      return this;
    }

    public SkillLabeler build() {
      return new SkillLabeler(this);
    }
  }
}
