package dev.sparq.examples.cli;

import dev.sparq.core.internal.UntrustedFiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sparq.core.ConfigException;
import dev.sparq.core.internal.Json;
import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.Variant;
import dev.sparq.core.seeds.SeedLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The configuration of one {@code sparq run}, read from {@code run.yaml} (or JSON). Every key is
 * documented in {@code src-docs/configuration.md}; a fault names its key and the allowed values.
 *
 * @param backend which models generate and solve
 * @param seeds the seed set
 * @param preset one of SPARQ's four variants
 * @param archive the archive shape ({@code skills}, {@code grid}, {@code cvt})
 * @param capacity members per cell, SPARQ's T
 * @param k rollouts per problem
 * @param bandLow lowest solve rate with non-zero quality
 * @param bandHigh highest solve rate with non-zero quality
 * @param batchSize parents per iteration
 * @param budget when to stop
 * @param output the run directory
 * @param seed the run seed
 * @param threads threads running stage chunks
 * @param checkpointEvery iterations between checkpoints
 * @param stallLimit iterations in a row that evaluate no new problem before the run stops with
 *     {@link dev.sparq.core.engine.StalledRunException} ({@code 0}: never; the engine's
 *     {@link dev.sparq.core.engine.Sparq.Builder#stallLimit(int)})
 * @param stages the stage implementations and their parameters (estimator, validity guard,
 *     operators, descriptor, prompt templates, a model per role, export defaults)
 * @param engine how the engine schedules the stages ({@code engine.mode}, {@code engine.in_flight})
 */
public record RunConfig(
    Backend backend,
    SeedSource seeds,
    Variant preset,
    ArchiveKind archive,
    int capacity,
    int k,
    double bandLow,
    double bandHigh,
    int batchSize,
    Budget budget,
    Path output,
    long seed,
    int threads,
    int checkpointEvery,
    int stallLimit,
    EngineSettings engine,
    Stages stages) {

  /** Allowed backend types. */
  public static final List<String> BACKENDS = ConfigKeys.BACKENDS;
  /** Allowed seed formats. */
  public static final List<String> SEED_FORMATS = ConfigKeys.SEED_FORMATS;
  /** Allowed presets (SPARQ's variants, lower case). */
  public static final List<String> PRESETS = ConfigKeys.PRESETS;
  /** Allowed archive types. */
  public static final List<String> ARCHIVES = ConfigKeys.ARCHIVES;

  /** Every key of the file, dotted (declared in {@link ConfigKeys}, documented in configuration.md). */
  public static final List<String> KEYS = ConfigKeys.names();

  /** Allowed {@code engine.mode} values. */
  public static final List<String> ENGINE_MODES = ConfigKeys.ENGINE_MODES;

  /**
   * The default of {@code stallLimit}: the engine's own default of
   * {@link dev.sparq.core.engine.Sparq.Builder#stallLimit(int)}.
   */
  public static final int DEFAULT_STALL_LIMIT = 5;

  /**
   * Records per candidate log shard when run.yaml has no {@code logRecordsPerShard}: the library's
   * default ({@link dev.sparq.core.store.LogOptions#defaults()}; a test checks they agree). A
   * constant, because {@link ConfigKeys} reads it while {@link #KEYS} is being built.
   */
  public static final long DEFAULT_LOG_RECORDS_PER_SHARD = 1_000_000L;

  /** The default of {@code engine.in_flight}: candidates in flight per endpoint in async mode. */
  public static final int DEFAULT_IN_FLIGHT = 64;

  /**
   * The most {@code engine.in_flight} allows: one OpenAI client sends at most 1,024 requests at once
   * (its thread pool), so more candidates per endpoint would only wait in its queue, each holding an
   * engine thread.
   */
  public static final int MAX_IN_FLIGHT = 1024;

  /**
   * The most candidates the asynchronous engine may keep in flight in all ({@code engine.in_flight}
   * x endpoints): each holds one platform thread of the engine while its request is out (Java 17 has
   * no virtual threads), besides the client's own. 100,000 threads could not all be started on a
   * 2-core, 24 GiB machine (unable to create native thread after about 32,400, 63 s and 830 MB);
   * 4,096 start in about 3 s in 180 MB, and three clients (generator, solver, labeller) send at most
   * 3,072 requests at once.
   */
  public static final int MAX_IN_FLIGHT_TOTAL = dev.sparq.core.engine.Sparq.MAX_IN_FLIGHT;

  /**
   * How the engine schedules its stages.
   *
   * @param mode {@code sync} (iterations as barriers, bit-reproducible; the default) or {@code async}
   *     (steady state: each candidate moves on as soon as its previous stage finishes)
   * @param inFlight async only: candidates in flight per endpoint (each holds one request at a
   *     time: its generation, its K rollouts as one request, or its description)
   */
  public record EngineSettings(String mode, int inFlight) {
    /** Checks the mode. */
    public EngineSettings {
      if (!ENGINE_MODES.contains(mode)) {
        throw new IllegalArgumentException("engine mode must be one of " + ENGINE_MODES + ", was " + mode);
      }
      if (inFlight < 1) {
        throw new IllegalArgumentException("engine in_flight must be >= 1, was " + inFlight);
      }
    }

    /** The default: synchronous. */
    public static final EngineSettings SYNC = new EngineSettings("sync", DEFAULT_IN_FLIGHT);

    /** Whether the asynchronous (steady-state) mode is selected. */
    public boolean async() {
      return mode.equals("async");
    }
  }


  /** The archive shapes of {@code archive.type}. */
  public enum ArchiveKind {
    /** SPARQ's skill-set niches. */
    SKILLS,
    /** A grid over two numeric measures (backend demo). */
    GRID,
    /** A centroidal Voronoi tessellation over numeric measures (backend demo). */
    CVT
  }

  /** Checks references and ranges. */
  public RunConfig {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(seeds, "seeds");
    Objects.requireNonNull(preset, "preset");
    Objects.requireNonNull(archive, "archive");
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(stages, "stages");
    if (stallLimit < 0) {
      throw new IllegalArgumentException("stallLimit must be >= 0 (0 = off), was " + stallLimit);
    }
  }

  /** A configuration with the default stall limit ({@link #DEFAULT_STALL_LIMIT}). */
  public RunConfig(Backend backend, SeedSource seeds, Variant preset, ArchiveKind archive, int capacity,
      int k, double bandLow, double bandHigh, int batchSize, Budget budget, Path output, long seed,
      int threads, int checkpointEvery, EngineSettings engine, Stages stages) {
    this(backend, seeds, preset, archive, capacity, k, bandLow, bandHigh, batchSize, budget, output, seed,
        threads, checkpointEvery, DEFAULT_STALL_LIMIT, engine, stages);
  }

  /** A configuration with the default engine settings and stages. */
  public RunConfig(Backend backend, SeedSource seeds, Variant preset, ArchiveKind archive, int capacity,
      int k, double bandLow, double bandHigh, int batchSize, Budget budget, Path output, long seed,
      int threads, int checkpointEvery) {
    this(backend, seeds, preset, archive, capacity, k, bandLow, bandHigh, batchSize, budget, output, seed,
        threads, checkpointEvery, EngineSettings.SYNC, Stages.DEFAULTS);
  }

  /** A configuration with the default stages ({@link Stages#DEFAULTS}). */
  public RunConfig(Backend backend, SeedSource seeds, Variant preset, ArchiveKind archive, int capacity,
      int k, double bandLow, double bandHigh, int batchSize, Budget budget, Path output, long seed,
      int threads, int checkpointEvery, EngineSettings engine) {
    this(backend, seeds, preset, archive, capacity, k, bandLow, bandHigh, batchSize, budget, output, seed,
        threads, checkpointEvery, engine, Stages.DEFAULTS);
  }

  /**
   * The model of a role ({@code generator}, {@code solver} or {@code labeller}): its block under
   * {@code models}, else {@code backend}. Empty for the demo backend, which has no model.
   */
  public java.util.Optional<Backend.ModelBackend> model(String role) {
    if (!ConfigKeys.ROLES.contains(role)) {
      throw new IllegalArgumentException("no role " + role + "; roles: " + ConfigKeys.ROLES);
    }
    Backend.ModelBackend m = stages.models().get(role);
    if (m != null) {
      return java.util.Optional.of(m);
    }
    return backend instanceof Backend.ModelBackend mb ? java.util.Optional.of(mb) : java.util.Optional.empty();
  }

  /**
   * The model backend, one variant per {@code backend.type}: each variant holds only the keys that
   * mean something for it, so a combination such as an ONNX device on an OpenAI backend cannot be
   * expressed. The YAML keys are unchanged (src-docs/configuration.md).
   */
  public sealed interface Backend permits Backend.Demo, Backend.ModelBackend {

    /** The {@code backend.type} value of this variant: {@code demo}, {@code onnx} or {@code openai}. */
    String type();

    /** Whether the student is simulated (no language model). */
    default boolean simulated() {
      return this instanceof Demo;
    }

    /**
     * The rule-based demo domain with its simulated student (no model).
     *
     * @param slip the simulated student's slip rate
     */
    record Demo(double slip) implements Backend {
      @Override
      public String type() {
        return "demo";
      }
    }

    /** A backend with a real language model in every role. */
    sealed interface ModelBackend extends Backend permits Onnx, OpenAi {
      /** onnx: a model directory or hub id; openai: the served model name. */
      String model();

      /** The sampling temperature for generation and rollouts. */
      double temperature();

      /** The most tokens per completion. */
      int maxTokens();
    }

    /**
     * An in-process ONNX model.
     *
     * @param model a model directory or a hub id such as {@code onnx-community/Qwen2.5-0.5B-Instruct}
     * @param device {@code cpu} or {@code cuda}
     * @param variant the model file variant ({@code fp32}, {@code fp16}, {@code q4}, ...)
     * @param temperature sampling temperature for generation and rollouts
     * @param maxTokens the most tokens per completion
     * @param chatTemplateKwargs extra variables of the model's chat template, such as
     *     {@code enable_thinking: false} (empty when not set)
     */
    record Onnx(String model, String device, String variant, double temperature, int maxTokens,
        java.util.Map<String, Object> chatTemplateKwargs) implements ModelBackend {
      /** Checks that nothing is missing; copies the variables. */
      public Onnx {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(variant, "variant");
        chatTemplateKwargs = java.util.Collections.unmodifiableMap(
            new java.util.LinkedHashMap<>(chatTemplateKwargs));
      }

      /** A model without chat-template variables. */
      public Onnx(String model, String device, String variant, double temperature, int maxTokens) {
        this(model, device, variant, temperature, maxTokens, java.util.Map.of());
      }

      @Override
      public String type() {
        return "onnx";
      }
    }

    /**
     * One or more OpenAI-compatible servers.
     *
     * @param endpoints the servers, each a base URL such as {@code http://localhost:8000/v1} with
     *     optional per-endpoint settings (at least one)
     * @param model the served model name
     * @param apiKeyEnv the environment variable holding the API key (empty: none)
     * @param temperature sampling temperature for generation and rollouts
     * @param maxTokens the most tokens per completion
     */
    record OpenAi(List<EndpointConfig> endpoints, String model, String apiKeyEnv, double temperature,
        int maxTokens) implements ModelBackend {
      /** Copies the endpoint list. */
      public OpenAi {
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(apiKeyEnv, "apiKeyEnv");
      }

      @Override
      public String type() {
        return "openai";
      }
    }
  }

  /** Keys of one endpoint given as a mapping. */
  public static final List<String> ENDPOINT_KEYS = ConfigKeys.ENDPOINT_KEYS;

  /**
   * One OpenAI-compatible server of backend {@code openai}: in run.yaml either a plain URL string or
   * a mapping with {@code url} and the optional keys below.
   *
   * @param url the base URL; a path given is used as given ({@code http://host:8000/} is the root,
   *     {@code http://host:8000/v1} is {@code /v1}; no path at all means {@code /v1})
   * @param maxConcurrency requests in flight at most ({@code max_concurrency}; 0: the client's
   *     default of 64); 1 for a server that breaks under concurrent requests
   * @param timeoutSeconds time limit of one attempt in seconds ({@code timeout}; 0: the client's
   *     default of 5 minutes)
   * @param extraBody fields added to every request body sent there ({@code extra_body}), e.g.
   *     {@code chat_template_kwargs}
   */
  public record EndpointConfig(String url, int maxConcurrency, double timeoutSeconds,
      java.util.Map<String, Object> extraBody) {
    /** Copies the extra body. */
    public EndpointConfig {
      Objects.requireNonNull(url, "url");
      extraBody = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(extraBody));
    }

    /** An endpoint with only a URL. */
    public static EndpointConfig of(String url) {
      return new EndpointConfig(url, 0, 0, java.util.Map.of());
    }

    /** Whether anything beyond the URL is set. */
    public boolean hasSettings() {
      return maxConcurrency > 0 || timeoutSeconds > 0 || !extraBody.isEmpty();
    }
  }

  /**
   * Where the seed problems come from.
   *
   * @param format {@code demo} (generated demo problems), {@code jsonl} (one problem per line),
   *     {@code math} (the MATH release: a directory of JSON files or one JSONL file) or
   *     {@code gsm8k} (GSM8K JSON Lines); each of the last three also reads Parquet (see
   *     {@link SeedLoader})
   * @param path the file or directory (all formats but demo): for Parquet a {@code .parquet} file, a
   *     directory of one split's shards, or a glob such as {@code main/train-*.parquet}
   * @param limit the most seeds to use (demo: how many to generate)
   */
  public record SeedSource(String format, String path, int limit) {}

  /**
   * The stage implementations a run uses and their parameters; {@link #DEFAULTS} is the paper's
   * setup (fixed K, a flagging guard, mutation only, skill descriptors with M = 100 and k = 3, built-in
   * prompts, one model for every role).
   *
   * @param models a backend block per role ({@code generator}, {@code solver}, {@code labeller});
   *     a missing role uses {@code backend}
   * @param estimator the difficulty estimator
   * @param guard the validity guard
   * @param operators the generation operators with their weights (empty: mutation alone)
   * @param descriptor how problems are placed in niches
   * @param solverPrompt the solver's template file (null: built-in)
   * @param labellerPrompt the skill labeller's template file (null: built-in)
   * @param export the defaults of {@code sparq export}
   * @param logRolloutTexts which rollout texts the candidate log keeps ({@code logRolloutTexts})
   * @param logRecordsPerShard records per candidate log shard ({@code logRecordsPerShard}, at least
   *     1; {@link dev.sparq.core.store.LogOptions#withRecordsPerShard}): a new shard file starts after the batch that
   *     reaches it, so a lower value keeps every file under a file-size limit
   */
  public record Stages(java.util.Map<String, Backend.ModelBackend> models, EstimatorConfig estimator,
      GuardConfig guard, List<OperatorConfig> operators, DescriptorConfig descriptor,
      PromptFile solverPrompt, PromptFile labellerPrompt, ExportConfig export,
      dev.sparq.core.store.RolloutTexts logRolloutTexts, long logRecordsPerShard) {
    /** The paper's stages. */
    public static final Stages DEFAULTS = new Stages(java.util.Map.of(), EstimatorConfig.DEFAULTS,
        GuardConfig.DEFAULTS, List.of(), DescriptorConfig.DEFAULTS, null, null, ExportConfig.DEFAULTS);

    /** Copies the maps and lists. */
    public Stages {
      models = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(models));
      Objects.requireNonNull(estimator, "estimator");
      Objects.requireNonNull(guard, "guard");
      operators = List.copyOf(operators);
      Objects.requireNonNull(descriptor, "descriptor");
      Objects.requireNonNull(export, "export");
      Objects.requireNonNull(logRolloutTexts, "logRolloutTexts");
      if (logRecordsPerShard < 1) {
        throw new IllegalArgumentException("logRecordsPerShard must be >= 1, was " + logRecordsPerShard);
      }
    }

    /** Stages with the default records per log shard ({@link #DEFAULT_LOG_RECORDS_PER_SHARD}). */
    public Stages(java.util.Map<String, Backend.ModelBackend> models, EstimatorConfig estimator,
        GuardConfig guard, List<OperatorConfig> operators, DescriptorConfig descriptor,
        PromptFile solverPrompt, PromptFile labellerPrompt, ExportConfig export,
        dev.sparq.core.store.RolloutTexts logRolloutTexts) {
      this(models, estimator, guard, operators, descriptor, solverPrompt, labellerPrompt, export,
          logRolloutTexts, DEFAULT_LOG_RECORDS_PER_SHARD);
    }

    /** These stages with {@code n} records per candidate log shard. */
    public Stages withLogRecordsPerShard(long n) {
      return new Stages(models, estimator, guard, operators, descriptor, solverPrompt, labellerPrompt, export,
          logRolloutTexts, n);
    }

    /** Stages whose candidate log keeps every rollout text ({@code logRolloutTexts: all}). */
    public Stages(java.util.Map<String, Backend.ModelBackend> models, EstimatorConfig estimator,
        GuardConfig guard, List<OperatorConfig> operators, DescriptorConfig descriptor,
        PromptFile solverPrompt, PromptFile labellerPrompt, ExportConfig export) {
      this(models, estimator, guard, operators, descriptor, solverPrompt, labellerPrompt, export,
          dev.sparq.core.store.RolloutTexts.ALL);
    }
  }

  /**
   * {@code estimator}: {@code fixed} ({@link dev.sparq.core.difficulty.FixedKEstimator}, k rollouts)
   * or {@code adaptive} ({@link dev.sparq.core.difficulty.AdaptiveEstimator} with reference K = k).
   *
   * @param type {@code fixed} or {@code adaptive}
   * @param maxRollouts adaptive: the most rollouts per problem (0: k)
   * @param initialRollouts adaptive: rollouts of the first round
   * @param roundRollouts adaptive: rollouts of each later round
   * @param error adaptive: accepted probability of another decision than k rollouts
   * @param archiveAware adaptive: stop measuring children that cannot enter their full niche
   * @param inBandOnly reject children outside the band before labelling
   */
  public record EstimatorConfig(String type, int maxRollouts, int initialRollouts, int roundRollouts,
      double error, boolean archiveAware, boolean inBandOnly) {
    /** Fixed K, nothing else. */
    public static final EstimatorConfig DEFAULTS = new EstimatorConfig("fixed", 0, 4, 2, 0.03, false, false);

    /** Whether it is the adaptive estimator. */
    public boolean adaptive() {
      return type.equals("adaptive");
    }
  }

  /**
   * {@code guard}: the {@link dev.sparq.core.difficulty.ValidityGuard}.
   *
   * @param policy what happens to a disputed problem
   * @param majority fraction of rollouts that must agree on a competing answer (strictly more)
   * @param minVotes least number of agreeing rollouts
   */
  public record GuardConfig(dev.sparq.core.difficulty.ValidityGuard.Policy policy, double majority,
      int minVotes) {
    /** Keep (flag only), 0.5, 2. */
    public static final GuardConfig DEFAULTS =
        new GuardConfig(dev.sparq.core.difficulty.ValidityGuard.Policy.KEEP, 0.5, 2);
  }

  /**
   * One entry of {@code operators}.
   *
   * @param type {@code mutate}, {@code crossover}, {@code few_shot}, {@code harder}, {@code easier}
   *     or {@code targeted}
   * @param weight relative weight
   * @param template the prompt template file (null: built-in)
   * @param k few_shot: problems shown
   * @param skills targeted: the skills aimed at
   */
  public record OperatorConfig(String type, double weight, PromptFile template, int k, List<String> skills) {
    /** Copies the skills. */
    public OperatorConfig {
      Objects.requireNonNull(type, "type");
      skills = List.copyOf(skills);
    }
  }

  /**
   * {@code descriptor}.
   *
   * @param type {@code skills}, {@code embedding} or {@code both}
   * @param vocabulary M, the skill vocabulary size
   * @param skillsPerProblem k, skills per problem
   * @param embeddingModel the ONNX sentence-embedding model directory ("" when unused)
   * @param projection {@code pca} or {@code random}
   * @param dimensions measures after projection
   * @param cells semantic regions (k-means cells over the seeds' measures)
   * @param labelTemperature sampling temperature of the skill labeller's replies
   * @param labelMaxTokens completion tokens per skill-labeller reply
   */
  public record DescriptorConfig(String type, int vocabulary, int skillsPerProblem, String embeddingModel,
      String projection, int dimensions, int cells, double labelTemperature, int labelMaxTokens) {
    /** Skills, M = 100, k = 3; the labeller answers at temperature 0 in at most 64 tokens. */
    public static final DescriptorConfig DEFAULTS =
        new DescriptorConfig("skills", 100, 3, "", "pca", 2, 16, 0, 64);

    /** Whether skill labels are part of it. */
    public boolean skills() {
      return !type.equals("embedding");
    }

    /** Whether an embedding model is part of it. */
    public boolean embedding() {
      return !type.equals("skills");
    }
  }

  /**
   * A prompt template read from a file: the file's text is the user message, with placeholders
   * such as {@code {problem}} (see {@link dev.sparq.core.prompt.PromptTemplate}); it is text, never
   * run.
   *
   * @param path the absolute path
   * @param text the file's content
   */
  public record PromptFile(Path path, String text) {
    /** The template. */
    public dev.sparq.core.prompt.PromptTemplate template() {
      return dev.sparq.core.prompt.PromptTemplate.of(text);
    }
  }

  /**
   * {@code export}: what {@code sparq export} does when its options are not given.
   *
   * @param format the row layout (an {@link dev.sparq.core.export.ExportFormat} id)
   * @param name the data file name without extension
   * @param select all, random, quality, diversity or qd (null: all, or random with a budget)
   * @param budget how many problems to select (0: no limit)
   * @param minQuality least quality kept
   * @param maxQuality greatest quality kept
   * @param exactDuplicates remove repeated normalised statements
   * @param nearDuplicates remove near-duplicates (MinHash, 8 bands of 8 rows)
   * @param benchmarks benchmark files for the contamination check
   * @param contaminationNgram the n of the contamination n-grams
   * @param referenceSolutions train on the generator's solutions
   * @param system a system message for every row (null: none)
   */
  public record ExportConfig(String format, String name, String select, int budget, double minQuality,
      double maxQuality, boolean exactDuplicates, boolean nearDuplicates, List<Path> benchmarks,
      int contaminationNgram, boolean referenceSolutions, String system) {
    /** The exporter's defaults. */
    public static final ExportConfig DEFAULTS = new ExportConfig("messages", DEFAULT_EXPORT_NAME, null, 0,
        0, 1, true, false, List.of(), 13, false, null);

    /** Copies the benchmark list. */
    public ExportConfig {
      Objects.requireNonNull(format, "format");
      Objects.requireNonNull(name, "name");
      benchmarks = List.copyOf(benchmarks);
    }
  }

  /** The export data file's name without extension, in the library and the command: {@code sparq}. */
  public static final String DEFAULT_EXPORT_NAME = "sparq";

  /** The largest prompt template file read. */
  public static final long MAX_TEMPLATE_BYTES = 64 * 1024;

  /** The configuration of {@code sparq demo} with the given knobs. */
  public static RunConfig demo(Path output, Variant preset, ArchiveKind archive,
      long iterations, long seed, int k, int batchSize, int seeds) {
    return new RunConfig(new Backend.Demo(SimulatedDomain.get().defaultSlip()),
        new SeedSource("demo", "", seeds), preset, archive, dev.sparq.core.preset.PaperPreset.NICHE_CAPACITY,
        k, 0.1, 0.9, batchSize,
        Budget.iterations(iterations), output, seed, 1, 5);
  }

  /** The largest configuration file read (checked before any parser sees the text). */
  public static final long MAX_CONFIG_BYTES = 3L << 20;

  private static final ObjectMapper YAML = YAMLMapper.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  /**
   * Reads a YAML or JSON file ({@code .json} is read as JSON, anything else as YAML). The file may be
   * at most {@link #MAX_CONFIG_BYTES}; a key may appear only once in a mapping; syntax errors name
   * the line and column.
   */
  public static RunConfig load(Path file) {
    JsonNode tree;
    boolean json = file.toString().toLowerCase(Locale.ROOT).endsWith(".json");
    if (!Files.exists(file)) {
      throw new ConfigException(file + ": the configuration file does not exist");
    }
    try {
      // refuses a FIFO or a device (a link to /dev/zero) before it is opened, so it cannot hang or
      // fill memory, and a file over MAX_CONFIG_BYTES before it is read (and one that grows while
      // read); a link to a regular file (your own configuration) is followed
      byte[] bytes = UntrustedFiles.readAllBytes(file, MAX_CONFIG_BYTES, UntrustedFiles.Links.FOLLOW,
          "configuration file");
      String text = SeedLoader.decodeUtf8(bytes, file);
      ObjectMapper m = json ? dev.sparq.core.internal.StrictJson.mapper() : YAML;
      if (!json) {
        refuseAliases(text, file);
      }
      tree = m.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ConfigException(file + where(e) + ": not valid " + (json ? "JSON" : "YAML") + ": "
          + yamlProblem(e));
    } catch (dev.sparq.core.DataException e) {
      throw new ConfigException(e.getMessage());
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read the configuration file: "
          + dev.sparq.core.internal.IoMessages.describe(e));
    }
    if (tree == null || !tree.isObject()) {
      throw new ConfigException(file + ": the configuration must be a mapping of keys to values");
    }
    Path base = file.toAbsolutePath().getParent();
    return fromTree(tree, file.toString(), base);
  }

  /**
   * Refuses YAML aliases ({@code *name}): the YAML reader gives an alias as the text of its name
   * ({@code k: *k} became the string {@code "k"}, a list alias a list of names), so a configuration
   * using them would be read as something else than it says.
   */
  private static void refuseAliases(String text, Path file) throws IOException {
    try (com.fasterxml.jackson.dataformat.yaml.YAMLParser p =
        (com.fasterxml.jackson.dataformat.yaml.YAMLParser) YAML.getFactory().createParser(text)) {
      while (p.nextToken() != null) {
        if (p.isCurrentAlias()) {
          com.fasterxml.jackson.core.JsonLocation loc = p.currentTokenLocation();
          throw new ConfigException(file + (loc.getLineNr() > 0 ? ":" + loc.getLineNr() + ":"
              + loc.getColumnNr() : "") + ": YAML aliases (*" + p.getText() + ") are not supported;"
              + " write the value out where it is used");
        }
      }
    }
  }

  /** {@code :line:column} of a parse error, or nothing when unknown. */
  private static String where(com.fasterxml.jackson.core.JsonProcessingException e) {
    com.fasterxml.jackson.core.JsonLocation loc = e.getLocation();
    if (loc == null || loc.getLineNr() <= 0) {
      return "";
    }
    return ":" + loc.getLineNr() + (loc.getColumnNr() > 0 ? ":" + loc.getColumnNr() : "");
  }

  /**
   * The parser's own words on one line, without Jackson's internals (source excerpts, feature names)
   * or SnakeYAML's repeated position.
   */
  private static String yamlProblem(com.fasterxml.jackson.core.JsonProcessingException e) {
    String m = dev.sparq.core.internal.StrictJson.problem(e);
    m = m.replaceAll("\\s*in 'reader', line \\d+, column \\d+:?.*$", "");
    m = m.replaceAll("\\(through reference chain.*$", "");
    int dup = m.indexOf("Duplicate field '");
    if (dup >= 0) {
      int end = m.indexOf('\'', dup + 17);
      String key = end > 0 ? m.substring(dup + 17, end) : "?";
      return "key '" + key + "' appears twice in the same mapping (the second would silently win); keep one";
    }
    return m.strip();
  }

  /**
   * Reads a configuration tree. Relative paths ({@code seeds.path}, {@code output}) are resolved
   * against {@code base}.
   */
  public static RunConfig fromTree(JsonNode tree, String source, Path base) {
    ConfigReader root = new ConfigReader(source, "", tree).allow(ConfigKeys.leaves(""));
    ConfigReader mr = root.object("models").allow(ConfigKeys.leaves("models"));
    java.util.Map<String, Backend.ModelBackend> models = new java.util.LinkedHashMap<>();
    for (String role : ConfigKeys.ROLES) {
      if (mr.has(role)) {
        Backend b = backend(mr.object(role), role);
        if (!(b instanceof Backend.ModelBackend m)) {
          throw mr.child(role, mr.node(role)).error("type", "'demo' has no model; allowed values for a"
              + " role: onnx, openai");
        }
        models.put(role, m);
      }
    }
    Backend backend;
    if (root.has("backend")) {
      backend = backend(root.object("backend"), null);
    } else if (models.size() == ConfigKeys.ROLES.size()) {
      backend = models.get("generator");
    } else {
      throw root.error("backend", "is required (a mapping with 'type': one of "
          + String.join(", ", BACKENDS) + "), unless models gives all of " + String.join(", ", ConfigKeys.ROLES));
    }
    String type = backend.type();
    if (backend instanceof Backend.Demo && !models.isEmpty()) {
      throw root.error("models", "needs a model backend; backend 'demo' simulates every role"
          + " (allowed backend types with models: onnx, openai)");
    }

    ConfigReader s = root.object("seeds").allow(ConfigKeys.leaves("seeds"));
    String format = s.choice(ConfigKeys.SEEDS_FORMAT, type.equals("demo") && !s.has("path") ? "demo" : "jsonl");
    String path = s.string("path", "");
    if (!format.equals("demo")) {
      if (path.isBlank()) {
        throw s.error("path", "is required for seed format '" + format + "'");
      }
      path = base == null ? path : base.resolve(path).normalize().toString();
    }
    if (type.equals("demo") && !format.equals("demo")) {
      throw s.error("format", "'" + format + "' seeds do not work with backend 'demo' (its rule-based "
          + "generator and simulated student only read demo problems); allowed values for backend 'demo': demo");
    }
    if (format.equals("demo") && !type.equals("demo")) {
      throw s.error("format", "'demo' seeds only work with backend 'demo'; allowed values for backend '"
          + type + "': jsonl, math, gsm8k");
    }
    SeedSource seeds = new SeedSource(format, path, (int) s.integer(ConfigKeys.SEEDS_LIMIT,
        format.equals("demo") ? 200 : 1_000_000));

    Variant preset = Variant.valueOf(root.choice(ConfigKeys.PRESET, "static_uniform").toUpperCase(Locale.ROOT));
    ConfigReader a = root.object("archive").allow(ConfigKeys.leaves("archive"));
    ArchiveKind archive = ArchiveKind.valueOf(a.choice(ConfigKeys.ARCHIVE_TYPE, "skills").toUpperCase(Locale.ROOT));
    if (archive != ArchiveKind.SKILLS && !type.equals("demo")) {
      throw a.error("type", "'" + archive.name().toLowerCase(Locale.ROOT) + "' needs numeric measures, "
          + "which only backend 'demo' provides; allowed values for backend '" + type + "': skills");
    }
    int capacity = (int) a.integer(ConfigKeys.ARCHIVE_CAPACITY, dev.sparq.core.preset.PaperPreset.NICHE_CAPACITY);
    double[] band = root.pair("band", new double[] {0.1, 0.9}, 0, 1);
    ConfigReader bu = root.object("budget").allow(ConfigKeys.leaves("budget"));
    if (!bu.has("iterations") && !bu.has("candidates") && !bu.has("rollouts") && !bu.has("tokens")) {
      throw root.error("budget",
          "is required: give at least one of iterations, candidates, rollouts, tokens");
    }
    if (bu.has("tokens") && backend instanceof Backend.Demo) {
      // the simulated student reads and writes no tokens, so the limit could never be reached
      throw bu.error("tokens", "is not allowed with backend 'demo', whose simulated student counts no"
          + " tokens; give iterations, candidates or rollouts");
    }
    Budget budget = new Budget(bu.integer(ConfigKeys.BUDGET_ITERATIONS, Long.MAX_VALUE),
        bu.integer(ConfigKeys.BUDGET_CANDIDATES, Long.MAX_VALUE),
        bu.integer(ConfigKeys.BUDGET_ROLLOUTS, Long.MAX_VALUE),
        bu.integer(ConfigKeys.BUDGET_TOKENS, Long.MAX_VALUE));
    String out = root.string("output", null);
    if (out == null || out.isBlank()) {
      throw root.error("output", "is required (the run directory to create)");
    }
    Path output = base == null ? Path.of(out) : base.resolve(out).normalize();
    int k = (int) root.integer(ConfigKeys.K, 16);
    ConfigReader en = root.object("engine").allow(ConfigKeys.leaves("engine"));
    EngineSettings engine = new EngineSettings(en.choice(ConfigKeys.ENGINE_MODE, "sync"),
        (int) en.integer(ConfigKeys.ENGINE_IN_FLIGHT, DEFAULT_IN_FLIGHT));
    Stages stages = stages(root, base, backend, models, k);
    RunConfig c = new RunConfig(backend, seeds, preset, archive, capacity, k, band[0], band[1],
        (int) root.integer(ConfigKeys.BATCH_SIZE, 64), budget, output,
        root.integer(ConfigKeys.SEED, 0),
        (int) root.integer(ConfigKeys.THREADS, 1),
        (int) root.integer(ConfigKeys.CHECKPOINT_EVERY, 10),
        (int) root.integer(ConfigKeys.STALL_LIMIT, DEFAULT_STALL_LIMIT), engine, stages);
    int endpoints = Components.endpoints(c);
    if (engine.async() && (long) engine.inFlight() * endpoints > MAX_IN_FLIGHT_TOTAL) {
      // each candidate in flight holds an engine thread: refuse before thousands of threads start
      throw en.error("in_flight", engine.inFlight() + " x " + endpoints + " endpoints = "
          + (long) engine.inFlight() * endpoints + " candidates in flight is more than the engine "
          + "allows (" + MAX_IN_FLIGHT_TOTAL + " in all, one thread each); lower in_flight to at most "
          + MAX_IN_FLIGHT_TOTAL / endpoints);
    }
    return c;
  }

  /** Reads a backend block: {@code backend}, or {@code models.<role>} when {@code role} is given. */
  private static Backend backend(ConfigReader b, String role) {
    b.allow(ConfigKeys.leaves("backend"));
    String type = b.choice(ConfigKeys.BACKEND_TYPE, null);
    if (type == null) {
      throw b.error("type", "is required; allowed values: " + String.join(", ", role == null ? BACKENDS
          : List.of("onnx", "openai")));
    }
    String model = b.string("model", "");
    List<EndpointConfig> endpoints = endpoints(b);
    if (type.equals("onnx") && model.isBlank()) {
      throw b.error("model", "is required for backend 'onnx' (a model directory or a hub id such as "
          + "onnx-community/Qwen2.5-0.5B-Instruct)");
    }
    if (type.equals("openai")) {
      if (endpoints.isEmpty()) {
        throw b.error("endpoints", "is required for backend 'openai' (a list of base URLs such as "
            + "http://localhost:8000/v1)");
      }
      if (model.isBlank()) {
        throw b.error("model", "is required for backend 'openai' (the model name the server serves)");
      }
      for (int i = 0; i < endpoints.size(); i++) {
        try {
          dev.sparq.openai.Endpoint.of(endpoints.get(i).url());
        } catch (IllegalArgumentException e) {
          // The message shows the URL with any credentials masked.
          throw b.error("endpoints[" + i + "]", e.getMessage());
        }
      }
    }
    // every key is read (and range-checked) whatever the type, as before; each variant keeps its own
    double slip = b.number(ConfigKeys.BACKEND_SLIP, type.equals("demo") ? SimulatedDomain.get().defaultSlip() : 0);
    String device = b.choice(ConfigKeys.BACKEND_DEVICE, "cpu");
    String variant = b.string("variant", "fp32");
    String apiKeyEnv = b.string("apiKeyEnv", "");
    double temperature = b.number(ConfigKeys.BACKEND_TEMPERATURE, 1.0);
    int maxTokens = (int) b.integer(ConfigKeys.BACKEND_MAX_TOKENS, 2048);
    java.util.Map<String, Object> kwargs = b.freeMapping("chatTemplateKwargs");
    if (!type.equals("onnx") && !kwargs.isEmpty()) {
      throw b.error("chatTemplateKwargs", "applies to backend 'onnx' only (the model's own chat"
          + " template); this backend is '" + type + "'");
    }
    for (String reserved : List.of("messages", "add_generation_prompt")) {
      if (kwargs.containsKey(reserved)) {
        throw b.error("chatTemplateKwargs", "'" + reserved + "' is set by SPARQ itself");
      }
    }
    return switch (type) {
      case "demo" -> new Backend.Demo(slip);
      case "onnx" -> new Backend.Onnx(model, device, variant, temperature, maxTokens, kwargs);
      default -> new Backend.OpenAi(endpoints, model, apiKeyEnv, temperature, maxTokens);
    };
  }

  /** Reads the stage keys: estimator, guard, operators, prompts, descriptor, export. */
  private static Stages stages(ConfigReader root, Path base, Backend backend,
      java.util.Map<String, Backend.ModelBackend> models, int k) {
    boolean demo = backend instanceof Backend.Demo;
    ConfigReader e = root.object("estimator").allow(ConfigKeys.leaves("estimator"));
    String etype = e.choice(ConfigKeys.ESTIMATOR_TYPE, "fixed");
    if (!etype.equals("adaptive")) {
      for (String adaptiveOnly : List.of("maxRollouts", "initialRollouts", "roundRollouts", "error", "archiveAware")) {
        if (e.has(adaptiveOnly)) {
          throw e.error(adaptiveOnly, "applies to estimator type 'adaptive' only; this estimator is '" + etype + "'");
        }
      }
    }
    int maxRollouts = (int) e.integer(ConfigKeys.ESTIMATOR_MAX_ROLLOUTS, etype.equals("adaptive") ? k : 0);
    if (maxRollouts > k) {
      throw e.error("maxRollouts", "must be at most k (" + k + "), was " + maxRollouts);
    }
    EstimatorConfig estimator = new EstimatorConfig(etype, maxRollouts,
        (int) e.integer(ConfigKeys.ESTIMATOR_INITIAL, 4), (int) e.integer(ConfigKeys.ESTIMATOR_ROUND, 2),
        e.number(ConfigKeys.ESTIMATOR_ERROR, 0.03), e.bool(ConfigKeys.ESTIMATOR_ARCHIVE_AWARE, false),
        e.bool(ConfigKeys.ESTIMATOR_IN_BAND_ONLY, false));

    ConfigReader g = root.object("guard").allow(ConfigKeys.leaves("guard"));
    dev.sparq.core.difficulty.ValidityGuard.Policy policy = dev.sparq.core.difficulty.ValidityGuard.Policy.valueOf(
        g.choice(ConfigKeys.GUARD_POLICY, "keep").toUpperCase(Locale.ROOT));
    if (demo && policy == dev.sparq.core.difficulty.ValidityGuard.Policy.RESOLVE) {
      throw g.error("policy", "'resolve' asks the generator's model to solve again, and backend 'demo' has"
          + " no model; allowed values for backend 'demo': keep, drop");
    }
    GuardConfig guard = new GuardConfig(policy, g.number(ConfigKeys.GUARD_MAJORITY, 0.5),
        (int) g.integer(ConfigKeys.GUARD_MIN_VOTES, 2));

    List<OperatorConfig> operators = new java.util.ArrayList<>();
    if (root.has("operators")) {
      JsonNode list = root.node("operators");
      if (!list.isArray() || list.isEmpty()) {
        throw root.error("operators", "must be a non-empty list of mappings with 'type' (one of "
            + String.join(", ", ConfigKeys.OPERATORS) + "), was " + kindOf(list));
      }
      if (demo) {
        throw root.error("operators", "apply to model backends; backend 'demo' has its own rule-based generator");
      }
      for (int i = 0; i < list.size(); i++) {
        if (!list.get(i).isObject()) {
          throw root.error("operators[" + i + "]", "must be a mapping with 'type', was " + kindOf(list.get(i)));
        }
        ConfigReader o = root.child("operators[" + i + "]", list.get(i)).allow(ConfigKeys.leaves("operators[]"));
        String otype = o.choice(ConfigKeys.OPERATOR_TYPE, null);
        if (otype == null) {
          throw o.error("type", "is required; allowed values: " + String.join(", ", ConfigKeys.OPERATORS));
        }
        if (o.has("k") && !otype.equals("few_shot")) {
          throw o.error("k", "applies to operator 'few_shot' only");
        }
        if (o.has("skills") && !otype.equals("targeted")) {
          throw o.error("skills", "applies to operator 'targeted' only");
        }
        if (o.has("template") && (otype.equals("harder") || otype.equals("easier"))) {
          throw o.error("template", "operators 'harder' and 'easier' use the built-in targeted template;"
              + " for a template of your own use type 'targeted' with 'skills'");
        }
        List<String> skills = o.strings("skills");
        if (otype.equals("targeted") && skills.isEmpty()) {
          throw o.error("skills", "is required for operator 'targeted' (the skills the child should need)");
        }
        OperatorConfig oc = new OperatorConfig(otype, o.number(ConfigKeys.OPERATOR_WEIGHT, 1.0),
            promptFile(o, "template", base), (int) o.integer(ConfigKeys.OPERATOR_K, 3), skills);
        try {
          operator(oc); // checks the template's placeholders
        } catch (dev.sparq.core.ConfigException ex) {
          throw o.error("template", ex.getMessage());
        }
        operators.add(oc);
      }
    }

    ConfigReader p = root.object("prompts").allow(ConfigKeys.leaves("prompts"));
    if (demo && (p.has("solver") || p.has("labeller"))) {
      throw root.error("prompts", "apply to model backends; backend 'demo' prompts no model");
    }
    if (operators.isEmpty() && !demo) {
      operators.add(new OperatorConfig("mutate", 1.0, null, 3, List.of())); // the paper's
    }
    PromptFile solverPrompt = promptFile(p, "solver", base);
    PromptFile labellerPrompt = promptFile(p, "labeller", base);
    try {
      if (solverPrompt != null) {
        solverPrompt.template().validate("solver", java.util.Set.of("problem"));
      }
    } catch (dev.sparq.core.ConfigException ex) {
      throw p.error("solver", ex.getMessage() + " (the solver fills {problem})");
    }
    try {
      if (labellerPrompt != null) {
        labellerPrompt.template().validate("labeller", java.util.Set.of("problem", "solution", "k"));
      }
    } catch (dev.sparq.core.ConfigException ex) {
      throw p.error("labeller", ex.getMessage() + " (the labeller fills {problem}, {solution}, {k})");
    }

    ConfigReader d = root.object("descriptor").allow(ConfigKeys.leaves("descriptor"));
    if (demo && root.has("descriptor")) {
      throw root.error("descriptor", "applies to model backends; backend 'demo' describes problems by its rules");
    }
    String dtype = d.choice(ConfigKeys.DESCRIPTOR_TYPE, "skills");
    ConfigReader em = d.object("embedding").allow(ConfigKeys.leaves("descriptor.embedding"));
    String embModel = em.string("model", "");
    if (!dtype.equals("skills") && embModel.isBlank()) {
      throw em.error("model", "is required for descriptor type '" + dtype + "' (an ONNX sentence-embedding"
          + " model directory)");
    }
    if (dtype.equals("skills") && d.has("embedding")) {
      throw d.error("embedding", "applies to descriptor types 'embedding' and 'both'; this descriptor is 'skills'");
    }
    if (!embModel.isBlank() && base != null) {
      embModel = base.resolve(embModel).normalize().toString();
    }
    DescriptorConfig descriptor = new DescriptorConfig(dtype, (int) d.integer(ConfigKeys.DESCRIPTOR_VOCABULARY, 100),
        (int) d.integer(ConfigKeys.DESCRIPTOR_SKILLS, 3), embModel, em.choice(ConfigKeys.EMBEDDING_PROJECTION, "pca"),
        (int) em.integer(ConfigKeys.EMBEDDING_DIMENSIONS, 2), (int) em.integer(ConfigKeys.EMBEDDING_CELLS, 16),
        d.number(ConfigKeys.DESCRIPTOR_LABEL_TEMPERATURE, 0),
        (int) d.integer(ConfigKeys.DESCRIPTOR_LABEL_MAX_TOKENS, 64));
    if (dtype.equals("embedding")) {
      for (String key : List.of("labelTemperature", "labelMaxTokens")) {
        if (d.has(key)) {
          throw d.error(key, "applies to descriptor types 'skills' and 'both' (the skill labeller);"
              + " this descriptor is 'embedding'");
        }
      }
    }

    ConfigReader x = root.object("export").allow(ConfigKeys.leaves("export"));
    String select = x.has("select") ? x.choice(ConfigKeys.EXPORT_SELECT, null) : null;
    int xbudget = (int) x.integer(ConfigKeys.EXPORT_BUDGET, 0);
    if (select != null && !select.equals("all") && xbudget == 0) {
      throw x.error("budget", "is required with select '" + select + "'");
    }
    double minQ = x.number(ConfigKeys.EXPORT_MIN_QUALITY, 0);
    double maxQ = x.number(ConfigKeys.EXPORT_MAX_QUALITY, 1);
    if (minQ > maxQ) {
      throw x.error("minQuality", "must not exceed maxQuality (" + maxQ + "), was " + minQ);
    }
    String xname = x.string("name", DEFAULT_EXPORT_NAME);
    if (!xname.matches("[A-Za-z0-9._-]+")) {
      throw x.error("name", "must be letters, digits, '.', '_' or '-', was '" + xname + "'");
    }
    List<Path> benchmarks = new java.util.ArrayList<>();
    for (String b : x.strings("benchmarks")) {
      // checked (exists, size) when sparq export reads it
      benchmarks.add((base == null ? Path.of(b) : base.resolve(b).normalize()).toAbsolutePath());
    }
    ExportConfig export = new ExportConfig(x.choice(ConfigKeys.EXPORT_FORMAT, "messages"), xname, select, xbudget,
        minQ, maxQ, x.bool(ConfigKeys.EXPORT_EXACT, true), x.bool(ConfigKeys.EXPORT_NEAR, false), benchmarks,
        (int) x.integer(ConfigKeys.EXPORT_NGRAM, 13), x.bool(ConfigKeys.EXPORT_REFERENCE, false),
        x.string("system", null));
    dev.sparq.core.store.RolloutTexts logTexts = dev.sparq.core.store.RolloutTexts.valueOf(
        root.choice(ConfigKeys.LOG_ROLLOUT_TEXTS, "all").toUpperCase(java.util.Locale.ROOT));
    long perShard = root.integer(ConfigKeys.LOG_RECORDS_PER_SHARD, DEFAULT_LOG_RECORDS_PER_SHARD);
    return new Stages(models, estimator, guard, operators, descriptor, solverPrompt, labellerPrompt, export,
        logTexts, perShard);
  }

  /**
   * Reads a prompt template file named by key {@code name}: a relative path must stay inside the
   * configuration file's directory (after resolving links), an absolute one is taken as given; at
   * most {@link #MAX_TEMPLATE_BYTES}, strict UTF-8. The text is only ever filled in, never run.
   */
  private static PromptFile promptFile(ConfigReader r, String name, Path base) {
    String given = r.string(name, null);
    if (given == null) {
      return null;
    }
    if (given.isBlank()) {
      throw r.error(name, "must name a template file");
    }
    Path p = Path.of(given);
    try {
      if (!p.isAbsolute()) {
        Path dir = (base == null ? Path.of("") : base).toAbsolutePath().normalize();
        p = dir.resolve(p).normalize();
        if (!p.startsWith(dir) || Files.exists(p) && !p.toRealPath().startsWith(dir.toRealPath())) {
          throw r.error(name, "'" + given + "' leaves the configuration file's directory " + dir
              + "; give an absolute path to use a template from elsewhere");
        }
      }
      if (!Files.isRegularFile(p)) {
        throw r.error(name, "'" + p + "' is not a file");
      }
      if (Files.size(p) > MAX_TEMPLATE_BYTES) {
        throw r.error(name, "'" + p + "' is " + Files.size(p) + " bytes; a template may have at most "
            + MAX_TEMPLATE_BYTES + " (64 KiB)");
      }
      byte[] bytes = Files.readAllBytes(p);
      if (bytes.length > MAX_TEMPLATE_BYTES) {
        throw r.error(name, "'" + p + "' grew beyond " + MAX_TEMPLATE_BYTES + " bytes while read");
      }
      String text = SeedLoader.decodeUtf8(bytes, p);
      if (text.isBlank()) {
        throw r.error(name, "'" + p + "' is empty");
      }
      return new PromptFile(p.toAbsolutePath(), text);
    } catch (dev.sparq.core.DataException e) {
      throw r.error(name, e.getMessage());
    } catch (IOException e) {
      throw r.error(name, "cannot read '" + p + "': " + dev.sparq.core.internal.IoMessages.describe(e));
    }
  }

  /** The library operator of one {@code operators} entry. */
  static dev.sparq.core.generate.Operator operator(OperatorConfig o) {
    dev.sparq.core.prompt.PromptTemplate t = o.template() == null ? null : o.template().template();
    return switch (o.type()) {
      case "mutate" -> t == null ? dev.sparq.core.generate.Operators.mutate() : dev.sparq.core.generate.Operators.mutate(t);
      case "crossover" -> t == null ? dev.sparq.core.generate.Operators.crossover()
          : dev.sparq.core.generate.Operators.crossover(t);
      case "few_shot" -> t == null ? dev.sparq.core.generate.Operators.fewShot(o.k())
          : dev.sparq.core.generate.Operators.fewShot(o.k(), t);
      case "harder" -> dev.sparq.core.generate.Operators.harder();
      case "easier" -> dev.sparq.core.generate.Operators.easier();
      case "targeted" -> t == null ? dev.sparq.core.generate.Operators.towardSkills(new java.util.TreeSet<>(o.skills()))
          : dev.sparq.core.generate.Operators.targeted("targeted_skills", t,
              "needs exactly these skills to solve: " + String.join(", ", new java.util.TreeSet<>(o.skills())),
              new java.util.TreeSet<>(o.skills()));
      default -> throw new IllegalArgumentException("no operator " + o.type());
    };
  }

  /** Reads {@code backend.endpoints}: a URL, or a list of URLs and mappings. */
  private static List<EndpointConfig> endpoints(ConfigReader b) {
    if (!b.has("endpoints")) {
      return List.of();
    }
    JsonNode n = b.node("endpoints");
    List<EndpointConfig> out = new java.util.ArrayList<>();
    if (n.isTextual()) {
      out.add(EndpointConfig.of(n.asText()));
      return out;
    }
    if (!n.isArray()) {
      throw b.error("endpoints", "must be a list of URLs or of mappings with 'url', was " + kindOf(n));
    }
    for (int i = 0; i < n.size(); i++) {
      JsonNode e = n.get(i);
      String key = "endpoints[" + i + "]";
      if (e.isTextual()) {
        out.add(EndpointConfig.of(e.asText()));
        continue;
      }
      if (!e.isObject()) {
        throw b.error(key, "must be a URL string or a mapping with 'url', was " + kindOf(e));
      }
      ConfigReader r = b.child(key, e).allow(ENDPOINT_KEYS.toArray(String[]::new));
      String url = r.required("url", "the server's base URL, such as http://localhost:8000/v1");
      int limit = (int) r.integer("max_concurrency", 0, 1, 100_000);
      double timeout = r.number("timeout", 0, 0.001, 86_400);
      java.util.Map<String, Object> extra = new java.util.LinkedHashMap<>();
      if (r.has("extra_body")) {
        JsonNode x = e.get("extra_body");
        if (!x.isObject()) {
          throw r.error("extra_body", "must be a mapping of request body fields to values, was "
              + kindOf(x));
        }
        x.fields().forEachRemaining(f -> extra.put(f.getKey(),
            Json.mapper().convertValue(f.getValue(), Object.class)));
      }
      out.add(new EndpointConfig(url, limit, timeout, extra));
    }
    return out;
  }

  private static String kindOf(JsonNode n) {
    return n.isObject() ? "a mapping" : n.isArray() ? "a list" : n.isTextual() ? "a string" : n.toString();
  }

  /** The tree {@link #fromTree} reads back to an equal configuration (paths absolute). */
  public ObjectNode toTree() {
    ObjectMapper m = Json.mapper();
    ObjectNode root = m.createObjectNode();
    writeBackend(root.putObject("backend"), backend);
    if (!stages.models().isEmpty()) {
      ObjectNode models = root.putObject("models");
      stages.models().forEach((role, mb) -> writeBackend(models.putObject(role), mb));
    }
    ObjectNode s = root.putObject("seeds");
    s.put("format", seeds.format());
    if (!seeds.path().isEmpty()) {
      s.put("path", Path.of(seeds.path()).toAbsolutePath().toString());
    }
    s.put("limit", seeds.limit());
    root.put("preset", preset.name().toLowerCase(Locale.ROOT));
    ObjectNode a = root.putObject("archive");
    a.put("type", archive.name().toLowerCase(Locale.ROOT));
    a.put("capacity", capacity);
    root.put("k", k);
    root.putArray("band").add(bandLow).add(bandHigh);
    root.put("batchSize", batchSize);
    ObjectNode bu = root.putObject("budget");
    if (budget.maxIterations() != Long.MAX_VALUE) {
      bu.put("iterations", budget.maxIterations());
    }
    if (budget.maxCandidates() != Long.MAX_VALUE) {
      bu.put("candidates", budget.maxCandidates());
    }
    if (budget.maxRollouts() != Long.MAX_VALUE) {
      bu.put("rollouts", budget.maxRollouts());
    }
    if (budget.maxTokens() != Long.MAX_VALUE) {
      bu.put("tokens", budget.maxTokens());
    }
    root.put("output", output.toAbsolutePath().toString());
    root.put("seed", seed);
    root.put("threads", threads);
    root.put("checkpointEvery", checkpointEvery);
    root.put("stallLimit", stallLimit);
    if (stages.logRolloutTexts() != dev.sparq.core.store.RolloutTexts.ALL) {
      root.put("logRolloutTexts", stages.logRolloutTexts().name().toLowerCase(java.util.Locale.ROOT));
    }
    if (stages.logRecordsPerShard() != DEFAULT_LOG_RECORDS_PER_SHARD) {
      root.put("logRecordsPerShard", stages.logRecordsPerShard());
    }
    if (engine.async()) {
      root.putObject("engine").put("mode", engine.mode()).put("in_flight", engine.inFlight());
    }
    writeStages(root);
    return root;
  }

  private static void writeBackend(ObjectNode b, Backend backend) {
    ObjectMapper m = Json.mapper();
    b.put("type", backend.type());
    if (backend instanceof Backend.Demo demo) {
      b.put("slip", demo.slip());
    }
    if (backend instanceof Backend.ModelBackend model) {
      b.put("model", model.model());
      b.put("temperature", model.temperature());
      b.put("maxTokens", model.maxTokens());
    }
    if (backend instanceof Backend.Onnx onnx) {
      b.put("device", onnx.device());
      b.put("variant", onnx.variant());
      if (!onnx.chatTemplateKwargs().isEmpty()) {
        b.set("chatTemplateKwargs", m.valueToTree(onnx.chatTemplateKwargs()));
      }
    }
    if (backend instanceof Backend.OpenAi openai) {
      ArrayNode e = b.putArray("endpoints");
      for (EndpointConfig ec : openai.endpoints()) {
        if (!ec.hasSettings()) {
          e.add(ec.url());
          continue;
        }
        ObjectNode o = e.addObject().put("url", ec.url());
        if (ec.maxConcurrency() > 0) {
          o.put("max_concurrency", ec.maxConcurrency());
        }
        if (ec.timeoutSeconds() > 0) {
          o.put("timeout", ec.timeoutSeconds());
        }
        if (!ec.extraBody().isEmpty()) {
          o.set("extra_body", m.valueToTree(ec.extraBody()));
        }
      }
      b.put("apiKeyEnv", openai.apiKeyEnv());
    }
  }

  /** Writes the stage keys with every default spelled out (model-backend keys only when they apply). */
  private void writeStages(ObjectNode root) {
    EstimatorConfig e = stages.estimator();
    ObjectNode en = root.putObject("estimator").put("type", e.type());
    if (e.adaptive()) {
      en.put("maxRollouts", e.maxRollouts());
      en.put("initialRollouts", e.initialRollouts());
      en.put("roundRollouts", e.roundRollouts());
      en.put("error", e.error());
      en.put("archiveAware", e.archiveAware());
    }
    en.put("inBandOnly", e.inBandOnly());
    GuardConfig g = stages.guard();
    root.putObject("guard").put("policy", g.policy().name().toLowerCase(Locale.ROOT))
        .put("majority", g.majority()).put("minVotes", g.minVotes());
    if (!backend.simulated()) {
      ArrayNode ops = root.putArray("operators");
      for (OperatorConfig o : stages.operators()) {
        ObjectNode on = ops.addObject().put("type", o.type()).put("weight", o.weight());
        if (o.template() != null) {
          on.put("template", o.template().path().toString());
        }
        if (o.type().equals("few_shot")) {
          on.put("k", o.k());
        }
        if (o.type().equals("targeted")) {
          o.skills().forEach(on.putArray("skills")::add);
        }
      }
      if (stages.solverPrompt() != null || stages.labellerPrompt() != null) {
        ObjectNode p = root.putObject("prompts");
        if (stages.solverPrompt() != null) {
          p.put("solver", stages.solverPrompt().path().toString());
        }
        if (stages.labellerPrompt() != null) {
          p.put("labeller", stages.labellerPrompt().path().toString());
        }
      }
      DescriptorConfig d = stages.descriptor();
      ObjectNode dn = root.putObject("descriptor").put("type", d.type())
          .put("vocabulary", d.vocabulary()).put("skillsPerProblem", d.skillsPerProblem());
      if (d.skills()) {
        dn.put("labelTemperature", d.labelTemperature()).put("labelMaxTokens", d.labelMaxTokens());
      }
      if (d.embedding()) {
        dn.putObject("embedding").put("model", d.embeddingModel()).put("projection", d.projection())
            .put("dimensions", d.dimensions()).put("cells", d.cells());
      }
    }
    ExportConfig x = stages.export();
    ObjectNode xn = root.putObject("export").put("format", x.format()).put("name", x.name());
    if (x.select() != null) {
      xn.put("select", x.select());
    }
    if (x.budget() > 0) {
      xn.put("budget", x.budget());
    }
    xn.put("minQuality", x.minQuality()).put("maxQuality", x.maxQuality())
        .put("exactDuplicates", x.exactDuplicates()).put("nearDuplicates", x.nearDuplicates());
    if (!x.benchmarks().isEmpty()) {
      x.benchmarks().forEach(bp -> xn.withArray("benchmarks").add(bp.toString()));
    }
    xn.put("contaminationNgram", x.contaminationNgram()).put("referenceSolutions", x.referenceSolutions());
    if (x.system() != null) {
      xn.put("system", x.system());
    }
  }

  /** This configuration with other models: {@code backend} and the blocks of {@code models}. */
  public RunConfig withModels(Backend b, java.util.Map<String, Backend.ModelBackend> models) {
    Stages st = new Stages(models, stages.estimator(), stages.guard(), stages.operators(), stages.descriptor(),
        stages.solverPrompt(), stages.labellerPrompt(), stages.export(), stages.logRolloutTexts(),
        stages.logRecordsPerShard());
    return new RunConfig(b, seeds, preset, archive, capacity, k, bandLow, bandHigh, batchSize, budget,
        output, seed, threads, checkpointEvery, stallLimit, engine, st);
  }

  /** This configuration with another budget. */
  public RunConfig withBudget(Budget b) {
    return new RunConfig(backend, seeds, preset, archive, capacity, k, bandLow, bandHigh, batchSize, b,
        output, seed, threads, checkpointEvery, stallLimit, engine, stages);
  }

  /** This configuration with {@code n} records per candidate log shard ({@code logRecordsPerShard}). */
  public RunConfig withLogRecordsPerShard(long n) {
    return new RunConfig(backend, seeds, preset, archive, capacity, k, bandLow, bandHigh, batchSize, budget,
        output, seed, threads, checkpointEvery, stallLimit, engine, stages.withLogRecordsPerShard(n));
  }

  /** This configuration with another output directory. */
  public RunConfig withOutput(Path o) {
    return new RunConfig(backend, seeds, preset, archive, capacity, k, bandLow, bandHigh, batchSize, budget,
        o, seed, threads, checkpointEvery, stallLimit, engine, stages);
  }
}
