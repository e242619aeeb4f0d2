package dev.sparq.examples.cli;

import dev.sparq.core.answer.AnswerChecker;
import dev.sparq.core.archive.Archive;
import dev.sparq.core.difficulty.FixedKEstimator;
import dev.sparq.core.difficulty.SolveRateBand;
import dev.sparq.core.difficulty.ValidityGuard;
import dev.sparq.core.generate.LlmGenerator;
import dev.sparq.core.generate.Operators;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.DifficultyEstimator;
import dev.sparq.core.stage.DiversityDescriptor;
import dev.sparq.core.stage.Generator;
import dev.sparq.core.stage.Solver;
import dev.sparq.core.stage.StageContext;
import dev.sparq.core.seeds.SeedLoader;
import dev.sparq.core.describe.SkillDescriptor;
import dev.sparq.core.describe.SkillLabeler;
import dev.sparq.core.solve.LlmSolver;
import dev.sparq.examples.demo.DemoDomain;
import dev.sparq.openai.Endpoint;
import dev.sparq.openai.OpenAiLanguageModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
 *     #runtime(RunConfig, LanguageModel)})
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
        runtime(null, null));
  }

  /** SPARQ's k: skills per problem. */
  static final int SKILLS_PER_PROBLEM = 3;
  /** SPARQ's M: the skill vocabulary is the most common M skills of the seed set. */
  static final int VOCABULARY = 100;

  /** Loads the seed set of a configuration. */
  static List<Problem> seeds(RunConfig c) {
    RunConfig.SeedSource s = c.seeds();
    List<Problem> all = switch (s.format()) {
      case "demo" -> DemoDomain.seeds(s.limit(), new SplittableRandom(c.seed()));
      case "math" -> SeedLoader.math(Path.of(s.path())).problems();
      case "gsm8k" -> SeedLoader.gsm8k(Path.of(s.path())).problems();
      default -> JsonlSeeds.read(Path.of(s.path()), s.limit());
    };
    return all.size() > s.limit() ? List.copyOf(all.subList(0, s.limit())) : all;
  }

  /** Builds the stages for a configuration (for model backends this opens the model). */
  static Components open(RunConfig c) {
    List<Problem> seeds = seeds(c);
    Archive archive = DemoDomain.archive(c.archive(), c.capacity(), c.seed());
    SolveRateBand band = new SolveRateBand(c.bandLow(), c.bandHigh());
    DifficultyEstimator estimator = new FixedKEstimator(c.k(), band, ValidityGuard.flagging());
    if (c.backend() instanceof RunConfig.Backend.Demo demo) {
      AnswerChecker checker = AnswerChecker.standard();
      return new Components(DemoDomain.generator(),
          DemoDomain.student(demo.slip(), (given, gold) -> checker.equivalent(gold, given)),
          estimator, DemoDomain.descriptor(), seeds, archive, 16, List.of(), List.of(), runtime(c, null));
    }
    RunConfig.Backend.ModelBackend backend = (RunConfig.Backend.ModelBackend) c.backend();
    LanguageModel model = backend instanceof RunConfig.Backend.OpenAi openai ? openai(openai, c)
        : OnnxBackend.open((RunConfig.Backend.Onnx) backend, c.seed());
    List<AutoCloseable> close = List.of(model);
    try {
      return llm(c, backend, model, seeds, archive, estimator, close);
    } catch (RuntimeException e) {
      try {
        model.close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Candidates the asynchronous engine keeps in flight: {@code engine.in_flight} per endpoint
   * ({@code backend.endpoints}; one for the other backends).
   */
  static int inFlight(RunConfig c) {
    int endpoints = c.backend() instanceof RunConfig.Backend.OpenAi o ? Math.max(1, o.endpoints().size()) : 1;
    return (int) Math.min(100_000, (long) c.engine().inFlight() * endpoints);
  }

  private static LanguageModel openai(RunConfig.Backend.OpenAi backend, RunConfig c) {
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
      b.apiKeyFromEnvironment(backend.apiKeyEnv());
    }
    return b.build();
  }

  /**
   * The LLM pipeline of the paper around one model in every role: mutation generator, K-rollout
   * student, skill labeller with a vocabulary from the seed set (labelled once, here).
   */
  private static Components llm(RunConfig c, RunConfig.Backend.ModelBackend backend, LanguageModel model,
      List<Problem> seeds, Archive archive, DifficultyEstimator estimator, List<AutoCloseable> close) {
    SamplingParams sampling = SamplingParams.builder().temperature(backend.temperature())
        .maxTokens(backend.maxTokens()).build();
    Generator generator = LlmGenerator.builder(model).sampling(sampling).operator(Operators.mutate()).build();
    Solver solver = LlmSolver.builder(model).sampling(sampling).build();
    SkillLabeler labeler = SkillLabeler.builder(model).k(SKILLS_PER_PROBLEM).build();
    SkillDescriptor descriptor = SkillDescriptor.forSeeds(labeler, seeds, VOCABULARY, c.batchSize(),
        StageContext.of(new SplittableRandom(c.seed() ^ 0x5EED5L)));
    List<dev.sparq.core.llm.UsageReporting> usage =
        model instanceof dev.sparq.core.llm.UsageReporting u ? List.of(u) : List.of();
    return new Components(generator, solver, estimator, descriptor, seeds, archive, c.batchSize(), close,
        usage, runtime(c, model));
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

  /** The model roles of a run; every backend today puts one model in all of them. */
  static final List<String> ROLES = List.of("generator", "solver", "labeler");

  /**
   * What actually runs for a configuration, for run.json and the report: {@code {"models": [...]}}
   * with one entry per model and the roles it plays. Each entry has {@code backend} ({@code demo},
   * {@code onnx}, {@code openai}) and {@code model}; the demo backend has {@code model} and {@code
   * device} {@code "simulated"}; onnx adds {@code requestedDevice} (from the configuration), {@code
   * executionProvider} and {@code device} (what the sessions actually run on, {@code CPU} when CUDA
   * was asked for but could not be used); openai adds {@code endpoints}, the URLs without user
   * information, query or fragment. API keys are never part of it.
   *
   * @param c the configuration (null: nothing known, an empty model list)
   * @param model the opened model of a model backend (null for the demo backend)
   */
  static com.fasterxml.jackson.databind.node.ObjectNode runtime(RunConfig c, LanguageModel model) {
    com.fasterxml.jackson.databind.node.ObjectNode r = dev.sparq.core.internal.Json.mapper().createObjectNode();
    com.fasterxml.jackson.databind.node.ArrayNode models = r.putArray("models");
    if (c == null) {
      return r;
    }
    com.fasterxml.jackson.databind.node.ObjectNode m = models.addObject();
    ROLES.forEach(m.putArray("roles")::add);
    if (c.backend() instanceof RunConfig.Backend.Onnx o) {
      m.put("backend", "onnx");
      m.put("model", o.model());
      m.put("requestedDevice", o.device());
      String provider = model == null ? null : OnnxBackend.executionProvider(model);
      if (provider != null) {
        m.put("executionProvider", provider);
        m.put("device", provider.startsWith("CUDA") ? "CUDA" : "CPU");
      }
    } else if (c.backend() instanceof RunConfig.Backend.OpenAi o) {
      m.put("backend", "openai");
      m.put("model", o.model());
      com.fasterxml.jackson.databind.node.ArrayNode eps = m.putArray("endpoints");
      o.endpoints().forEach(e -> eps.add(withoutCredentials(e.url())));
    } else {
      m.put("backend", "demo");
      m.put("model", "simulated");
      m.put("device", "simulated");
    }
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
