package dev.sparq.examples.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Every key of {@code run.yaml}, declared once: its dotted name, type, default, allowed values and
 * a one-line description. The parser ({@link RunConfig#fromTree}) reads keys through this registry,
 * {@link ConfigSchema} generates the JSON Schema from it, and a test checks that
 * {@code src-docs/configuration.md} has one row per key.
 *
 * <p>Names: {@code a.b} is key {@code b} of mapping {@code a}; {@code operators[].type} is key
 * {@code type} of each mapping in list {@code operators}. The keys of a backend block are declared
 * once under {@code backend}; {@code models.generator}, {@code models.solver} and
 * {@code models.labeller} are backend blocks of the same shape.
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  /** The shape of a value. */
  public enum Kind {
    /** A string. */
    STRING,
    /** A file or directory path (relative to the configuration file). */
    PATH,
    /** A whole number in [min, max]. */
    INTEGER,
    /** A number in [min, max]. */
    NUMBER,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** One of {@link Key#allowed()} (case-insensitive, {@code -} for {@code _}). */
    CHOICE,
    /** A list of two numbers {@code [low, high]} in [min, max]. */
    PAIR,
    /** A list of strings (a single string is a list of one). */
    STRINGS,
    /** A list of paths (a single path is a list of one). */
    PATHS,
    /** A mapping of free-form names to values. */
    FREE_MAPPING,
    /** {@code backend.endpoints}: a URL or a list of URLs and endpoint mappings. */
    ENDPOINTS,
    /** A mapping with the keys of {@code backend}. */
    BACKEND,
    /** A mapping whose keys are declared below it. */
    MAPPING,
    /** A list of mappings whose keys are declared as {@code name[].key}. */
    LIST_OF_MAPPINGS
  }

  /**
   * One key.
   *
   * @param name the dotted name
   * @param kind the value's shape
   * @param def the default as shown to users ({@code null}: none; a required key says so in
   *     {@code description})
   * @param allowed the allowed values of a {@link Kind#CHOICE} (empty otherwise)
   * @param min the least value of a number, integer or pair (NaN: none)
   * @param max the greatest value (NaN: none)
   * @param description one line for the schema and the docs
   */
  public record Key(String name, Kind kind, String def, List<String> allowed, double min, double max,
      String description) {
    /** Copies the allowed values. */
    public Key {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(kind, "kind");
      allowed = List.copyOf(allowed);
      Objects.requireNonNull(description, "description");
    }

    /** The last segment of the name ({@code type} of {@code operators[].type}). */
    public String leaf() {
      return name.substring(name.lastIndexOf('.') + 1);
    }

    /** The long min as a whole number. */
    long minLong() {
      return Double.isNaN(min) ? Long.MIN_VALUE : (long) min;
    }

    /** The long max as a whole number. */
    long maxLong() {
      return Double.isNaN(max) || max >= 9.2e18 ? Long.MAX_VALUE : (long) max;
    }
  }

  private static final List<Key> ALL = new ArrayList<>();

  private static Key add(String name, Kind kind, String def, String description) {
    return add(name, kind, def, List.of(), Double.NaN, Double.NaN, description);
  }

  private static Key add(String name, Kind kind, String def, List<String> allowed, double min, double max,
      String description) {
    Key k = new Key(name, kind, def, allowed, min, max, description);
    ALL.add(k);
    return k;
  }

  private static Key choice(String name, String def, List<String> allowed, String description) {
    return add(name, Kind.CHOICE, def, allowed, Double.NaN, Double.NaN, description);
  }

  private static Key integer(String name, String def, long min, long max, String description) {
    return add(name, Kind.INTEGER, def, List.of(), min, max == Long.MAX_VALUE ? 9.3e18 : max, description);
  }

  private static Key number(String name, String def, double min, double max, String description) {
    return add(name, Kind.NUMBER, def, List.of(), min, max, description);
  }

  /** Allowed backend types. */
  public static final List<String> BACKENDS = List.of("demo", "onnx", "openai");
  /** Allowed seed formats. */
  public static final List<String> SEED_FORMATS = List.of("demo", "jsonl", "math", "gsm8k");
  /** Allowed presets (SPARQ's variants, lower case). */
  public static final List<String> PRESETS =
      List.of("static_uniform", "static_diverse", "dynamic_uniform", "dynamic_diverse");
  /** Allowed archive types. */
  public static final List<String> ARCHIVES = List.of("skills", "grid", "cvt");
  /** Allowed estimators. */
  public static final List<String> ESTIMATORS = List.of("fixed", "adaptive");
  /** Allowed validity guard policies. */
  public static final List<String> GUARD_POLICIES = List.of("keep", "drop", "resolve");
  /** Allowed generation operators. */
  public static final List<String> OPERATORS =
      List.of("mutate", "crossover", "few_shot", "harder", "easier", "targeted");
  /** Allowed descriptors. */
  public static final List<String> DESCRIPTORS = List.of("skills", "embedding", "both");
  /** Allowed embedding projections. */
  public static final List<String> PROJECTIONS = List.of("pca", "random");
  /** The model roles of {@code models}. */
  public static final List<String> ROLES = List.of("generator", "solver", "labeller");
  /** Keys of one endpoint given as a mapping. */
  public static final List<String> ENDPOINT_KEYS =
      List.of("url", "max_concurrency", "timeout", "extra_body");
  /** Allowed {@code engine.mode} values. */
  public static final List<String> ENGINE_MODES = List.of("sync", "async");
  /** Export selections. */
  public static final List<String> SELECTIONS = List.of("all", "random", "quality", "diversity", "qd");

  // backend (the block every role falls back to)
  static final Key BACKEND = add("backend", Kind.BACKEND, null,
      "the model backend of every role not given under models (required unless models names all three)");
  static final Key BACKEND_TYPE = choice("backend.type", null, BACKENDS,
      "demo: rule-based domain with a simulated student; onnx: in-process ONNX model; openai: OpenAI-compatible servers (required)");
  static final Key BACKEND_SLIP = number("backend.slip", "0.12", 0, 10,
      "demo only: the simulated student's slip rate per solution step");
  static final Key BACKEND_MODEL = add("backend.model", Kind.STRING, null,
      "onnx: model directory or hub id; openai: the served model name (required for both)");
  static final Key BACKEND_DEVICE = choice("backend.device", "cpu", List.of("cpu", "cuda"),
      "onnx only: where ONNX Runtime runs the model");
  static final Key BACKEND_VARIANT = add("backend.variant", Kind.STRING, "fp32",
      "onnx only: which ONNX file of the model to load (fp32, fp16, q4, ...)");
  static final Key BACKEND_ENDPOINTS = add("backend.endpoints", Kind.ENDPOINTS, null,
      "openai only: base URLs, or mappings with url, max_concurrency, timeout, extra_body (required for openai)");
  static final Key BACKEND_API_KEY_ENV = add("backend.apiKeyEnv", Kind.STRING, "",
      "openai only: the environment variable holding the API key");
  static final Key BACKEND_TEMPERATURE = number("backend.temperature", "1.0", 0, 5,
      "sampling temperature of this backend's completions");
  static final Key BACKEND_MAX_TOKENS = integer("backend.maxTokens", "2048", 1, 1 << 20,
      "the most tokens per completion");
  static final Key BACKEND_KWARGS = add("backend.chatTemplateKwargs", Kind.FREE_MAPPING, null,
      "onnx only: extra variables of the model's chat template, e.g. {enable_thinking: false}");

  // models per role
  static final Key MODELS = add("models", Kind.MAPPING, null,
      "a backend block per role; a role not given uses backend");
  static final Key MODELS_GENERATOR = add("models.generator", Kind.BACKEND, null,
      "the generator's model (onnx or openai), same keys as backend");
  static final Key MODELS_SOLVER = add("models.solver", Kind.BACKEND, null,
      "the student's model (onnx or openai), same keys as backend");
  static final Key MODELS_LABELLER = add("models.labeller", Kind.BACKEND, null,
      "the skill labeller's model (onnx or openai), same keys as backend");

  // seeds
  static final Key SEEDS = add("seeds", Kind.MAPPING, null, "the seed set");
  static final Key SEEDS_FORMAT = choice("seeds.format", "demo for backend demo without a path, else jsonl",
      SEED_FORMATS, "the seed file's format");
  static final Key SEEDS_PATH = add("seeds.path", Kind.PATH, null,
      "the seed file or directory (required for every format but demo); Parquet as the Hugging Face Hub "
          + "ships it is read too: a .parquet file, a directory of one split's shards, or a glob such as "
          + "main/train-*.parquet");
  static final Key SEEDS_LIMIT = integer("seeds.limit", "200 for demo, else all", 1, Integer.MAX_VALUE,
      "the most seeds to use (demo: how many to generate)");

  // the loop
  static final Key PRESET = choice("preset", "static_uniform", PRESETS, "one of SPARQ's four variants");
  static final Key ARCHIVE = add("archive", Kind.MAPPING, null, "the archive");
  static final Key ARCHIVE_TYPE = choice("archive.type", "skills", ARCHIVES,
      "skills: skill-set niches; grid and cvt need numeric measures (backend demo only)");
  static final Key ARCHIVE_CAPACITY = integer("archive.capacity",
      Integer.toString(dev.sparq.core.preset.PaperPreset.NICHE_CAPACITY), 1, 1_000_000,
      "members per cell, SPARQ's T");
  static final Key K = integer("k", "16", 1, 4096, "rollouts per problem (K); the adaptive estimator's reference K");
  static final Key BAND = add("band", Kind.PAIR, "[0.1, 0.9]", List.of(), 0, 1,
      "solve rates with non-zero quality [low, high]");
  static final Key BATCH_SIZE = integer("batchSize", "64", 1, 1_000_000, "parents drawn per iteration (b)");
  static final Key BUDGET = add("budget", Kind.MAPPING, null,
      "when to stop (required: at least one of its keys)");
  static final Key BUDGET_ITERATIONS = integer("budget.iterations", null, 1, Long.MAX_VALUE,
      "stop after this many iterations");
  static final Key BUDGET_CANDIDATES = integer("budget.candidates", null, 1, Long.MAX_VALUE,
      "stop after this many children were attempted");
  static final Key BUDGET_ROLLOUTS = integer("budget.rollouts", null, 1, Long.MAX_VALUE,
      "stop after this many rollouts");
  static final Key BUDGET_TOKENS = integer("budget.tokens", null, 1, Long.MAX_VALUE,
      "stop after this many prompt plus completion tokens");
  static final Key OUTPUT = add("output", Kind.PATH, null, "the run directory (required)");
  static final Key SEED = integer("seed", "0", Long.MIN_VALUE, Long.MAX_VALUE, "the run seed");
  static final Key THREADS = integer("threads", "1", 1, 1024, "threads running chunks of a stage");
  static final Key CHECKPOINT_EVERY = integer("checkpointEvery", "10", 1, Integer.MAX_VALUE,
      "iterations between checkpoints");
  static final Key LOG_ROLLOUT_TEXTS = choice("logRolloutTexts", "all",
      List.of("all", "correct", "exportable", "none"),
      "which rollout texts the candidate log keeps: all; correct (of correct rollouts); exportable (of correct rollouts of problems with quality > 0, all that sparq export uses); none");
  static final Key LOG_RECORDS_PER_SHARD = integer("logRecordsPerShard",
      Long.toString(RunConfig.DEFAULT_LOG_RECORDS_PER_SHARD), 1, Long.MAX_VALUE,
      "candidate log records per shard file: a new shard starts after the batch that reaches it; lower it to keep each file under a file-size limit (ulimit -f) or a file system's maximum");
  static final Key STALL_LIMIT = integer("stallLimit", Integer.toString(RunConfig.DEFAULT_STALL_LIMIT), 0,
      Integer.MAX_VALUE, "iterations in a row that evaluate no new problem before the run stops with an error (0 = off)");

  // engine scheduling (issue 16)
  static final Key ENGINE = add("engine", Kind.MAPPING, null, "how the engine schedules the stages");
  static final Key ENGINE_MODE = choice("engine.mode", "sync", ENGINE_MODES,
      "sync: iterations as barriers, bit-reproducible; async: each candidate moves on as soon as its previous stage finishes");
  static final Key ENGINE_IN_FLIGHT = integer("engine.in_flight", "64", 1, RunConfig.MAX_IN_FLIGHT,
      "async only: candidates in flight per endpoint (at most " + RunConfig.MAX_IN_FLIGHT_TOTAL
          + " in all, in_flight x endpoints: each holds an engine thread)");

  // difficulty
  static final Key ESTIMATOR = add("estimator", Kind.MAPPING, null, "how difficulty is measured");
  static final Key ESTIMATOR_TYPE = choice("estimator.type", "fixed", ESTIMATORS,
      "fixed: k rollouts per problem; adaptive: rounds of rollouts until the band decision is clear");
  static final Key ESTIMATOR_MAX_ROLLOUTS = integer("estimator.maxRollouts", "k", 1, 4096,
      "adaptive only: the most rollouts per problem (at most k)");
  static final Key ESTIMATOR_INITIAL = integer("estimator.initialRollouts", "4", 1, 4096,
      "adaptive only: rollouts in the first round");
  static final Key ESTIMATOR_ROUND = integer("estimator.roundRollouts", "2", 1, 4096,
      "adaptive only: rollouts in each later round");
  static final Key ESTIMATOR_ERROR = number("estimator.error", "0.03", 0.0001, 0.4999,
      "adaptive only: accepted probability of deciding otherwise than k rollouts would");
  static final Key ESTIMATOR_ARCHIVE_AWARE = add("estimator.archiveAware", Kind.BOOLEAN, "false",
      "adaptive only: stop measuring a child that cannot enter its full niche");
  static final Key ESTIMATOR_IN_BAND_ONLY = add("estimator.inBandOnly", Kind.BOOLEAN, "false",
      "reject children outside the band before they are labelled");
  static final Key GUARD = add("guard", Kind.MAPPING, null, "the validity guard on disputed answers");
  static final Key GUARD_POLICY = choice("guard.policy", "keep", GUARD_POLICIES,
      "keep: flag disputed problems; drop: reject them; resolve: ask the generator's model to solve again (3 votes)");
  static final Key GUARD_MAJORITY = number("guard.majority", "0.5", 0, 0.9999,
      "fraction of rollouts that must agree on a competing answer (strictly more)");
  static final Key GUARD_MIN_VOTES = integer("guard.minVotes", "2", 1, 4096,
      "least number of rollouts agreeing on a competing answer");

  // generation
  static final Key OPERATORS_LIST = add("operators", Kind.LIST_OF_MAPPINGS, "[{type: mutate}]",
      "the generation operators, one drawn per child by weight");
  static final Key OPERATOR_TYPE = choice("operators[].type", null, OPERATORS, "the operator (required)");
  static final Key OPERATOR_WEIGHT = number("operators[].weight", "1.0", 0.000001, 1e6,
      "relative weight of the operator");
  static final Key OPERATOR_TEMPLATE = add("operators[].template", Kind.PATH, "built-in",
      "a prompt template file (user message with {placeholders})");
  static final Key OPERATOR_K = integer("operators[].k", "3", 2, 64, "few_shot only: problems shown");
  static final Key OPERATOR_SKILLS = add("operators[].skills", Kind.STRINGS, null,
      "targeted only: the skills the child should need (required for targeted)");
  static final Key PROMPTS = add("prompts", Kind.MAPPING, null, "prompt template files of the solver and labeller");
  static final Key PROMPTS_SOLVER = add("prompts.solver", Kind.PATH, "built-in",
      "the solver's template file ({problem})");
  static final Key PROMPTS_LABELLER = add("prompts.labeller", Kind.PATH, "built-in",
      "the skill labeller's template file ({problem}, {solution}, {k})");

  // description
  static final Key DESCRIPTOR = add("descriptor", Kind.MAPPING, null, "how problems are placed in niches");
  static final Key DESCRIPTOR_TYPE = choice("descriptor.type", "skills", DESCRIPTORS,
      "skills: labelled skill sets; embedding: a semantic region of an embedding model; both: the pair");
  static final Key DESCRIPTOR_VOCABULARY = integer("descriptor.vocabulary", "100", 1, 100_000,
      "M: skills are the M most common skills of the seed set");
  static final Key DESCRIPTOR_SKILLS = integer("descriptor.skillsPerProblem", "3", 1, 64,
      "k: skills the labeller gives each problem");
  static final Key DESCRIPTOR_LABEL_TEMPERATURE = number("descriptor.labelTemperature", "0", 0, 5,
      "sampling temperature of the skill labeller's replies");
  static final Key DESCRIPTOR_LABEL_MAX_TOKENS = integer("descriptor.labelMaxTokens", "64", 1, 1 << 20,
      "completion tokens per skill-labeller reply (raise it for models that reason before answering)");
  static final Key EMBEDDING = add("descriptor.embedding", Kind.MAPPING, null, "the embedding descriptor");
  static final Key EMBEDDING_MODEL = add("descriptor.embedding.model", Kind.PATH, null,
      "an ONNX sentence-embedding model directory (required for embedding and both)");
  static final Key EMBEDDING_PROJECTION = choice("descriptor.embedding.projection", "pca", PROJECTIONS,
      "how embeddings are projected to a few measures");
  static final Key EMBEDDING_DIMENSIONS = integer("descriptor.embedding.dimensions", "2", 1, 16,
      "measures after projection");
  static final Key EMBEDDING_CELLS = integer("descriptor.embedding.cells", "16", 2, 100_000,
      "semantic regions: k-means cells over the seeds' measures (at most the seed count)");

  // export
  static final Key EXPORT = add("export", Kind.MAPPING, null, "defaults of sparq export for this run");
  static final Key EXPORT_FORMAT = choice("export.format", "messages",
      List.of("messages", "prompt_completion", "grpo", "verl", "openai", "alpaca", "sharegpt"),
      "the row layout");
  static final Key EXPORT_NAME = add("export.name", Kind.STRING, "sparq", "the data file name without extension");
  static final Key EXPORT_SELECT = choice("export.select", "all, or random with a budget", SELECTIONS,
      "which problems are kept");
  static final Key EXPORT_BUDGET = integer("export.budget", null, 1, Integer.MAX_VALUE,
      "how many problems to select (required unless select is all)");
  static final Key EXPORT_MIN_QUALITY = number("export.minQuality", "0", 0, 1, "least quality kept");
  static final Key EXPORT_MAX_QUALITY = number("export.maxQuality", "1", 0, 1, "greatest quality kept");
  static final Key EXPORT_EXACT = add("export.exactDuplicates", Kind.BOOLEAN, "true",
      "remove problems whose normalised statement was already kept");
  static final Key EXPORT_NEAR = add("export.nearDuplicates", Kind.BOOLEAN, "false",
      "also remove near-duplicates (MinHash over word shingles)");
  static final Key EXPORT_BENCHMARKS = add("export.benchmarks", Kind.PATHS, null,
      "benchmark files (JSON Lines or JSON); problems sharing a word n-gram with one are dropped");
  static final Key EXPORT_NGRAM = integer("export.contaminationNgram", "13", 1, 1000,
      "the n of the contamination n-grams");
  static final Key EXPORT_REFERENCE = add("export.referenceSolutions", Kind.BOOLEAN, "false",
      "use the generator's solution instead of correct rollouts");
  static final Key EXPORT_SYSTEM = add("export.system", Kind.STRING, null, "a system message for every row");

  /** Every key, in declaration order. */
  public static final List<Key> KEYS = Collections.unmodifiableList(ALL);

  /** Every key name, in declaration order. */
  public static List<String> names() {
    return KEYS.stream().map(Key::name).toList();
  }

  /** The key of that name. */
  public static Key get(String name) {
    for (Key k : KEYS) {
      if (k.name().equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("no configuration key " + name);
  }

  /** The keys directly under {@code prefix} ({@code ""} for the top level), by their leaf name. */
  public static List<Key> under(String prefix) {
    List<Key> out = new ArrayList<>();
    for (Key k : KEYS) {
      String n = k.name();
      String rest;
      if (prefix.isEmpty()) {
        rest = n;
      } else if (n.startsWith(prefix + ".")) {
        rest = n.substring(prefix.length() + 1);
      } else {
        continue;
      }
      if (!rest.contains(".")) {
        out.add(k);
      }
    }
    return out;
  }

  /** The leaf names allowed under {@code prefix}. */
  static String[] leaves(String prefix) {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    under(prefix).forEach(k -> out.add(k.leaf()));
    return out.toArray(String[]::new);
  }
}
