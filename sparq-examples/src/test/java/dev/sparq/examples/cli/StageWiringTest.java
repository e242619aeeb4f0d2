package dev.sparq.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sparq.core.Outcome;
import dev.sparq.core.describe.DescriptorUnion;
import dev.sparq.core.describe.SkillDescriptor;
import dev.sparq.core.difficulty.AdaptiveEstimator;
import dev.sparq.core.difficulty.FixedKEstimator;
import dev.sparq.core.difficulty.InBandOnly;
import dev.sparq.core.difficulty.ValidityGuard;
import dev.sparq.core.generate.LlmGenerator;
import dev.sparq.core.generate.Operator;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Problem;
import dev.sparq.core.solve.LlmSolver;
import dev.sparq.core.stage.StageContext;
import dev.sparq.onnx.embed.TextEmbedder;
import dev.sparq.openai.OpenAiLanguageModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every run.yaml key, and every stage implementation on its own, reaches the built components with
 * its configured parameters (asserted on the stages {@link Components#open} hands to the engine,
 * not only on the parsed configuration). Models are real HTTP clients to {@link FakeMathServer};
 * the embedding model is a deterministic stand-in.
 */
class StageWiringTest {
  static FakeMathServer server;
  @TempDir
  Path tmp;

  /** The backend blocks the opener was asked for, in order. */
  final List<RunConfig.Backend.ModelBackend> opened = new ArrayList<>();
  final List<Path> embedders = new ArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    server = new FakeMathServer();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Whatever the block's type, a client of the fake server under the block's model name. */
  private LanguageModel open(RunConfig.Backend.ModelBackend b, long seed) {
    opened.add(b);
    return OpenAiLanguageModel.builder().model(b.model()).endpoint(server.baseUrl()).build();
  }

  /** 8 dimensions from character counts: deterministic, and different statements differ. */
  private TextEmbedder embedder(Path dir) {
    embedders.add(dir);
    return new TextEmbedder() {
      @Override
      public float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][8];
        for (int i = 0; i < texts.size(); i++) {
          String t = texts.get(i);
          for (int j = 0; j < t.length(); j++) {
            out[i][(t.charAt(j) * 7 + j) % 8] += 1;
          }
        }
        return out;
      }

      @Override
      public int dimension() {
        return 8;
      }
    };
  }

  private Path seeds() throws IOException {
    StringBuilder s = new StringBuilder();
    for (int i = 1; i <= 20; i++) {
      s.append("{\"problem\": \"What is ").append(i).append(i % 3 == 0 ? " * " : " + ").append(i + 3)
          .append("?\", \"answer\": \"").append(i % 3 == 0 ? i * (i + 3) : 2 * i + 3).append("\"}\n");
    }
    return Files.writeString(tmp.resolve("seeds.jsonl"), s);
  }

  private RunConfig config(String yaml) throws IOException {
    seeds();
    Path f = tmp.resolve("run.yaml");
    Files.writeString(f, yaml.replace("URL", server.baseUrl()));
    return RunConfig.load(f);
  }

  private Components open(RunConfig c) {
    return Components.open(c, this::open, this::embedder);
  }

  private static final String BASE = """
      backend: {type: openai, model: one, endpoints: [URL], maxTokens: 300}
      seeds: {format: jsonl, path: seeds.jsonl}
      budget: {iterations: 1}
      output: out
      batchSize: 8
      """;

  static final String EVERY_KEY = """
      backend:
        type: openai
        slip: 0.2
        model: student-9b
        endpoints: ["URL", {url: "URL", max_concurrency: 2, timeout: 30, extra_body: {x_cache: true}}]
        apiKeyEnv: SPARQ_TEST_NO_KEY
        temperature: 0.8
        maxTokens: 512
      models:
        generator: {type: openai, model: gen-27b, endpoints: [URL], temperature: 1.1, maxTokens: 700}
        solver: {type: openai, model: student-9b, endpoints: [URL], temperature: 0.6, maxTokens: 400}
        labeller: {type: onnx, model: labeller-dir, device: cuda, variant: q4, temperature: 0.0,
                   maxTokens: 32, chatTemplateKwargs: {enable_thinking: false}}
      seeds: {format: jsonl, path: seeds.jsonl, limit: 18}
      preset: dynamic_diverse
      archive: {type: skills, capacity: 5}
      k: 12
      band: [0.2, 0.8]
      batchSize: 6
      budget: {iterations: 3, candidates: 100, rollouts: 5000, tokens: 1000000}
      output: out
      seed: 77
      threads: 2
      checkpointEvery: 2
      stallLimit: 7
      logRolloutTexts: exportable
      logRecordsPerShard: 500
      engine: {mode: async, in_flight: 8}
      estimator: {type: adaptive, maxRollouts: 10, initialRollouts: 3, roundRollouts: 1, error: 0.05,
                  archiveAware: true, inBandOnly: true}
      guard: {policy: resolve, majority: 0.6, minVotes: 3}
      operators:
        - {type: mutate, weight: 4, template: mutate.txt}
        - {type: crossover, weight: 3}
        - {type: few_shot, weight: 2, k: 4}
        - {type: harder, weight: 1.5}
        - {type: easier, weight: 1.25}
        - {type: targeted, weight: 0.5, skills: [addition, large numbers]}
      prompts: {solver: solver.txt, labeller: labeller.txt}
      descriptor:
        type: both
        vocabulary: 1
        skillsPerProblem: 1
        labelTemperature: 0.3
        labelMaxTokens: 512
        embedding: {model: embedder-dir, projection: random, dimensions: 3, cells: 4}
      export:
        format: grpo
        name: everything
        select: qd
        budget: 50
        minQuality: 0.1
        maxQuality: 0.9
        exactDuplicates: false
        nearDuplicates: true
        benchmarks: [bench.jsonl]
        contaminationNgram: 8
        referenceSolutions: true
        system: Be brief.
      """;

  /** The dotted keys a YAML tree uses, in the registry's notation. */
  static TreeSet<String> keysOf(JsonNode n, String prefix, TreeSet<String> out) {
    Iterator<Map.Entry<String, JsonNode>> it = n.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> f = it.next();
      String name = prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey();
      out.add(name);
      if (name.equals("backend.chatTemplateKwargs") || name.endsWith("extra_body")) {
        continue;
      }
      if (f.getValue().isObject()) {
        keysOf(f.getValue(), name.startsWith("models.") ? "backend" : name, out);
      } else if (f.getValue().isArray() && f.getValue().size() > 0 && f.getValue().get(0).isObject()) {
        f.getValue().forEach(e -> keysOf(e, name + "[]", out));
      }
    }
    return out;
  }

  @Test
  void everyKeyIsUsedAndReachesTheEngine() throws IOException {
    Files.writeString(tmp.resolve("mutate.txt"), "Change this: {parent_problem}\nInvent one NEW math problem.");
    Files.writeString(tmp.resolve("solver.txt"), "Solve with care: {problem}");
    Files.writeString(tmp.resolve("labeller.txt"),
        "Which mathematical skills does this exercise, at most {k}?\n{problem}\n{solution}");
    Files.writeString(tmp.resolve("bench.jsonl"), "{\"problem\": \"What is 1 + 4?\"}\n");
    TreeSet<String> used = keysOf(new YAMLMapper().readTree(EVERY_KEY), "", new TreeSet<>());
    TreeSet<String> all = new TreeSet<>(ConfigKeys.names());
    assertEquals(all, used, "the every-key configuration uses every key of the registry, and no other");

    RunConfig c = config(EVERY_KEY);
    try (Components comp = open(c)) {
      // one model per distinct block: generator, solver, labeller (roles with equal blocks would share)
      assertEquals(List.of("gen-27b", "student-9b", "labeller-dir"), opened.stream().map(b -> b.model()).toList());
      RunConfig.Backend.Onnx lab = (RunConfig.Backend.Onnx) opened.get(2);
      assertEquals(List.of("cuda", "q4", Map.of("enable_thinking", false)),
          List.of(lab.device(), lab.variant(), lab.chatTemplateKwargs()));
      RunConfig.Backend.OpenAi fallback = (RunConfig.Backend.OpenAi) c.backend();
      assertEquals(2, fallback.endpoints().get(1).maxConcurrency());
      assertEquals(30.0, fallback.endpoints().get(1).timeoutSeconds());
      assertEquals(Map.of("x_cache", true), fallback.endpoints().get(1).extraBody());
      assertEquals("SPARQ_TEST_NO_KEY", fallback.apiKeyEnv());

      LlmGenerator g = assertInstanceOf(LlmGenerator.class, comp.generator());
      assertEquals(List.of("mutate", "crossover", "few_shot", "harder", "easier", "targeted_skills"),
          g.operators().stream().map(Operator::name).toList());
      List<Double> w = g.weights();
      assertEquals(List.of(4.0, 3.0, 2.0, 1.5, 1.25, 0.5), w);
      assertEquals(1.1, g.sampling().temperature(), 1e-9);
      assertEquals(700, g.sampling().maxTokens());

      LlmSolver s = assertInstanceOf(LlmSolver.class, comp.solver());
      assertEquals("Solve with care: {problem}", s.template().user());
      assertEquals(0.6, s.sampling().temperature(), 1e-9);
      assertEquals(400, s.sampling().maxTokens());
      org.junit.jupiter.api.Assertions.assertNotSame(g.model(), s.model(), "generator and student are separate models");

      InBandOnly inBand = assertInstanceOf(InBandOnly.class, comp.estimator());
      AdaptiveEstimator a = assertInstanceOf(AdaptiveEstimator.class, inBand.inner());
      assertEquals(List.of(12, 10, 3, 1), List.of(a.referenceK(), a.maxRollouts(), a.initialRollouts(), a.roundRollouts()));
      assertEquals(0.05, a.error(), 1e-12);
      assertTrue(a.archiveAware());
      assertEquals(0.2, a.band().lower(), 1e-12);
      assertEquals(0.8, a.band().upper(), 1e-12);
      assertEquals(ValidityGuard.Policy.RESOLVE, a.guard().policy());
      assertEquals(0.6, a.guard().majority(), 1e-12);
      assertEquals(3, a.guard().minVotes());

      // both descriptors: one skill per problem (k = 1) from a vocabulary of M = 1, plus a region of 4
      assertInstanceOf(DescriptorUnion.class, comp.descriptor());
      assertEquals(List.of(Path.of(tmp.resolve("embedder-dir").toString())), embedders);
      List<Outcome<Descriptor>> d = comp.descriptor().describe(
          List.of(Problem.of("What is 7 + 10?", "7 + 10 = 17, \\boxed{17}", "17")),
          StageContext.of(new SplittableRandom(1)));
      List<String> labels = d.get(0).value().labels();
      assertEquals(2, labels.size(), labels.toString());
      assertTrue(labels.stream().anyMatch(l -> l.matches("region:[0-3]")), labels.toString());
      assertEquals(18, comp.seeds().size(), "seeds.limit");
      assertEquals(6, comp.chunkSize(), "batchSize is the model batch");
    }
    assertTrue(server.models.get("label").contains("labeller-dir"), "the seeds were labelled by the labeller's model");
    // the run-level keys the engine builder takes, and the export defaults
    assertEquals(List.of(5, 12, 6, 77L, 2, 2, 7), List.of(c.capacity(), c.k(), c.batchSize(), c.seed(), c.threads(),
        c.checkpointEvery(), c.stallLimit()));
    assertEquals(dev.sparq.core.store.RolloutTexts.EXPORTABLE, c.stages().logRolloutTexts(),
        "logRolloutTexts (its effect on the log: LogRolloutTextsConfigTest)");
    assertEquals(500, c.stages().logRecordsPerShard(),
        "logRecordsPerShard (its effect on the log: LogRecordsPerShardConfigTest)");
    assertEquals(List.of(3L, 100L, 5000L, 1_000_000L), List.of(c.budget().maxIterations(), c.budget().maxCandidates(),
        c.budget().maxRollouts(), c.budget().maxTokens()));
    assertEquals(new RunConfig.EngineSettings("async", 8), c.engine());
    RunConfig.ExportConfig x = c.stages().export();
    assertEquals(List.of("grpo", "everything", "qd", 50, 8), List.of(x.format(), x.name(), x.select(), x.budget(),
        x.contaminationNgram()));
    assertEquals(List.of(false, true, true), List.of(x.exactDuplicates(), x.nearDuplicates(), x.referenceSolutions()));
    assertEquals(List.of(tmp.resolve("bench.jsonl").toAbsolutePath()), x.benchmarks());
    // and the tree run.json records reads back to the same configuration
    assertEquals(c, RunConfig.fromTree(c.toTree(), "run.json", null));
  }

  @Test
  void fixedEstimatorWithEachGuardPolicy() throws IOException {
    for (String policy : List.of("keep", "drop", "resolve")) {
      RunConfig c = config(BASE + "k: 5\nband: [0.25, 0.75]\nguard: {policy: " + policy + "}\n");
      try (Components comp = open(c)) {
        FixedKEstimator f = assertInstanceOf(FixedKEstimator.class, comp.estimator());
        assertEquals(5, f.k());
        assertEquals(0.25, f.band().lower(), 1e-12);
        assertEquals(ValidityGuard.Policy.valueOf(policy.toUpperCase(java.util.Locale.ROOT)), f.guard().policy());
      }
    }
  }

  @Test
  void adaptiveEstimatorDefaultsToKAsItsMaximum() throws IOException {
    RunConfig c = config(BASE + "k: 9\nestimator: {type: adaptive}\n");
    try (Components comp = open(c)) {
      AdaptiveEstimator a = assertInstanceOf(AdaptiveEstimator.class, comp.estimator());
      assertEquals(List.of(9, 9, 4, 2), List.of(a.referenceK(), a.maxRollouts(), a.initialRollouts(), a.roundRollouts()));
      assertTrue(!a.archiveAware());
    }
  }

  @Test
  void eachOperatorAlone() throws IOException {
    Map<String, String> expected = Map.of("mutate", "mutate", "crossover", "crossover", "few_shot", "few_shot",
        "harder", "harder", "easier", "easier", "targeted", "targeted_skills");
    for (String op : ConfigKeys.OPERATORS) {
      String extra = op.equals("targeted") ? ", skills: [addition]" : op.equals("few_shot") ? ", k: 2" : "";
      RunConfig c = config(BASE + "operators: [{type: " + op + extra + "}]\n");
      try (Components comp = open(c)) {
        LlmGenerator g = assertInstanceOf(LlmGenerator.class, comp.generator());
        assertEquals(List.of(expected.get(op)), g.operators().stream().map(Operator::name).toList(), op);
      }
    }
  }

  @Test
  void eachDescriptor() throws IOException {
    Problem p = Problem.of("What is 3 + 4?", "3 + 4 = 7, \\boxed{7}", "7");
    RunConfig skills = config(BASE + "descriptor: {type: skills, vocabulary: 2, skillsPerProblem: 2}\n");
    try (Components comp = open(skills)) {
      SkillDescriptor sd = assertInstanceOf(SkillDescriptor.class, comp.descriptor());
      assertEquals(2, sd.vocabulary().size());
      assertEquals(2, sd.labeler().k());
      assertEquals(0.0, sd.labeler().sampling().temperature(), "the labeller's default");
      assertEquals(64, sd.labeler().sampling().maxTokens(), "the labeller's default");
    }
    RunConfig reasoning = config(BASE
        + "descriptor: {type: skills, labelTemperature: 0.6, labelMaxTokens: 1024}\n");
    try (Components comp = open(reasoning)) {
      SkillDescriptor sd = assertInstanceOf(SkillDescriptor.class, comp.descriptor());
      assertEquals(0.6, sd.labeler().sampling().temperature(), 1e-12);
      assertEquals(1024, sd.labeler().sampling().maxTokens());
    }
    dev.sparq.core.ConfigException wrongType = org.junit.jupiter.api.Assertions.assertThrows(
        dev.sparq.core.ConfigException.class, () -> config(BASE
        + "descriptor: {type: embedding, labelMaxTokens: 9, embedding: {model: e}}\n"));
    assertTrue(wrongType.getMessage().contains("key 'descriptor.labelMaxTokens': applies to descriptor"
        + " types 'skills' and 'both'"), wrongType.getMessage());
    RunConfig emb = config(BASE + "descriptor: {type: embedding, embedding: {model: e, cells: 3}}\n");
    long labelsBefore = server.label.get();
    try (Components comp = open(emb)) {
      List<String> labels = comp.descriptor().describe(List.of(p), StageContext.of(new SplittableRandom(2)))
          .get(0).value().labels();
      assertEquals(1, labels.size());
      assertTrue(labels.get(0).matches("region:[0-2]"), labels.toString());
    }
    assertEquals(labelsBefore, server.label.get(), "embedding alone labels nothing");
  }

  @Test
  void promptTemplatesComeFromFilesInsideTheConfigDirectory() throws IOException {
    Files.writeString(tmp.resolve("s.txt"), "Please: {problem}");
    RunConfig c = config(BASE + "prompts: {solver: s.txt}\n");
    try (Components comp = open(c)) {
      assertEquals("Please: {problem}", ((LlmSolver) comp.solver()).template().user());
    }
    Files.createDirectories(tmp.resolve("sub"));
    Files.writeString(tmp.resolve("sub/run.yaml"), BASE.replace("URL", server.baseUrl())
        .replace("seeds.jsonl", "../seeds.jsonl") + "prompts: {solver: ../s.txt}\n");
    dev.sparq.core.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
        dev.sparq.core.ConfigException.class, () -> RunConfig.load(tmp.resolve("sub/run.yaml")));
    assertTrue(e.getMessage().contains("key 'prompts.solver'") && e.getMessage().contains("leaves the configuration"),
        e.getMessage());
    Files.writeString(tmp.resolve("sub/run.yaml"), BASE.replace("URL", server.baseUrl())
        + "prompts: {solver: " + tmp.resolve("s.txt") + "}\n");
    assertEquals("Please: {problem}", RunConfig.load(tmp.resolve("sub/run.yaml")).stages().solverPrompt().text(),
        "an absolute path is taken as given");
    Files.writeString(tmp.resolve("big.txt"), "{problem}" + "x".repeat(70_000));
    e = org.junit.jupiter.api.Assertions.assertThrows(dev.sparq.core.ConfigException.class,
        () -> config(BASE + "prompts: {solver: big.txt}\n"));
    assertTrue(e.getMessage().contains("64 KiB"), e.getMessage());
    Files.writeString(tmp.resolve("bad.txt"), "Solve {question}");
    e = org.junit.jupiter.api.Assertions.assertThrows(dev.sparq.core.ConfigException.class,
        () -> config(BASE + "prompts: {solver: bad.txt}\n"));
    assertTrue(e.getMessage().contains("key 'prompts.solver'") && e.getMessage().contains("{question}"), e.getMessage());
  }

  @Test
  void badValuesNameFileKeyAndAllowedValues() throws IOException {
    dev.sparq.core.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(dev.sparq.core.ConfigException.class,
        () -> config(BASE + "operators: [{type: mutate}, {type: splice}]\n"));
    assertTrue(e.getMessage().contains("run.yaml: key 'operators[1].type': 'splice' is not allowed; allowed values: "
        + "mutate, crossover, few_shot, harder, easier, targeted"), e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(dev.sparq.core.ConfigException.class,
        () -> config(BASE + "estimator: {type: fixed, error: 0.1}\n"));
    assertTrue(e.getMessage().contains("key 'estimator.error': applies to estimator type 'adaptive' only"), e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(dev.sparq.core.ConfigException.class,
        () -> config(BASE + "guard: {policy: maybe}\n"));
    assertTrue(e.getMessage().contains("key 'guard.policy': 'maybe' is not allowed; allowed values: keep, drop, resolve"),
        e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(dev.sparq.core.ConfigException.class,
        () -> config(BASE + "models: {student: {type: openai}}\n"));
    assertTrue(e.getMessage().contains("key 'models.student': unknown key; allowed keys here: generator, labeller, solver"),
        e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(dev.sparq.core.ConfigException.class,
        () -> config(BASE + "descriptor: {type: embedding}\n"));
    assertTrue(e.getMessage().contains("key 'descriptor.embedding.model': is required"), e.getMessage());
  }

  @Test
  void resumeKeepsTheStagesAndTakesEachRolesCredentialsFromYourConfig() throws IOException {
    RunConfig c = config(BASE.replace("endpoints: [URL]", "endpoints: [URL], apiKeyEnv: THEIR_KEY")
        + "models: {generator: {type: openai, model: g, endpoints: ['http://203.0.113.9:8000/v1'], apiKeyEnv: MY_SECRET}}\n"
        + "estimator: {type: adaptive}\nguard: {policy: drop}\n");
    RunDirectory d = RunDirectory.create(c.withOutput(tmp.resolve("r")), false);
    RunDirectory reopened = RunDirectory.open(d.root());
    assertEquals(c.stages(), reopened.config().stages(), "run.json keeps the stages");
    // a foreign run.json naming a remote endpoint with a key variable is refused without your config
    dev.sparq.core.DataException e = org.junit.jupiter.api.Assertions.assertThrows(dev.sparq.core.DataException.class,
        () -> SparqCli.Resume.roleCredentials(reopened, null, false));
    assertTrue(e.getMessage().contains("config.models.generator") && e.getMessage().contains("MY_SECRET"), e.getMessage());
    Path mine = Files.writeString(tmp.resolve("mine.yaml"), BASE.replace("URL", "http://127.0.0.1:1/v1"));
    Map<String, RunConfig.Backend.ModelBackend> roles = SparqCli.Resume.roleCredentials(reopened, mine, false);
    RunConfig.Backend.OpenAi g = (RunConfig.Backend.OpenAi) roles.get("generator");
    assertEquals("http://127.0.0.1:1/v1", g.endpoints().get(0).url());
    assertEquals("", g.apiKeyEnv());
    assertEquals("g", g.model(), "the model name stays the run's");
    RunDirectory used = reopened.usingModels(reopened.config().backend(), roles);
    assertEquals(c.stages().estimator(), used.config().stages().estimator(), "resume keeps the stages");
    assertEquals(c.stages().guard(), used.config().stages().guard());
  }
}
