package dev.sparq.examples.cli;

import dev.sparq.core.answer.AnswerChecker;
import dev.sparq.core.archive.Archive;
import dev.sparq.core.difficulty.AdaptiveEstimator;
import dev.sparq.core.difficulty.FixedKEstimator;
import dev.sparq.core.difficulty.InBandOnly;
import dev.sparq.core.preset.PaperPreset;
import dev.sparq.core.difficulty.SolveRateBand;
import dev.sparq.core.difficulty.ValidityGuard;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.DifficultyEstimator;
import dev.sparq.core.stage.DiversityDescriptor;
import dev.sparq.core.stage.Generator;
import dev.sparq.core.stage.Solver;
import dev.sparq.core.seeds.SeedLoader;
import dev.sparq.openai.Endpoint;
import dev.sparq.openai.OpenAiLanguageModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The pipeline stages a configuration asks for, plus whatever must be closed after the run (model
 * sessions, HTTP clients).
 *
 * @param generator makes children
 * @param solver the student
 * @param estimator measures difficulty
 * @param descriptor places problems in niches
 * @param seeds the seed set
 * @param archive the empty archive to fill
 * @param chunkSize items per stage call (a whole batch for model backends, so a GPU or a server
 *     sees full batches)
 * @param closeables closed in reverse order by {@link #close()}
 * @param usage the models whose tokens the run counts (for token budgets and metrics)
 * @param runtime what actually runs, as recorded in run.json under {@code runtime} (see {@link
 *     #runtime(RunConfig, Map)})
 */
record Components(Generator generator, Solver solver, DifficultyEstimator estimator,
    DiversityDescriptor descriptor, List<Problem> seeds, Archive archive, int chunkSize,
    List<AutoCloseable> closeables, List<dev.sparq.core.llm.UsageReporting> usage,
    com.fasterxml.jackson.databind.node.ObjectNode runtime)
    implements AutoCloseable {

  Components(Generator generator, Solver solver, DifficultyEstimator estimator,
      DiversityDescriptor descriptor, List<Problem> seeds, Archive archive, int chunkSize,
      List<AutoCloseable> closeables) {
    this(generator, solver, estimator, descriptor, seeds, archive, chunkSize, closeables, List.of(),
        runtime(null, Map.of()));
  }

  /** Loads the seed set of a configuration. */
  static List<Problem> seeds(RunConfig c) {
    RunConfig.SeedSource s = c.seeds();
    List<Problem> all = switch (s.format()) {
      case "demo" -> SimulatedDomain.get().seeds(s.limit(), new SplittableRandom(c.seed()));
      case "math" -> SeedLoader.math(Path.of(s.path())).problems();
      case "gsm8k" -> SeedLoader.gsm8k(Path.of(s.path())).problems();
      default -> JsonlSeeds.read(Path.of(s.path()), s.limit());
    };
    return all.size() > s.limit() ? List.copyOf(all.subList(0, s.limit())) : all;
  }

  /** Opens the language model of one backend block. */
  interface ModelOpener {
    /** The model for {@code backend} (the caller closes it). */
    LanguageModel open(RunConfig.Backend.ModelBackend backend, long seed);
  }

  /** Opens the sentence embedder of {@code descriptor.embedding.model}. */
  interface EmbedderOpener {
    /** The embedder in that directory (the caller closes it when it is AutoCloseable). */
    dev.sparq.onnx.embed.TextEmbedder open(Path dir);
  }

  /**
   * Where a configuration was read from, for errors found only when the models are opened (an API
   * key variable that is unset): they name the file and the dotted key like the parser's errors.
   *
   * @param file the file as the user named it ({@code run.yaml}, or a run directory's run.json)
   * @param keyPrefix what goes before a key's dotted name in that file ({@code ""} for run.yaml,
   *     {@code "config."} for run.json, which records the configuration under {@code config})
   */
  record Source(String file, String keyPrefix) {
    /** The configuration file given with {@code --config}. */
    static Source file(Path configFile) {
      return new Source(configFile.toString(), "");
    }

    /** The configuration recorded in a run directory's run.json. */
    static Source manifest(RunDirectory dir) {
      return new Source(dir.file(RunDirectory.MANIFEST).toString(), "config.");
    }

    /** The error {@code file: key 'prefix.key': problem}. */
    dev.sparq.core.ConfigException error(String key, String problem) {
      return new dev.sparq.core.ConfigException(file + ": key '" + keyPrefix + key + "': " + problem);
    }
  }

  /** Opens models as configured: OpenAI-compatible clients or in-process ONNX models. */
  static ModelOpener models(RunConfig c) {
    return models(c, new Source(c.output().resolve(RunDirectory.MANIFEST).toString(), "config."));
  }

  /** As {@link #models(RunConfig)}; errors about keys name {@code source}. */
  static ModelOpener models(RunConfig c, Source source) {
    return (backend, seed) -> backend instanceof RunConfig.Backend.OpenAi openai
        ? openai(openai, c, source) : OnnxBackend.open((RunConfig.Backend.Onnx) backend, seed);
  }

  /**
   * Opens ONNX sentence embedders. A lambda, not a method reference, so that ONNX Runtime classes
   * are loaded only when an embedding descriptor is configured: {@code sparq.jar} leaves the runtime
   * out, and the demo and the openai backend must run without it.
   */
  static final EmbedderOpener EMBEDDERS = dir -> OnnxBackend.openEmbedder(dir);

  /** Builds the stages for a configuration (for model backends this opens the models). */
  static Components open(RunConfig c) {
    return open(c, models(c), EMBEDDERS);
  }

  /** As {@link #open(RunConfig)}; errors about keys name {@code source}. */
  static Components open(RunConfig c, Source source) {
    return open(c, source, false);
  }

  /**
   * As {@link #open(RunConfig, Source)}; with {@code resume} the seeds are neither labelled nor
   * embedded, because the run's checkpoint restores the skill vocabulary and the seed labels (see
   * {@link PaperPreset.Builder#seedLabelsFromCheckpoint}) and the semantic regions' projection and
   * centres (see {@link dev.sparq.onnx.embed.EmbeddingRegions#toRestore}).
   */
  static Components open(RunConfig c, Source source, boolean resume) {
    return open(c, models(c, source), EMBEDDERS, resume);
  }

  /**
   * Builds the stages with the given openers. Roles whose backend blocks are equal share one model.
   */
  static Components open(RunConfig c, ModelOpener opener, EmbedderOpener embedders) {
    return open(c, opener, embedders, false);
  }

  /** As {@link #open(RunConfig, ModelOpener, EmbedderOpener)}, for a resumed run when {@code resume}. */
  static Components open(RunConfig c, ModelOpener opener, EmbedderOpener embedders, boolean resume) {
    List<Problem> seeds = seeds(c);
    Archive archive = c.backend() instanceof RunConfig.Backend.Demo
        ? SimulatedDomain.get().archive(c.archive(), c.capacity(), c.seed())
        : dev.sparq.core.archive.CellArchive.builder()
            .tessellation(new dev.sparq.core.archive.CategoricalTessellation()).capacity(c.capacity()).build();
    if (c.backend() instanceof RunConfig.Backend.Demo demo) {
      SimulatedDomain domain = SimulatedDomain.get();
      AnswerChecker checker = AnswerChecker.standard();
      RunConfig.GuardConfig g = c.stages().guard();
      ValidityGuard guard = ValidityGuard.builder().policy(g.policy()).majority(g.majority())
          .minVotes(g.minVotes()).build();
      SolveRateBand band = new SolveRateBand(c.bandLow(), c.bandHigh());
      RunConfig.EstimatorConfig e = c.stages().estimator();
      DifficultyEstimator estimator = e.adaptive()
          ? adaptiveTuning(e).referenceK(c.k()).band(band).guard(guard).build()
          : new FixedKEstimator(c.k(), band, guard);
      if (e.inBandOnly()) {
        estimator = new InBandOnly(estimator);
      }
      return new Components(domain.generator(), domain.student(demo.slip(), checker),
          estimator, domain.descriptor(), seeds, archive, 16, List.of(), List.of(), runtime(c, Map.of()));
    }
    // one model per distinct backend block, in role order
    Map<RunConfig.Backend.ModelBackend, LanguageModel> opened = new LinkedHashMap<>();
    Map<String, LanguageModel> byRole = new LinkedHashMap<>();
    List<AutoCloseable> close = new ArrayList<>();
    try {
      for (String role : ConfigKeys.ROLES) {
        RunConfig.Backend.ModelBackend b = c.model(role).orElseThrow();
        if (role.equals("labeller") && !c.stages().descriptor().skills()) {
          continue; // no labelling without skill descriptors
        }
        LanguageModel m = opened.get(b);
        if (m == null) {
          m = opener.open(b, c.seed());
          opened.put(b, m);
          close.add(m);
        }
        byRole.put(role, m);
      }
      dev.sparq.core.stage.DiversityDescriptor extra = null;
      RunConfig.DescriptorConfig d = c.stages().descriptor();
      if (d.embedding()) {
        dev.sparq.onnx.embed.TextEmbedder embedder = embedders.open(Path.of(d.embeddingModel()));
        if (embedder instanceof AutoCloseable ac) {
          close.add(ac);
        }
        dev.sparq.onnx.embed.EmbeddingProjection.Spec spec = d.projection().equals("random")
            ? dev.sparq.onnx.embed.EmbeddingProjection.Spec.random(d.dimensions(), c.seed())
            : dev.sparq.onnx.embed.EmbeddingProjection.Spec.pca(d.dimensions());
        if (resume) {
          // the checkpoint's slot embedding_regions restores the projection and the centres: the
          // seeds are not embedded here, and nothing is fitted that the restore would replace
          extra = dev.sparq.onnx.embed.EmbeddingRegions.toRestore(embedder, d.dimensions(), d.cells(), "region:");
        } else {
          if (d.cells() > seeds.size()) {
            throw new dev.sparq.core.ConfigException(c.output() + ": key 'descriptor.embedding.cells': "
                + d.cells() + " cells need at least as many seeds; there are " + seeds.size());
          }
          // the seeds are embedded once, for both the projection and the k-means centres
          extra = dev.sparq.onnx.embed.EmbeddingRegions.fitSeeds(embedder, seeds, spec, d.cells(),
              new SplittableRandom(c.seed() ^ 0xCE11L), "region:");
        }
      }
      return llm(c, byRole, seeds, archive, extra, close, resume);
    } catch (RuntimeException e) {
      List<AutoCloseable> rev = new ArrayList<>(close);
      Collections.reverse(rev);
      for (AutoCloseable a : rev) {
        try {
          a.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /** The adaptive estimator's own settings of a configuration. */
  static AdaptiveEstimator.Builder adaptiveTuning(RunConfig.EstimatorConfig e) {
    AdaptiveEstimator.Builder b = AdaptiveEstimator.builder().initialRollouts(e.initialRollouts())
        .roundRollouts(e.roundRollouts()).error(e.error()).archiveAware(e.archiveAware());
    if (e.maxRollouts() > 0) {
      b.maxRollouts(e.maxRollouts());
    }
    return b;
  }

  /**
   * Candidates the asynchronous engine keeps in flight: {@code engine.in_flight} per endpoint
   * (the most endpoints of any role's block; one for the other backends).
   */
  static int inFlight(RunConfig c) {
    // RunConfig refuses more than MAX_IN_FLIGHT_TOTAL; the cap keeps a config built in code bounded
    return (int) Math.min(RunConfig.MAX_IN_FLIGHT_TOTAL, (long) c.engine().inFlight() * endpoints(c));
  }

  /** The most endpoints of any role's OpenAI block; one for the other backends. */
  static int endpoints(RunConfig c) {
    int endpoints = 1;
    for (String role : ConfigKeys.ROLES) {
      if (c.model(role).orElse(null) instanceof RunConfig.Backend.OpenAi o) {
        endpoints = Math.max(endpoints, o.endpoints().size());
      }
    }
    return endpoints;
  }

  /**
   * The dotted key of a backend block in {@code c}: {@code models.ROLE} for the first role (in role
   * order) that uses it from its own block under {@code models}, else {@code backend}.
   */
  static String blockKey(RunConfig c, RunConfig.Backend.ModelBackend block) {
    for (String role : ConfigKeys.ROLES) {
      if (block.equals(c.model(role).orElse(null))) {
        return c.stages().models().containsKey(role) ? "models." + role : "backend";
      }
    }
    return "backend";
  }

  private static LanguageModel openai(RunConfig.Backend.OpenAi backend, RunConfig c, Source source) {
    OpenAiLanguageModel.Builder b = OpenAiLanguageModel.builder().model(backend.model());
    if (c.engine().async()) {
      // endpoints without their own max_concurrency accept engine.in_flight requests at once
      b.maxConcurrencyPerEndpoint(Math.max(64, c.engine().inFlight()));
    }
    for (RunConfig.EndpointConfig ec : backend.endpoints()) {
      Endpoint e = Endpoint.of(ec.url());
      if (ec.maxConcurrency() > 0) {
        e = e.withMaxConcurrency(ec.maxConcurrency());
      }
      if (ec.timeoutSeconds() > 0) {
        e = e.withTimeout(java.time.Duration.ofNanos((long) (ec.timeoutSeconds() * 1e9)));
      }
      if (!ec.extraBody().isEmpty()) {
        e = e.withExtraBody(ec.extraBody());
      }
      b.endpoint(e);
    }
    if (!backend.apiKeyEnv().isBlank()) {
      dev.sparq.openai.ApiKey key;
      try {
        key = dev.sparq.openai.ApiKey.fromEnvironment(backend.apiKeyEnv());
      } catch (dev.sparq.core.ConfigException e) {
        // the message names the variable, never its value
        throw source.error(blockKey(c, backend) + ".apiKeyEnv", e.getMessage());
      }
      b.apiKey(key);
    }
    return b.build();
  }

  /** Sampling of a backend block. */
  static SamplingParams sampling(RunConfig.Backend.ModelBackend b) {
    return SamplingParams.builder().temperature(b.temperature()).maxTokens(b.maxTokens()).build();
  }

  /**
   * The paper's pipeline ({@link PaperPreset}) with the configured models, parameters and stage
   * choices; the preset labels the seed set once to build the skill vocabulary, except for a resumed
   * run, whose checkpoint holds the vocabulary and the seed labels.
   */
  private static Components llm(RunConfig c, Map<String, LanguageModel> byRole, List<Problem> seeds,
      Archive archive, dev.sparq.core.stage.DiversityDescriptor extra, List<AutoCloseable> close,
      boolean resume) {
    RunConfig.Stages st = c.stages();
    PaperPreset.Builder p = PaperPreset.builder()
        .generatorModel(byRole.get("generator"))
        .studentModel(byRole.get("solver"))
        .seedProblems(seeds)
        .variant(c.preset())
        .nicheCapacity(c.capacity())
        .k(c.k())
        .band(new SolveRateBand(c.bandLow(), c.bandHigh()))
        .batchSize(c.batchSize())
        .vocabularySize(st.descriptor().vocabulary())
        .skillsPerProblem(st.descriptor().skillsPerProblem())
        .randomSeed(c.seed())
        .generatorSampling(sampling(c.model("generator").orElseThrow()))
        .studentSampling(sampling(c.model("solver").orElseThrow()))
        .guardPolicy(st.guard().policy())
        .guardThresholds(st.guard().majority(), st.guard().minVotes())
        .inBandOnly(st.estimator().inBandOnly())
        .seedLabelsFromCheckpoint(resume);
    if (byRole.containsKey("labeller")) {
      p.labelerModel(byRole.get("labeller"));
    }
    p.labelerSampling(SamplingParams.builder().temperature(st.descriptor().labelTemperature())
        .maxTokens(st.descriptor().labelMaxTokens()).build());
    if (st.estimator().adaptive()) {
      p.adaptive(adaptiveTuning(st.estimator()));
    }
    for (RunConfig.OperatorConfig o : st.operators()) {
      p.operator(RunConfig.operator(o), o.weight());
    }
    if (st.solverPrompt() != null) {
      p.solverTemplate(st.solverPrompt().template());
    }
    if (st.labellerPrompt() != null) {
      p.labelerTemplate(st.labellerPrompt().template());
    }
    if (extra != null) {
      p.descriptor(extra, st.descriptor().skills());
    }
    PaperPreset.Setup setup = p.setup();
    List<dev.sparq.core.llm.UsageReporting> usage = new ArrayList<>();
    java.util.Set<LanguageModel> counted = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (LanguageModel m : byRole.values()) {
      if (m instanceof dev.sparq.core.llm.UsageReporting u && counted.add(m)) {
        usage.add(u);
      }
    }
    return new Components(setup.generator(), setup.solver(), setup.estimator(), setup.placement(), seeds,
        archive, c.batchSize(), close, usage, runtime(c, byRole));
  }

  @Override
  public void close() {
    List<AutoCloseable> rev = new ArrayList<>(closeables);
    Collections.reverse(rev);
    RuntimeException first = null;
    for (AutoCloseable a : rev) {
      try {
        a.close();
      } catch (Exception e) {
        if (first == null) {
          first = new RuntimeException("closing " + a + " failed: " + e.getMessage(), e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** The model roles of a run. */
  static final List<String> ROLES = ConfigKeys.ROLES;

  /**
   * What actually runs for a configuration, for run.json and the report: {@code {"models": [...]}}
   * with one entry per distinct model and the roles it plays. Each entry has {@code backend}
   * ({@code demo}, {@code onnx}, {@code openai}) and {@code model}; the demo backend has {@code model}
   * and {@code device} {@code "simulated"}; onnx adds {@code requestedDevice} (from the
   * configuration), {@code executionProvider} and {@code device} (what the sessions actually run on,
   * {@code CPU} when CUDA was asked for but could not be used); openai adds {@code endpoints}, the
   * URLs without user information, query or fragment. API keys are never part of it.
   *
   * @param c the configuration (null: nothing known, an empty model list)
   * @param byRole the opened models by role (empty for the demo backend or before opening)
   */
  static com.fasterxml.jackson.databind.node.ObjectNode runtime(RunConfig c, Map<String, LanguageModel> byRole) {
    com.fasterxml.jackson.databind.node.ObjectNode r = dev.sparq.core.internal.Json.mapper().createObjectNode();
    com.fasterxml.jackson.databind.node.ArrayNode models = r.putArray("models");
    if (c == null) {
      return r;
    }
    if (c.backend().simulated()) {
      com.fasterxml.jackson.databind.node.ObjectNode m = models.addObject();
      ROLES.forEach(m.putArray("roles")::add);
      m.put("backend", "demo");
      m.put("model", "simulated");
      m.put("device", "simulated");
      return r;
    }
    Map<RunConfig.Backend.ModelBackend, List<String>> roles = new LinkedHashMap<>();
    for (String role : ROLES) {
      if (byRole.isEmpty() || byRole.containsKey(role)) {
        roles.computeIfAbsent(c.model(role).orElseThrow(), k -> new ArrayList<>()).add(role);
      }
    }
    roles.forEach((backend, names) -> {
      com.fasterxml.jackson.databind.node.ObjectNode m = models.addObject();
      names.forEach(m.putArray("roles")::add);
      LanguageModel model = byRole.get(names.get(0));
      if (backend instanceof RunConfig.Backend.Onnx o) {
        m.put("backend", "onnx");
        m.put("model", o.model());
        m.put("requestedDevice", o.device());
        String provider = model == null ? null : OnnxBackend.executionProvider(model);
        if (provider != null) {
          m.put("executionProvider", provider);
          m.put("device", provider.startsWith("CUDA") ? "CUDA" : "CPU");
        }
      } else if (backend instanceof RunConfig.Backend.OpenAi o) {
        m.put("backend", "openai");
        m.put("model", o.model());
        com.fasterxml.jackson.databind.node.ArrayNode eps = m.putArray("endpoints");
        o.endpoints().forEach(e -> eps.add(withoutCredentials(e.url())));
      }
    });
    return r;
  }

  /**
   * An endpoint URL fit to record or show: user information ({@code user:password@}), query and
   * fragment removed (configurations never hold credentials there, but a URL may be pasted with them).
   */
  static String withoutCredentials(String url) {
    try {
      java.net.URI u = new java.net.URI(url);
      if (u.getScheme() != null && u.getRawAuthority() != null) {
        String host = u.getHost() != null ? u.getHost() : u.getRawAuthority().replaceFirst("^.*@", "");
        String port = u.getHost() != null && u.getPort() >= 0 ? ":" + u.getPort() : "";
        return u.getScheme() + "://" + host + port + (u.getRawPath() == null ? "" : u.getRawPath());
      }
    } catch (java.net.URISyntaxException e) {
      // fall through to the textual strip
    }
    return url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@", "$1").replaceFirst("[?#].*$", "");
  }

  /** Whether a path names an existing model directory rather than a hub id. */
  static boolean isDirectory(String model) {
    return Files.isDirectory(Path.of(model));
  }
}
