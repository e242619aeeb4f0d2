package dev.sparq.examples.cli;

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
import dev.sparq.examples.demo.DemoDomain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
 * @param engine how the engine schedules the stages ({@code engine.mode}, {@code engine.in_flight})
 */
public record RunConfig(
    Backend backend,
    SeedSource seeds,
    Variant preset,
    DemoDomain.ArchiveKind archive,
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
    EngineSettings engine) {

  /** Allowed backend types. */
  public static final List<String> BACKENDS = List.of("demo", "onnx", "openai");
  /** Allowed seed formats. */
  public static final List<String> SEED_FORMATS = List.of("demo", "jsonl", "math", "gsm8k");
  /** Allowed presets (SPARQ's variants, lower case). */
  public static final List<String> PRESETS =
      List.of("static_uniform", "static_diverse", "dynamic_uniform", "dynamic_diverse");
  /** Allowed archive types. */
  public static final List<String> ARCHIVES = List.of("skills", "grid", "cvt");

  /** Every key of the file, dotted (documented in configuration.md). */
  public static final List<String> KEYS = List.of("backend.type", "backend.slip", "backend.model",
      "backend.device", "backend.variant", "backend.endpoints", "backend.apiKeyEnv", "backend.temperature",
      "backend.maxTokens", "backend.chatTemplateKwargs",
      "seeds.format", "seeds.path", "seeds.limit", "preset", "archive.type", "archive.capacity", "k", "band",
      "batchSize", "budget.iterations", "budget.candidates", "budget.rollouts", "budget.tokens", "output", "seed", "threads",
      "checkpointEvery", "engine.mode", "engine.in_flight");

  /** Allowed {@code engine.mode} values. */
  public static final List<String> ENGINE_MODES = List.of("sync", "async");

  /** The default of {@code engine.in_flight}: candidates in flight per endpoint in async mode. */
  public static final int DEFAULT_IN_FLIGHT = 64;

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

  /** A configuration with the default (synchronous) engine settings. */
  public RunConfig(Backend backend, SeedSource seeds, Variant preset, DemoDomain.ArchiveKind archive,
      int capacity, int k, double bandLow, double bandHigh, int batchSize, Budget budget, Path output,
      long seed, int threads, int checkpointEvery) {
    this(backend, seeds, preset, archive, capacity, k, bandLow, bandHigh, batchSize, budget, output, seed,
        threads, checkpointEvery, EngineSettings.SYNC);
  }

  /** The keys allowed under {@code prefix} ("" for the top level). */
  static String[] keysUnder(String prefix) {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    for (String k : KEYS) {
      if (prefix.isEmpty()) {
        out.add(k.contains(".") ? k.substring(0, k.indexOf('.')) : k);
      } else if (k.startsWith(prefix + ".")) {
        out.add(k.substring(prefix.length() + 1));
      }
    }
    return out.toArray(String[]::new);
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
  public static final List<String> ENDPOINT_KEYS =
      List.of("url", "max_concurrency", "timeout", "extra_body");

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
   *     {@code gsm8k} (GSM8K JSON Lines)
   * @param path the file or directory (all formats but demo)
   * @param limit the most seeds to use (demo: how many to generate)
   */
  public record SeedSource(String format, String path, int limit) {}

  /** The configuration of {@code sparq demo} with the given knobs. */
  public static RunConfig demo(Path output, Variant preset, DemoDomain.ArchiveKind archive,
      long iterations, long seed, int k, int batchSize, int seeds) {
    return new RunConfig(new Backend.Demo(DemoDomain.DEFAULT_SLIP),
        new SeedSource("demo", "", seeds), preset, archive, 8, k, 0.1, 0.9, batchSize,
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
    try {
      if (Files.isRegularFile(file) && Files.size(file) > MAX_CONFIG_BYTES) {
        throw new ConfigException(file + ": the configuration file is " + Files.size(file) + " bytes; at most "
            + MAX_CONFIG_BYTES + " (3 MiB) are read");
      }
      byte[] bytes = Files.readAllBytes(file);
      if (bytes.length > MAX_CONFIG_BYTES) { // grew since the check, or not a regular file
        throw new ConfigException(file + ": the configuration file is larger than " + MAX_CONFIG_BYTES
            + " bytes (3 MiB)");
      }
      String text = SeedLoader.decodeUtf8(bytes, file);
      ObjectMapper m = json ? dev.sparq.core.internal.StrictJson.mapper() : YAML;
      tree = m.readTree(text);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": the configuration file does not exist");
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
    ConfigReader root = new ConfigReader(source, "", tree).allow(keysUnder(""));
    if (!root.has("backend")) {
      throw root.error("backend", "is required (a mapping with 'type': one of "
          + String.join(", ", BACKENDS) + ")");
    }
    ConfigReader b = root.object("backend").allow(keysUnder("backend"));
    String type = b.choice("type", null, BACKENDS.toArray(String[]::new));
    if (type == null) {
      throw b.error("type", "is required; allowed values: " + String.join(", ", BACKENDS));
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
    double slip = b.number("slip", DemoDomain.DEFAULT_SLIP, 0, 10);
    String device = b.choice("device", "cpu", "cpu", "cuda");
    String variant = b.string("variant", "fp32");
    String apiKeyEnv = b.string("apiKeyEnv", "");
    double temperature = b.number("temperature", 1.0, 0, 5);
    int maxTokens = (int) b.integer("maxTokens", 2048, 1, 1 << 20);
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
    Backend backend = switch (type) {
      case "demo" -> new Backend.Demo(slip);
      case "onnx" -> new Backend.Onnx(model, device, variant, temperature, maxTokens, kwargs);
      default -> new Backend.OpenAi(endpoints, model, apiKeyEnv, temperature, maxTokens);
    };

    ConfigReader s = root.object("seeds").allow(keysUnder("seeds"));
    String format = s.choice("format", type.equals("demo") && !s.has("path") ? "demo" : "jsonl",
        SEED_FORMATS.toArray(String[]::new));
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
    SeedSource seeds = new SeedSource(format, path, (int) s.integer("limit", format.equals("demo") ? 200 : 1_000_000,
        1, Integer.MAX_VALUE));

    Variant preset = Variant.valueOf(root.choice("preset", "static_uniform", PRESETS.toArray(String[]::new))
        .toUpperCase(Locale.ROOT));
    ConfigReader a = root.object("archive").allow(keysUnder("archive"));
    DemoDomain.ArchiveKind archive = DemoDomain.ArchiveKind.valueOf(
        a.choice("type", "skills", ARCHIVES.toArray(String[]::new)).toUpperCase(Locale.ROOT));
    if (archive != DemoDomain.ArchiveKind.SKILLS && !type.equals("demo")) {
      throw a.error("type", "'" + archive.name().toLowerCase(Locale.ROOT) + "' needs numeric measures, "
          + "which only backend 'demo' provides; allowed values for backend '" + type + "': skills");
    }
    int capacity = (int) a.integer("capacity", 8, 1, 1_000_000);
    double[] band = root.pair("band", new double[] {0.1, 0.9}, 0, 1);
    ConfigReader bu = root.object("budget").allow(keysUnder("budget"));
    if (!bu.has("iterations") && !bu.has("candidates") && !bu.has("rollouts") && !bu.has("tokens")) {
      throw root.error("budget",
          "is required: give at least one of iterations, candidates, rollouts, tokens");
    }
    Budget budget = new Budget(bu.integer("iterations", Long.MAX_VALUE, 1, Long.MAX_VALUE),
        bu.integer("candidates", Long.MAX_VALUE, 1, Long.MAX_VALUE),
        bu.integer("rollouts", Long.MAX_VALUE, 1, Long.MAX_VALUE),
        bu.integer("tokens", Long.MAX_VALUE, 1, Long.MAX_VALUE));
    String out = root.string("output", null);
    if (out == null || out.isBlank()) {
      throw root.error("output", "is required (the run directory to create)");
    }
    Path output = base == null ? Path.of(out) : base.resolve(out).normalize();
    ConfigReader en = root.object("engine").allow(keysUnder("engine"));
    EngineSettings engine = new EngineSettings(
        en.choice("mode", "sync", ENGINE_MODES.toArray(String[]::new)),
        (int) en.integer("in_flight", DEFAULT_IN_FLIGHT, 1, 100_000));
    return new RunConfig(backend, seeds, preset, archive, capacity,
        (int) root.integer("k", 16, 1, 4096), band[0], band[1],
        (int) root.integer("batchSize", 64, 1, 1_000_000), budget, output,
        root.integer("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE),
        (int) root.integer("threads", 1, 1, 1024),
        (int) root.integer("checkpointEvery", 10, 1, Integer.MAX_VALUE), engine);
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
    ObjectNode b = root.putObject("backend");
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
    if (engine.async()) {
      root.putObject("engine").put("mode", engine.mode()).put("in_flight", engine.inFlight());
    }
    return root;
  }

  /** This configuration with another budget. */
  public RunConfig withBudget(Budget b) {
    return new RunConfig(backend, seeds, preset, archive, capacity, k, bandLow, bandHigh, batchSize, b,
        output, seed, threads, checkpointEvery, engine);
  }

  /** This configuration with another output directory. */
  public RunConfig withOutput(Path o) {
    return new RunConfig(backend, seeds, preset, archive, capacity, k, bandLow, bandHigh, batchSize, budget,
        o, seed, threads, checkpointEvery, engine);
  }
}
