package dev.sparq.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sparq.core.ConfigException;
import dev.sparq.core.DataException;
import dev.sparq.core.engine.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunConfigTest {
  @TempDir
  Path tmp;

  private static final String OK = """
      backend: {type: demo}
      budget: {iterations: 5}
      output: out
      """;

  private RunConfig parse(String yaml) throws IOException {
    return RunConfig.fromTree(new YAMLMapper().readTree(yaml), "run.yaml", tmp);
  }

  private String error(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
  }

  @Test
  void defaultsAreSparqs() throws IOException {
    RunConfig c = parse(OK);
    assertEquals(Variant.STATIC_UNIFORM, c.preset());
    assertEquals(16, c.k());
    assertEquals(0.1, c.bandLow());
    assertEquals(0.9, c.bandHigh());
    assertEquals(64, c.batchSize());
    assertEquals(RunConfig.ArchiveKind.SKILLS, c.archive());
    assertEquals("demo", c.seeds().format());
    assertEquals(tmp.resolve("out"), c.output());
  }

  @Test
  void yamlAliasesAreRefusedInsteadOfReadAsTheirNames() throws IOException {
    // the YAML reader gave "k: *k" as the string "k" and a list alias as a list of names
    Path f = tmp.resolve("alias.yaml");
    Files.writeString(f, """
        backend: {type: demo}
        budget: {iterations: &n 5}
        k: *n
        output: out
        """);
    ConfigException e = assertThrows(ConfigException.class, () -> RunConfig.load(f));
    assertTrue(e.getMessage().startsWith(f + ":3:") && e.getMessage().contains("YAML aliases (*n) are"
        + " not supported"), e.getMessage());
    Path plain = tmp.resolve("plain.yaml");
    Files.writeString(plain, OK + "k: 5\n");
    assertEquals(5, RunConfig.load(plain).k());
  }

  @Test
  void aTokenBudgetWithTheDemoBackendIsRefusedNamingFileAndKey() throws IOException {
    // config --explain accepted it and sparq run failed later naming a library method, no file
    String m = error("""
        backend: {type: demo}
        budget: {tokens: 1000}
        output: out
        """);
    assertTrue(m.startsWith("run.yaml: key 'budget.tokens': is not allowed with backend 'demo'"), m);
    assertEquals(1000, parse("""
        backend: {type: openai, endpoints: ["http://a:8000/v1"], model: m}
        budget: {tokens: 1000}
        seeds: {format: jsonl, path: s.jsonl}
        output: out
        """).budget().maxTokens());
  }

  @Test
  void anAsyncRunCountsItsIterationBudgetInParents() throws IOException {
    // batch 4, 5 iterations: 20 parents; an async run that failed mid-group recorded a shorter
    // iteration, so 5 iterations may hold fewer parents, and resume must continue it
    RunConfig sync = parse(OK + "batchSize: 4");
    RunConfig async = parse(OK + "batchSize: 4\nengine: {mode: async}");
    java.util.function.BiFunction<Long, Long, dev.sparq.core.engine.RunStats> stats = (it, parents) ->
        new dev.sparq.core.engine.RunStats(it, parents, parents, parents, 0, 0, java.util.Map.of(),
            java.util.Map.of());
    assertTrue(Runner.budgetUsed(sync, stats.apply(5L, 18L)));
    assertFalse(Runner.budgetUsed(async, stats.apply(5L, 18L)));
    assertTrue(Runner.budgetUsed(async, stats.apply(6L, 20L)));
    assertFalse(Runner.budgetUsed(async, stats.apply(4L, 16L)));
  }

  @Test
  void engineModeDefaultsToSyncAndAsyncRoundTrips() throws IOException {
    assertEquals(RunConfig.EngineSettings.SYNC, parse(OK).engine());
    assertFalse(parse(OK).toTree().has("engine"), "the default is not written");
    RunConfig c = parse(OK + "engine: {mode: async, in_flight: 128}");
    assertTrue(c.engine().async());
    assertEquals(128, c.engine().inFlight());
    assertEquals(c, RunConfig.fromTree(c.toTree(), "x", null));
    assertTrue(error(OK + "engine: {mode: turbo}").contains(
        "key 'engine.mode': 'turbo' is not allowed; allowed values: sync, async"));
    assertTrue(error(OK + "engine: {in_flight: 0}").contains("key 'engine.in_flight': must be between 1"));
    assertTrue(error(OK + "engine: {threads: 2}").contains("key 'engine.threads': unknown key"));
  }

  @Test
  void inFlightIsCappedBeforeTheEngineStartsAThreadPerCandidate() throws IOException {
    // 100,000 was allowed and made the async engine start as many threads: the OS refused them
    assertEquals(1024, parse(OK + "engine: {mode: async, in_flight: 1024}").engine().inFlight());
    String tooMany = error(OK + "engine: {mode: async, in_flight: 100000}");
    assertTrue(tooMany.contains("key 'engine.in_flight': must be between 1 and 1024"), tooMany);
    assertTrue(tooMany.startsWith("run.yaml: "), tooMany);
    String five = """
        backend: {type: openai, model: m, endpoints: ["http://a:8000/v1", "http://b:8000/v1",
          "http://c:8000/v1", "http://d:8000/v1", "http://e:8000/v1"]}
        seeds: {format: jsonl, path: s.jsonl}
        budget: {iterations: 5}
        output: out
        """;
    assertEquals(819, parse(five + "engine: {mode: async, in_flight: 819}").engine().inFlight());
    String total = error(five + "engine: {mode: async, in_flight: 820}");
    assertTrue(total.contains("key 'engine.in_flight': 820 x 5 endpoints = 4100 candidates in flight is more "
        + "than the engine allows (4096 in all, one thread each); lower in_flight to at most 819"), total);
    // sync mode ignores in_flight
    assertEquals(1024, parse(five + "engine: {in_flight: 1024}").engine().inFlight());
  }

  @Test
  void treeRoundTrips() throws IOException {
    RunConfig c = parse("""
        backend: {type: openai, endpoints: ["http://a:8000/v1", "http://b:8000/v1"], model: m, apiKeyEnv: KEY}
        seeds: {format: jsonl, path: seeds.jsonl, limit: 100}
        preset: dynamic-diverse
        archive: {type: skills, capacity: 3}
        k: 4
        band: [0.2, 0.8]
        batchSize: 8
        budget: {candidates: 1000, rollouts: 5000}
        output: o
        seed: -9
        threads: 4
        checkpointEvery: 3
        """);
    assertEquals(Variant.DYNAMIC_DIVERSE, c.preset());
    assertEquals(tmp.resolve("seeds.jsonl").toString(), c.seeds().path());
    assertEquals(c, RunConfig.fromTree(c.toTree(), "x", null));
  }

  @Test
  void endpointsTakePerEndpointSettingsAndRoundTrip() throws IOException {
    RunConfig c = parse("""
        backend:
          type: openai
          model: m
          endpoints:
            - http://a:8000/v1
            - url: http://b:8080/
              max_concurrency: 1
              timeout: 90
              extra_body: {chat_template_kwargs: {enable_thinking: false}, top_k: 20}
        seeds: {path: s.jsonl}
        budget: {iterations: 1}
        output: o
        """);
    List<RunConfig.EndpointConfig> e = ((RunConfig.Backend.OpenAi) c.backend()).endpoints();
    assertEquals(RunConfig.EndpointConfig.of("http://a:8000/v1"), e.get(0));
    assertEquals("http://b:8080/", e.get(1).url());
    assertEquals(1, e.get(1).maxConcurrency());
    assertEquals(90.0, e.get(1).timeoutSeconds());
    assertEquals(Map.of("enable_thinking", false), e.get(1).extraBody().get("chat_template_kwargs"));
    assertEquals(c, RunConfig.fromTree(c.toTree(), "x", null));
    assertTrue(c.toTree().path("backend").path("endpoints").get(0).isTextual(), "plain URLs stay strings");

    String base = "backend: {type: openai, model: m, endpoints: [%s]}\nbudget: {iterations: 1}\n"
        + "output: o\nseeds: {path: s}";
    assertTrue(error(base.formatted("{url: 'http://x/v1', maxConcurrency: 2}")).contains(
        "key 'backend.endpoints[0].maxConcurrency': unknown key; allowed keys here: extra_body, "
            + "max_concurrency, timeout, url"));
    assertTrue(error(base.formatted("{url: 'http://x/v1', max_concurrency: 0}")).contains(
        "key 'backend.endpoints[0].max_concurrency': must be between 1 and"));
    assertTrue(error(base.formatted("{max_concurrency: 2}")).contains(
        "key 'backend.endpoints[0].url': is required"));
    assertTrue(error(base.formatted("{url: 'http://x/v1', extra_body: 3}")).contains(
        "key 'backend.endpoints[0].extra_body': must be a mapping"));
    String creds = error(base.formatted("'http://x/v1', 'http://bob:hunter2pw@y:8000/v1'"));
    assertTrue(creds.contains("key 'backend.endpoints[1]'") && creds.contains("carries credentials"), creds);
    assertFalse(creds.contains("hunter2pw") || creds.contains("bob"), creds);
  }

  @Test
  void errorsNameTheKeyAndTheAllowedValues() {
    assertEquals("run.yaml: key 'backend.type': 'gpt' is not allowed; allowed values: demo, onnx, openai",
        error("backend: {type: gpt}\nbudget: {iterations: 1}\noutput: o"));
    assertTrue(error("backend: {type: demo}\npreset: greedy\nbudget: {iterations: 1}\noutput: o")
        .contains("key 'preset': 'greedy' is not allowed; allowed values: static_uniform, static_diverse, "
            + "dynamic_uniform, dynamic_diverse"));
    assertTrue(error(OK + "archive: {type: hexagons}").contains(
        "key 'archive.type': 'hexagons' is not allowed; allowed values: skills, grid, cvt"));
    assertTrue(error(OK + "kk: 3").contains("key 'kk': unknown key; allowed keys here: archive, backend,"));
    assertTrue(error(OK + "k: 0").contains("key 'k': must be between 1 and 4096, was 0"));
    assertTrue(error(OK + "k: many").contains("key 'k': must be a whole number"));
    assertTrue(error(OK + "band: [0.9, 0.1]").contains("key 'band': needs 0.0 <= low <= high <= 1.0"));
    assertTrue(error("backend: {type: demo}\noutput: o").contains("key 'budget': is required"));
    assertTrue(error("budget: {iterations: 1}\noutput: o").contains("key 'backend': is required"));
    assertTrue(error("backend: {type: onnx}\nbudget: {iterations: 1}\noutput: o\nseeds: {path: s.jsonl}")
        .contains("key 'backend.model': is required for backend 'onnx'"));
    assertTrue(error("backend: {type: openai, model: m}\nbudget: {iterations: 1}\noutput: o\nseeds: {path: s}")
        .contains("key 'backend.endpoints': is required"));
    assertTrue(error("backend: {type: openai, model: m, endpoints: [ftp://x]}\nbudget: {iterations: 1}\n"
        + "output: o\nseeds: {path: s}").contains(
        "key 'backend.endpoints[0]': endpoint URL 'ftp://x' must be an absolute http:// or https:// URL"));
    assertTrue(error("backend: {type: openai, model: m, endpoints: [http://x]}\nbudget: {iterations: 1}\n"
        + "output: o").contains("key 'seeds.path': is required for seed format 'jsonl'"));
    assertTrue(error("backend: {type: openai, model: m, endpoints: [http://x]}\nbudget: {iterations: 1}\n"
        + "output: o\nseeds: {format: demo}").contains("key 'seeds.format': 'demo' seeds only work with backend 'demo'"));
    assertTrue(error("backend: {type: onnx, model: m}\nbudget: {iterations: 1}\noutput: o\nseeds: {path: s}\n"
        + "archive: {type: grid}").contains("key 'archive.type': 'grid' needs numeric measures"));
    assertTrue(error(OK + "seeds: {format: math, path: MATH}").contains(
        "key 'seeds.format': 'math' seeds do not work with backend 'demo'"));
    assertTrue(error("backend: demo\nbudget: {iterations: 1}\noutput: o").contains(
        "key 'backend': must be a mapping"));
  }

  @Test
  void loadReportsMissingAndBrokenFiles() throws IOException {
    assertTrue(assertThrows(ConfigException.class, () -> RunConfig.load(tmp.resolve("nope.yaml")))
        .getMessage().contains("does not exist"));
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, "{\"backend\": ");
    // the line and column of the fault, without Jackson's internals
    String m = assertThrows(ConfigException.class, () -> RunConfig.load(bad)).getMessage();
    assertTrue(m.startsWith(bad + ":1:13: not valid JSON: "), m);
    assertFalse(m.contains("REDACTED") || m.contains("StreamReadFeature") || m.contains("\n"), m);
  }

  @Test
  void jsonlSeedsReportFileLineAndField() throws IOException {
    Path seeds = tmp.resolve("seeds.jsonl");
    Files.writeString(seeds, """
        {"problem": "What is 2+2?", "solution": "It is \\\\boxed{4}.", "level": "Level 1"}
        {"problem": "What is 3+3?", "answer": "6"}
        {"solution": "no problem here", "answer": "1"}
        """);
    DataException e = assertThrows(DataException.class, () -> JsonlSeeds.read(seeds, 10));
    assertEquals(seeds + ":3: field 'problem': is missing (or give 'statement')", e.getMessage());
    // the whole file is checked, even past the limit; a clean file loads up to the limit
    Files.writeString(seeds, String.join("\n", Files.readAllLines(seeds).subList(0, 2)) + "\n");
    var two = JsonlSeeds.read(seeds, 2);
    assertEquals(1, JsonlSeeds.read(seeds, 1).size());
    assertEquals("4", two.get(0).answer());
    assertEquals("Level 1", two.get(0).attributes().get("level"));
    assertEquals("6", two.get(1).answer());
  }

  @Test
  void anOnnxModelThatIsNeitherADirectoryNorAHubIdIsAConfigError() throws IOException {
    Path seeds = tmp.resolve("s.jsonl");
    Files.writeString(seeds, "{\"problem\": \"1+1?\", \"answer\": \"2\"}\n");
    RunConfig c = parse("backend: {type: onnx, model: no/such/dir}\n"
        + "budget: {iterations: 1}\noutput: o\nseeds: {path: s.jsonl}");
    String msg = assertThrows(ConfigException.class, () -> Components.open(c)).getMessage();
    assertTrue(msg.contains("key 'backend.model': 'no/such/dir' is neither a model directory nor a hub id"), msg);
  }

  @Test
  void chatTemplateKwargsReachTheOnnxBackendAndRoundTrip() throws IOException {
    RunConfig c = parse("backend: {type: onnx, model: m, chatTemplateKwargs: {enable_thinking: false,"
        + " date_string: 05 Mar 2026, tools: [{name: f, n: 2}]}}\n"
        + "budget: {iterations: 1}\noutput: o\nseeds: {path: s.jsonl}");
    Map<String, Object> kwargs = ((RunConfig.Backend.Onnx) c.backend()).chatTemplateKwargs();
    assertEquals(false, kwargs.get("enable_thinking"));
    assertEquals("05 Mar 2026", kwargs.get("date_string"));
    assertEquals(java.util.List.of(java.util.Map.of("name", "f", "n", 2L)),
        kwargs.get("tools"));
    assertTrue(c.toTree().toString().contains("\"chatTemplateKwargs\":{\"date_string\":\"05 Mar 2026\",\"enable_thinking\":false"),
        c.toTree().toString());
    assertTrue(error("backend: {type: onnx, model: m, chatTemplateKwargs: [1]}\n"
        + "budget: {iterations: 1}\noutput: o\nseeds: {path: s.jsonl}")
        .contains("key 'backend.chatTemplateKwargs': must be a mapping"));
    assertTrue(error("backend: {type: onnx, model: m, chatTemplateKwargs: {messages: []}}\n"
        + "budget: {iterations: 1}\noutput: o\nseeds: {path: s.jsonl}")
        .contains("'messages' is set by SPARQ itself"));
    assertTrue(error("backend: {type: demo, chatTemplateKwargs: {a: 1}}\n"
        + "budget: {iterations: 1}\noutput: o\nseeds: {format: demo}")
        .contains("applies to backend 'onnx' only"));
  }

  @Test
  void mathAndGsm8kSeedsLoadThroughTheCoreLoaders() throws IOException {
    Path gsm = tmp.resolve("gsm8k.jsonl");
    Files.writeString(gsm, """
        {"question": "Tom has 3 apples and buys 4 more. How many?", "answer": "3 + 4 = <<3+4=7>>7\\n#### 7"}
        {"question": "A box holds 12 eggs. How many in 2 boxes?", "answer": "2 * 12 = 24\\n#### 24"}
        {"question": "What is 1,000 + 250?", "answer": "#### 1,250"}
        """);
    var c = parse("backend: {type: openai, model: m, endpoints: [\"http://x/v1\"]}\n"
        + "budget: {iterations: 1}\noutput: o\nseeds: {format: gsm8k, path: gsm8k.jsonl, limit: 2}");
    var seeds = Components.seeds(c);
    assertEquals(2, seeds.size());
    assertEquals("7", seeds.get(0).answer());
    assertEquals("24", seeds.get(1).answer());

    Path math = Files.createDirectories(tmp.resolve("MATH/train/algebra"));
    Files.writeString(math.resolve("1.json"), "{\"problem\": \"Solve $2x = 6$.\", \"level\": \"Level 1\", "
        + "\"type\": \"Algebra\", \"solution\": \"So $x = \\\\boxed{3}$.\"}");
    var m = parse("backend: {type: openai, model: m, endpoints: [\"http://x/v1\"]}\n"
        + "budget: {iterations: 1}\noutput: o\nseeds: {format: math, path: MATH/train}");
    var mathSeeds = Components.seeds(m);
    assertEquals(1, mathSeeds.size());
    assertEquals("3", mathSeeds.get(0).answer());
  }

  /** The Parquet goldens of sparq-core, written by pyarrow and datasets (make_parquet_seeds.py). */
  private static Path parquetGoldens() {
    return Path.of("../sparq-core/src/test/resources/dev/sparq/core/seeds/parquet").toAbsolutePath().normalize();
  }

  private void copyTree(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path dest = to.resolve(from.relativize(f).toString());
        Files.createDirectories(dest.getParent());
        Files.copy(f, dest);
      }
    }
  }

  @Test
  void parquetSeedsAsTheHubShipsThemLoadByPathOrGlob() throws IOException {
    copyTree(parquetGoldens().resolve("gsm8k"), tmp.resolve("gsm8k"));
    copyTree(parquetGoldens().resolve("hendrycks_math"), tmp.resolve("hendrycks_math"));
    String head = "backend: {type: openai, model: m, endpoints: [\"http://x/v1\"]}\n"
        + "budget: {iterations: 1}\noutput: o\n";
    var gsm = Components.seeds(parse(head + "seeds: {format: gsm8k, path: gsm8k/main/train-00000-of-00001.parquet}"));
    assertEquals(4, gsm.size());
    assertEquals("31", gsm.get(0).answer());
    var glob = Components.seeds(parse(head + "seeds: {format: math, path: 'hendrycks_math/*/train-*.parquet', limit: 4}"));
    assertEquals(4, glob.size());
    assertEquals("\\frac{3}{4}", glob.get(2).answer());
    // a download holding both splits is refused, naming the glob that picks one
    var both = parse(head + "seeds: {format: gsm8k, path: gsm8k}");
    DataException e = assertThrows(DataException.class, () -> Components.seeds(both));
    assertTrue(e.getMessage().contains("holds the splits test, train; seeds come from one split: name its files, "
        + "e.g. " + tmp.resolve("gsm8k") + "/*/train-*.parquet"), e.getMessage());
    // faults name the file, the row and the field, as file:line does for JSON Lines
    Files.copy(parquetGoldens().resolve("broken/null_question.parquet"), tmp.resolve("bad.parquet"));
    var bad = parse(head + "seeds: {format: gsm8k, path: bad.parquet}");
    DataException b = assertThrows(DataException.class, () -> Components.seeds(bad));
    assertEquals(tmp.resolve("bad.parquet") + ": row 2 (row group 1): field 'question': is missing", b.getMessage());
  }
}
