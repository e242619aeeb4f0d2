package dev.sparq.core.preset;

import dev.sparq.core.ConfigException;
import dev.sparq.core.difficulty.AdaptiveEstimator;
import dev.sparq.core.difficulty.FixedKEstimator;
import dev.sparq.core.difficulty.InBandOnly;
import dev.sparq.core.difficulty.ModelAnswerResolver;
import dev.sparq.core.difficulty.SolveRateBand;
import dev.sparq.core.difficulty.ValidityGuard;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.engine.Variant;
import dev.sparq.core.generate.LlmGenerator;
import dev.sparq.core.generate.Operator;
import dev.sparq.core.generate.Operators;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.llm.UsageReporting;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.DifficultyEstimator;
import dev.sparq.core.stage.StageContext;
import dev.sparq.core.describe.SkillDescriptor;
import dev.sparq.core.describe.SkillLabeler;
import dev.sparq.core.solve.LlmSolver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The SPARQ paper's setup in one builder: K = 16 rollouts, band [0.1, 0.9], up to k = 3 skills per
 * problem from the M = 100 most common seed skills, batches of b = 64 parents sent to the models as
 * whole batches, a per-niche cap T, and any of the four {@link Variant}s.
 *
 * <pre>{@code
 * PaperPreset.Setup setup = PaperPreset.builder()
 *     .model(model)                       // or generatorModel / studentModel / labelerModel
 *     .seeds(seeds)
 *     .variant(Variant.STATIC_UNIFORM)
 *     .nicheCapacity(8)
 *     .seed(42)
 *     .setup();                           // labels the seeds and builds the skill vocabulary
 * try (Sparq sparq = setup.sparq().budget(Budget.iterations(100)).build()) {
 *   sparq.run();
 * }
 * }</pre>
 *
 * Extensions beyond the paper are off by default: the validity guard only flags disputed problems
 * ({@link ValidityGuard.Policy#KEEP}), the estimator is fixed-K, only the mutation operator is used,
 * and out-of-band children still reach the archive.
 */
public final class PaperPreset {
  /** Rollouts per problem. */
  public static final int K = 16;
  /** The quality band. */
  public static final SolveRateBand BAND = SolveRateBand.PAPER;
  /** Skills per problem. */
  public static final int SKILLS_PER_PROBLEM = 3;
  /** Size of the skill vocabulary. */
  public static final int VOCABULARY_SIZE = 100;
  /** Parents per iteration. */
  public static final int BATCH_SIZE = 64;
  /**
   * The default per-niche cap T. The paper leaves T open; 10 is this library's choice, used by the
   * builder and by the {@code sparq} command's {@code archive.capacity}.
   */
  public static final int NICHE_CAPACITY = 10;

  private PaperPreset() {}

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The assembled components, and an engine builder configured with them (add a budget, listeners or
   * a sink, then build).
   *
   * @param generator the generator (its rejection counts are useful in reports)
   * @param solver the student
   * @param estimator the difficulty estimator handed to the engine
   * @param guard the validity guard (its counts give the number of disputed problems)
   * @param descriptor the skill-set descriptor with the seed vocabulary (null when
   *     {@link Builder#descriptor} turned skills off)
   * @param sparq the engine builder
   * @param placement the descriptor handed to the engine: {@code descriptor}, the extra one of
   *     {@link Builder#descriptor}, or both combined
   */
  public record Setup(LlmGenerator generator, LlmSolver solver, DifficultyEstimator estimator,
      ValidityGuard guard, SkillDescriptor descriptor, Sparq.Builder sparq,
      dev.sparq.core.stage.DiversityDescriptor placement) {}

  /** Builder of the paper's setup. */
  public static final class Builder {
    private LanguageModel generatorModel;
    private LanguageModel studentModel;
    private LanguageModel labelerModel;
    private List<Problem> seeds;
    private Variant variant = Variant.STATIC_UNIFORM;
    private int nicheCapacity = NICHE_CAPACITY;
    private int k = K;
    private SolveRateBand band = BAND;
    private int batchSize = BATCH_SIZE;
    private int vocabularySize = VOCABULARY_SIZE;
    private int skillsPerProblem = SKILLS_PER_PROBLEM;
    private double guardMajority = 0.5;
    private int guardMinVotes = 2;
    private AdaptiveEstimator.Builder adaptiveTuning;
    private dev.sparq.core.prompt.PromptTemplate solverTemplate;
    private dev.sparq.core.prompt.PromptTemplate labelerTemplate;
    private SamplingParams labelerSampling;
    private boolean skillDescriptor = true;
    private dev.sparq.core.stage.DiversityDescriptor extraDescriptor;
    private long seed;
    private SamplingParams generatorSampling =
        SamplingParams.builder().temperature(1.0).maxTokens(2048).build();
    private SamplingParams studentSampling =
        SamplingParams.builder().temperature(1.0).maxTokens(2048).build();
    private ValidityGuard.Policy guardPolicy = ValidityGuard.Policy.KEEP;
    private boolean adaptive;
    private boolean inBandOnly;
    private boolean seedLabelsFromCheckpoint;
    private final List<Operator> operators = new ArrayList<>();
    private final List<Double> weights = new ArrayList<>();

    private Builder() {}

    /** One model in every role (the paper's single-model setting). */
    public Builder model(LanguageModel model) {
      this.generatorModel = model;
      this.studentModel = model;
      this.labelerModel = model;
      return this;
    }

    public Builder generatorModel(LanguageModel model) {
      this.generatorModel = model;
      return this;
    }

    public Builder studentModel(LanguageModel model) {
      this.studentModel = model;
      return this;
    }

    public Builder labelerModel(LanguageModel model) {
      this.labelerModel = model;
      return this;
    }

    /** The seed set D. */
    public Builder seedProblems(List<Problem> seeds) {
      this.seeds = List.copyOf(seeds);
      return this;
    }

    /** One of the four variants; default {@link Variant#STATIC_UNIFORM}. */
    public Builder variant(Variant variant) {
      this.variant = Objects.requireNonNull(variant, "variant");
      return this;
    }

    /** T, the per-niche cap (the paper leaves it open); default {@link #NICHE_CAPACITY} (10). */
    public Builder nicheCapacity(int t) {
      if (t < 1) {
        throw ConfigException.forKey("nicheCapacity", "must be >= 1, was " + t);
      }
      this.nicheCapacity = t;
      return this;
    }

    /** K, rollouts per problem (the adaptive estimator's reference K); default {@link #K} (16). */
    public Builder k(int k) {
      if (k < 1) {
        throw ConfigException.forKey("k", "must be >= 1, was " + k);
      }
      this.k = k;
      return this;
    }

    /** The quality band; default {@link #BAND} [0.1, 0.9]. */
    public Builder band(SolveRateBand band) {
      this.band = Objects.requireNonNull(band, "band");
      return this;
    }

    /** b, parents per iteration, also the batch the models see; default {@link #BATCH_SIZE} (64). */
    public Builder batchSize(int b) {
      if (b < 1) {
        throw ConfigException.forKey("batchSize", "must be >= 1, was " + b);
      }
      this.batchSize = b;
      return this;
    }

    /** M, the size of the skill vocabulary; default {@link #VOCABULARY_SIZE} (100). */
    public Builder vocabularySize(int m) {
      if (m < 1) {
        throw ConfigException.forKey("vocabularySize", "must be >= 1, was " + m);
      }
      this.vocabularySize = m;
      return this;
    }

    /** k, skills the labeller gives each problem; default {@link #SKILLS_PER_PROBLEM} (3). */
    public Builder skillsPerProblem(int n) {
      if (n < 1) {
        throw ConfigException.forKey("skillsPerProblem", "must be >= 1, was " + n);
      }
      this.skillsPerProblem = n;
      return this;
    }

    /**
     * Extension: when the validity guard calls an answer disputed ({@link ValidityGuard.Builder#majority}
     * and {@link ValidityGuard.Builder#minVotes}); defaults 0.5 and 2.
     */
    public Builder guardThresholds(double majority, int minVotes) {
      ValidityGuard.builder().majority(majority).minVotes(minVotes); // checks the values
      this.guardMajority = majority;
      this.guardMinVotes = minVotes;
      return this;
    }

    /**
     * Extension: the adaptive estimator with these settings (its rounds, error, archive awareness);
     * the preset sets its reference K, band and guard. Implies {@link #adaptive(boolean) adaptive(true)}.
     */
    public Builder adaptive(AdaptiveEstimator.Builder tuning) {
      this.adaptiveTuning = Objects.requireNonNull(tuning, "tuning");
      this.adaptive = true;
      return this;
    }

    /** The solver's prompt ({@code {problem}}); default {@link LlmSolver#DEFAULT_TEMPLATE}. */
    public Builder solverTemplate(dev.sparq.core.prompt.PromptTemplate template) {
      this.solverTemplate = Objects.requireNonNull(template, "solverTemplate");
      return this;
    }

    /** The skill labeller's prompt; default {@link SkillLabeler#DEFAULT_TEMPLATE}. */
    public Builder labelerTemplate(dev.sparq.core.prompt.PromptTemplate template) {
      this.labelerTemplate = Objects.requireNonNull(template, "labelerTemplate");
      return this;
    }

    /** The skill labeller's sampling; default the labeller's own. */
    public Builder labelerSampling(SamplingParams p) {
      this.labelerSampling = Objects.requireNonNull(p, "labelerSampling");
      return this;
    }

    /**
     * Extension: another descriptor, combined with the skill descriptor by
     * {@link dev.sparq.core.describe.DescriptorUnion} or, with {@code withSkills} false, used alone
     * (then the seeds are not labelled and {@link Setup#descriptor()} is null). {@code null} removes it.
     */
    public Builder descriptor(dev.sparq.core.stage.DiversityDescriptor extra, boolean withSkills) {
      if (extra == null && !withSkills) {
        throw ConfigException.forKey("descriptor", "without skills another descriptor is required");
      }
      this.extraDescriptor = extra;
      this.skillDescriptor = withSkills;
      return this;
    }

    /** The run seed; also seeds the labelling of the seed set. */
    public Builder randomSeed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder generatorSampling(SamplingParams p) {
      this.generatorSampling = Objects.requireNonNull(p, "generatorSampling");
      return this;
    }

    public Builder studentSampling(SamplingParams p) {
      this.studentSampling = Objects.requireNonNull(p, "studentSampling");
      return this;
    }

    /**
     * Extension: what to do with disputed problems; RESOLVE asks the generator model to solve them
     * again (3 votes). Default KEEP (flag only), as the paper has no guard.
     */
    public Builder guardPolicy(ValidityGuard.Policy policy) {
      this.guardPolicy = Objects.requireNonNull(policy, "guardPolicy");
      return this;
    }

    /** Extension: the adaptive estimator instead of fixed K = 16 (same band decision, fewer rollouts). */
    public Builder adaptive(boolean adaptive) {
      this.adaptive = adaptive;
      return this;
    }

    /** Extension: reject out-of-band children before labelling ({@link InBandOnly}). */
    public Builder inBandOnly(boolean inBandOnly) {
      this.inBandOnly = inBandOnly;
      return this;
    }

    /**
     * Whether the run resumes from a checkpoint that holds the skill descriptor's state
     * ({@link SkillDescriptor#toRestore}): then {@link #setup()} does not label the seeds, which a
     * resume would otherwise do again only to replace the result with the checkpoint's vocabulary and
     * seed labels (at the paper's scale 7,500 labeller requests per resume). Default {@code false}.
     * A run without such a checkpoint fails when the engine first describes a problem.
     */
    public Builder seedLabelsFromCheckpoint(boolean fromCheckpoint) {
      this.seedLabelsFromCheckpoint = fromCheckpoint;
      return this;
    }

    /** Extension: add an operator besides (or, once any is added, instead of) plain mutation. */
    public Builder operator(Operator op, double weight) {
      operators.add(Objects.requireNonNull(op, "operator"));
      weights.add(weight);
      return this;
    }

    /**
     * Builds the components, labels the seed set once (one model call per 64 seeds) to build the
     * skill vocabulary (unless {@link #seedLabelsFromCheckpoint}), and returns them with a configured
     * engine builder.
     */
    public Setup setup() {
      if (generatorModel == null || studentModel == null || (skillDescriptor && labelerModel == null)) {
        throw ConfigException.forKey("model", "generator, student and labeler models are required");
      }
      if (seeds == null || seeds.isEmpty()) {
        throw ConfigException.forKey("seeds", "at least one seed problem is required");
      }
      LlmGenerator.Builder gb = LlmGenerator.builder(generatorModel).sampling(generatorSampling);
      if (operators.isEmpty()) {
        gb.operator(Operators.mutate());
      }
      for (int i = 0; i < operators.size(); i++) {
        gb.operator(operators.get(i), weights.get(i));
      }
      LlmGenerator generator = gb.build();
      LlmSolver.Builder sb = LlmSolver.builder(studentModel).sampling(studentSampling);
      if (solverTemplate != null) {
        sb.template(solverTemplate);
      }
      LlmSolver solver = sb.build();
      ValidityGuard.Builder guardBuilder = ValidityGuard.builder().policy(guardPolicy)
          .majority(guardMajority).minVotes(guardMinVotes);
      if (guardPolicy == ValidityGuard.Policy.RESOLVE) {
        guardBuilder.resolver(new ModelAnswerResolver(generatorModel,
            generatorSampling.toBuilder().temperature(0.7).build(), 3));
      }
      ValidityGuard guard = guardBuilder.build();
      DifficultyEstimator estimator = adaptive
          ? (adaptiveTuning != null ? adaptiveTuning : AdaptiveEstimator.builder())
              .referenceK(k).band(band).guard(guard).build()
          : new FixedKEstimator(k, band, guard);
      if (inBandOnly) {
        estimator = new InBandOnly(estimator);
      }
      SkillDescriptor descriptor = null;
      if (skillDescriptor) {
        SkillLabeler.Builder lb = SkillLabeler.builder(labelerModel).k(skillsPerProblem);
        if (labelerTemplate != null) {
          lb.template(labelerTemplate);
        }
        if (labelerSampling != null) {
          lb.sampling(labelerSampling);
        }
        if (seedLabelsFromCheckpoint) {
          descriptor = SkillDescriptor.toRestore(lb.build());
        } else {
          StageContext labelling = StageContext.of(new SplittableRandom(seed ^ 0x5EED5L));
          descriptor = SkillDescriptor.forSeeds(lb.build(), seeds, vocabularySize, batchSize, labelling);
        }
      }
      dev.sparq.core.stage.DiversityDescriptor used = descriptor == null ? extraDescriptor
          : extraDescriptor == null ? descriptor
          : dev.sparq.core.describe.DescriptorUnion.of(descriptor, extraDescriptor);
      Sparq.Builder sparq = Sparq.builder()
          .generator(generator).solver(solver).estimator(estimator).descriptor(used)
          .seedProblems(seeds).variant(variant).nicheCapacity(nicheCapacity)
          .batchSize(batchSize).chunkSize(batchSize).randomSeed(seed);
      // token usage of every distinct model that reports it (a shared model counts once)
      Set<LanguageModel> counted = Collections.newSetFromMap(new IdentityHashMap<>());
      for (LanguageModel m : java.util.Arrays.asList(generatorModel, studentModel, labelerModel)) {
        if (m instanceof UsageReporting u && counted.add(m)) {
          sparq.usage(u);
        }
      }
      return new Setup(generator, solver, estimator, guard, descriptor, sparq, used);
    }
  }
}
