package dev.sparq.examples.cli;

import static dev.sparq.examples.cli.CliTestSupport.sparq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.internal.Json;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.archive.CvtTessellation;
import dev.sparq.core.archive.GridTessellation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparqCliTest {
  @TempDir
  Path tmp;

  private static List<String> lines(Path f) throws IOException {
    return Files.readAllLines(f).stream().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void everySubcommandPrintsTheVersionAndTheCommandListStaysShort() {
    String version = sparq("--version").out().strip();
    assertTrue(version.startsWith("sparq "), version);
    for (String c : List.of("demo", "run", "resume", "export", "report", "inspect", "config")) {
      // -V is offered by every subcommand's help; it printed an empty line
      CliTestSupport.Result r = sparq(c, "--version");
      assertEquals(0, r.status(), c + ": " + r.err());
      assertEquals(version, r.out().strip(), c);
    }
    // each command is summarised on a line or two; export's whole description filled seven
    String help = sparq("--help").out();
    String commands = help.substring(help.indexOf("Commands:"));
    assertTrue(commands.strip().split("\n").length <= 1 + 2 * 7, commands);
    assertTrue(commands.contains("export   Write training data from a run (fine-tuning and RL formats)."), commands);
    assertFalse(commands.contains("dataset_info.json"), commands);
    // and the details are in export's own help
    assertTrue(sparq("export", "--help").out().contains("dataset_info.json"));
  }

  @Test
  void demoRunsEverythingAndSaysTheStudentIsSimulated() throws IOException {
    Path out = tmp.resolve("demo");
    CliTestSupport.Result r = sparq("demo", "-o", out.toString(), "--iterations", "6", "--batch", "32",
        "--progress", "log");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("SIMULATED"), r.out());
    for (String f : List.of("run.json", "checkpoint.json", "metrics.jsonl", "log/candidates-000000.jsonl",
        "report.html", "export/messages/sparq.jsonl", "export/messages/stats.json")) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    for (String f : List.of("checkpoint.json", "log", "metrics.jsonl", "report.html", "export/messages/sparq.jsonl")) {
      assertTrue(r.out().contains(out.resolve(f).toAbsolutePath().normalize().toString()),
          "output names " + f + ":\n" + r.out());
    }
    assertEquals(6, lines(out.resolve("metrics.jsonl")).size());
    JsonNode cp = Json.mapper().readTree(out.resolve("checkpoint.json").toFile());
    long evaluated = cp.path("state").path("totals").path("evaluated").asLong();
    assertTrue(evaluated > 0, cp.toString().substring(0, 300));
    assertEquals(evaluated, lines(out.resolve("log/candidates-000000.jsonl")).size());
    assertTrue(Json.mapper().readTree(out.resolve("run.json").toFile()).path("simulatedStudent").asBoolean());
    // run.json and the report say what ran: the simulated demo backend in every role
    JsonNode used = Json.mapper().readTree(out.resolve("run.json").toFile()).path("runtime").path("models").get(0);
    assertEquals("demo", used.path("backend").asText(), used.toString());
    assertEquals("simulated", used.path("model").asText());
    assertEquals("simulated", used.path("device").asText());
    assertEquals("[\"generator\",\"solver\",\"labeller\"]", used.path("roles").toString());
    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("<td class=\"backend\">demo</td><td class=\"model\"><code>simulated</code></td>"
        + "<td class=\"endpoints\">&ndash;</td><td class=\"device\">simulated</td>"), html.substring(0, 3000));
    // every exported example is a correct rollout of a problem with quality > 0
    for (String l : lines(out.resolve("export/messages/sparq.jsonl"))) {
      JsonNode m = Json.mapper().readTree(l).path("messages");
      assertEquals("user", m.get(0).path("role").asText());
      assertTrue(m.get(1).path("content").asText().contains("\\boxed{"));
    }
    assertTrue(r.err().contains("progress 100%"), r.err());
    // a second demo run replaces the first
    assertEquals(0, sparq("demo", "-o", out.toString(), "--iterations", "2", "--progress", "none").status());
    assertEquals(2, lines(out.resolve("metrics.jsonl")).size());
  }

  @Test
  void theDefaultDemoArchiveHoldsNoDuplicateProblemId() throws IOException {
    // the default demo (40 iterations of 64) used to keep the same problem twice in a niche
    Path out = tmp.resolve("demo-dups");
    assertEquals(0, sparq("demo", "-o", out.toString(), "--progress", "none").status());
    var cp = dev.sparq.core.store.SparqRun.readCheckpoint(out);
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (var e : cp.archive().members()) {
      assertTrue(ids.add(e.id()), "two archive members with problem id " + e.id());
    }
    assertTrue(ids.size() > 50, "members: " + ids.size());
    // every duplicate child is in the log, marked, without rollouts
    long marked = 0;
    for (String l : lines(out.resolve("log/candidates-000000.jsonl"))) {
      JsonNode n = Json.mapper().readTree(l);
      if (n.path("duplicate").asBoolean()) {
        marked++;
        assertEquals(0, n.path("rollouts").size(), l.substring(0, 200));
      }
    }
    assertEquals(cp.state().totals().duplicates(), marked);
  }

  @Test
  void demoFillsGridAndCvtArchives() throws IOException {
    for (String kind : List.of("grid", "cvt")) {
      Path out = tmp.resolve(kind);
      CliTestSupport.Result r = sparq("demo", "-o", out.toString(), "--iterations", "3", "--archive", kind,
          "--progress", "none");
      assertEquals(0, r.status(), r.err());
      CellArchive a = RunDirectory.open(out).readCheckpoint().orElseThrow().archive();
      assertTrue(kind.equals("grid") ? a.tessellation() instanceof GridTessellation
          : a.tessellation() instanceof CvtTessellation);
      assertTrue(a.occupiedCells().length > 3);
    }
  }

  private Path writeConfig(String name, String text) throws IOException {
    Path f = tmp.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  @Test
  void runReadsYamlAndJsonConfigsAndWritesTheSameRun() throws IOException {
    Path yaml = writeConfig("run.yaml", """
        backend:
          type: demo
          slip: 0.12
        seeds:
          format: demo
          limit: 50
        preset: static_diverse
        archive:
          type: skills
          capacity: 4
        k: 8
        band: [0.1, 0.9]
        batchSize: 16
        budget:
          iterations: 4
        output: out-yaml
        seed: 7
        checkpointEvery: 2
        """);
    Path json = writeConfig("run.json", """
        {"backend": {"type": "demo", "slip": 0.12}, "seeds": {"format": "demo", "limit": 50},
         "preset": "static_diverse", "archive": {"type": "skills", "capacity": 4}, "k": 8,
         "band": [0.1, 0.9], "batchSize": 16, "budget": {"iterations": 4}, "output": "out-json",
         "seed": 7, "checkpointEvery": 2}
        """);
    CliTestSupport.Result a = sparq("run", "--config", yaml.toString(), "--progress", "none");
    assertEquals(0, a.status(), a.err());
    assertTrue(a.out().contains("SIMULATED"));
    CliTestSupport.Result b = sparq("run", "-c", json.toString(), "--progress", "none");
    assertEquals(0, b.status(), b.err());
    assertArrayEquals(Files.readAllBytes(tmp.resolve("out-yaml/checkpoint.json")),
        Files.readAllBytes(tmp.resolve("out-json/checkpoint.json")));
    assertTrue(Files.exists(tmp.resolve("out-yaml/report.html")));
    // refusing to overwrite, then --force
    CliTestSupport.Result again = sparq("run", "--config", yaml.toString(), "--progress", "none");
    assertEquals(2, again.status());
    assertTrue(again.err().contains("not empty"), again.err());
    assertEquals(0, sparq("run", "--config", yaml.toString(), "--progress", "none", "--force").status());
  }

  @Test
  void resumeOfARunThatUsedAnotherLimitNamesIt() throws IOException {
    // the budget is 20 candidates: --iterations cannot take the run further, so resume must not
    // advise it (it said "(3 iterations); raise it with --iterations N" whatever the limit)
    for (String mode : List.of("sync", "async")) {
      Path cfg = writeConfig(mode + ".yaml", """
          backend: {type: demo}
          batchSize: 8
          k: 4
          budget: {candidates: 20}
          engine: {mode: %s}
          output: %s
          """.formatted(mode, mode));
      assertEquals(0, sparq("run", "-c", cfg.toString(), "--progress", "none", "--no-report").status());
      CliTestSupport.Result done = sparq("resume", tmp.resolve(mode).toString(), "--iterations", "10");
      assertEquals(0, done.status(), done.err());
      assertTrue(done.out().contains("the run has already used its budget: budget.candidates (24 candidates of "
          + "20); resume --iterations N sets only the iteration limit"), mode + ": " + done.out());
    }
    Path its = writeConfig("its.yaml", """
        backend: {type: demo}
        batchSize: 8
        k: 4
        budget: {iterations: 2}
        engine: {mode: async}
        output: its
        """);
    assertEquals(0, sparq("run", "-c", its.toString(), "--progress", "none", "--no-report").status());
    CliTestSupport.Result done = sparq("resume", tmp.resolve("its").toString());
    assertTrue(done.out().contains("the run has already used its budget: budget.iterations (16 parents of the 16 "
        + "that 2 iterations of batchSize 8 allow); raise it with --iterations N"), done.out());
  }

  @Test
  void resumeContinuesExactlyWhereTheRunStopped() throws IOException {
    String common = """
        backend: {type: demo}
        preset: dynamic_diverse
        batchSize: 24
        k: 8
        seed: 3
        checkpointEvery: 1
        """;
    Path full = writeConfig("full.yaml", common + "budget: {iterations: 6}\noutput: full\n");
    Path half = writeConfig("half.yaml", common + "budget: {iterations: 3}\noutput: half\n");
    assertEquals(0, sparq("run", "-c", full.toString(), "--progress", "none").status());
    assertEquals(0, sparq("run", "-c", half.toString(), "--progress", "none").status());
    CliTestSupport.Result done = sparq("resume", tmp.resolve("half").toString());
    assertTrue(done.out().contains("already used its budget"), done.out());
    CliTestSupport.Result r = sparq("resume", tmp.resolve("half").toString(), "--iterations", "6",
        "--progress", "none");
    assertEquals(0, r.status(), r.err());
    for (String f : List.of("checkpoint.json", "log/candidates-000000.jsonl")) {
      assertArrayEquals(Files.readAllBytes(tmp.resolve("full").resolve(f)),
          Files.readAllBytes(tmp.resolve("half").resolve(f)), f);
    }
    assertEquals(6, lines(tmp.resolve("half/metrics.jsonl")).size());
  }

  @Test
  void resumeDropsLogLinesWrittenAfterTheLastCheckpoint() throws IOException {
    Path cfg = writeConfig("c.yaml", """
        backend: {type: demo}
        batchSize: 16
        k: 8
        budget: {iterations: 4}
        output: run
        checkpointEvery: 2
        """);
    assertEquals(0, sparq("run", "-c", cfg.toString(), "--progress", "none").status());
    Path dir = tmp.resolve("run");
    byte[] checkpoint = Files.readAllBytes(dir.resolve("checkpoint.json"));
    byte[] log = Files.readAllBytes(dir.resolve("log/candidates-000000.jsonl"));
    // simulate a crash after iterations 3 and 4 were logged but before their checkpoint: put the
    // checkpoint of an identical run stopped after 2 iterations in place
    Files.writeString(tmp.resolve("two.yaml"), Files.readString(cfg).replace("iterations: 4", "iterations: 2")
        .replace("output: run", "output: two"));
    assertEquals(0, sparq("run", "-c", tmp.resolve("two.yaml").toString(), "--progress", "none").status());
    Files.copy(tmp.resolve("two/checkpoint.json"), dir.resolve("checkpoint.json"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    RunDirectory d = RunDirectory.open(dir);
    assertEquals(4, d.metrics().size());
    CliTestSupport.Result r = sparq("resume", dir.toString(), "--progress", "none");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("resuming " + dir + " at iteration 2"), r.out());
    assertArrayEquals(checkpoint, Files.readAllBytes(dir.resolve("checkpoint.json")));
    assertArrayEquals(log, Files.readAllBytes(dir.resolve("log/candidates-000000.jsonl")));
    assertEquals(4, d.metrics().size());
  }

  @Test
  void dynamicUniformKeepsTheTopTInOneCell() {
    Path out = tmp.resolve("du");
    assertEquals(0, sparq("demo", "-o", out.toString(), "--iterations", "4", "--preset", "dynamic_uniform",
        "--progress", "none").status());
    CellArchive a = RunDirectory.open(out).readCheckpoint().orElseThrow().archive();
    assertEquals(1, a.occupiedCells().length);
    assertEquals(dev.sparq.core.preset.PaperPreset.NICHE_CAPACITY, a.size(), "capacity T = 10, the one default");
  }

  @Test
  void aStopRequestEndsTheRunWithACheckpointThatResumes() throws IOException {
    RunConfig c = RunConfig.demo(tmp.resolve("stopped"), dev.sparq.core.engine.Variant.DYNAMIC_DIVERSE,
        RunConfig.ArchiveKind.SKILLS, 3, 1, 8, 16, 50);
    RunDirectory dir = RunDirectory.create(c, false);
    // the stop flag as a shutdown hook sets it: already set, so no iteration runs
    Runner.Result r = Runner.run(dir, false, Progress.Mode.NONE, System.err,
        new java.util.concurrent.atomic.AtomicBoolean(true));
    assertTrue(r.stoppedEarly());
    assertEquals(0, r.iterationsThisProcess());
    assertEquals(0, dir.readCheckpoint().orElseThrow().state().totals().iterations());
    CliTestSupport.Result resumed = sparq("resume", dir.root().toString(), "--progress", "none");
    assertEquals(0, resumed.status(), resumed.err());
    assertEquals(3, dir.readCheckpoint().orElseThrow().state().totals().iterations());
  }

  /**
   * Ctrl-C against an OpenAI-compatible server that stopped answering (the shutdown hook calls
   * {@link Runner.Stop#now()}): the run returns with a checkpoint of exactly the iterations completed
   * before the server hung, nothing of the abandoned one in the log, and the resumed run ends with
   * the archive and log of an uninterrupted run.
   */
  @Test
  void stopNowAgainstAServerThatStoppedAnsweringCheckpointsTheCompletedIterations() throws Exception {
    try (FakeMathServer server = new FakeMathServer()) {
      FakeMathServer.writeAdditionSeeds(tmp.resolve("seeds.jsonl"), 6, 2);
      String config = """
          backend: {type: openai, endpoints: ["%s"], model: fake-math}
          seeds: {format: jsonl, path: seeds.jsonl}
          k: 2
          batchSize: 2
          budget: {iterations: 5}
          output: %s
          seed: 5
          """;
      Path referenceCfg = tmp.resolve("reference.yaml");
      Files.writeString(referenceCfg, config.formatted(server.baseUrl(), "reference"));
      long before = server.generateRequests.get();
      CliTestSupport.Result reference = sparq("run", "-c", referenceCfg.toString(), "--progress", "none");
      assertEquals(0, reference.status(), reference.err());
      long perIteration = (server.generateRequests.get() - before) / 5;
      assertEquals(5 * perIteration, server.generateRequests.get() - before, "the same generations each iteration");

      Path stoppedCfg = tmp.resolve("stopped.yaml");
      Files.writeString(stoppedCfg, config.formatted(server.baseUrl(), "stopped"));
      RunDirectory dir = RunDirectory.create(RunConfig.load(stoppedCfg), false);
      // iterations 0 and 1 are answered; the server stops answering in iteration 2
      server.answerGenerations = server.generateRequests.get() + 2 * perIteration;
      Runner.Stop stop = new Runner.Stop();
      java.util.concurrent.ExecutorService caller = java.util.concurrent.Executors.newSingleThreadExecutor();
      Runner.Result r;
      try {
        var running = caller.submit(() -> Runner.run(dir, false, Progress.Mode.NONE, System.err, stop));
        server.hung.acquire();
        stop.now();
        r = running.get(5, java.util.concurrent.TimeUnit.MINUTES); // a guard against a hang, not a timing
      } finally {
        caller.shutdownNow();
      }
      assertTrue(r.stoppedEarly());
      assertEquals(2, r.iterationsThisProcess());
      var cp = dir.readCheckpoint().orElseThrow();
      assertEquals(2, cp.state().totals().iterations(), "the checkpoint holds the completed iterations");
      assertEquals(cp.state().totals().evaluated(),
          dev.sparq.core.store.SparqRun.readCheckpoint(dir.root()).log().records());

      server.answerGenerations = Long.MAX_VALUE;
      CliTestSupport.Result resumed = sparq("resume", dir.root().toString(), "--progress", "none");
      assertEquals(0, resumed.status(), resumed.err());
      RunDirectory ref = RunDirectory.open(tmp.resolve("reference"));
      assertEquals(dev.sparq.core.archive.ArchiveJson.toJson(ref.readCheckpoint().orElseThrow().archive()),
          dev.sparq.core.archive.ArchiveJson.toJson(dir.readCheckpoint().orElseThrow().archive()));
      try (var want = Files.list(ref.root().resolve("log")); var got = Files.list(dir.root().resolve("log"))) {
        List<Path> wanted = want.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList();
        List<Path> gotten = got.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList();
        assertEquals(wanted.stream().map(Path::getFileName).toList(), gotten.stream().map(Path::getFileName).toList());
        assertFalse(wanted.isEmpty());
        for (int i = 0; i < wanted.size(); i++) {
          assertArrayEquals(Files.readAllBytes(wanted.get(i)), Files.readAllBytes(gotten.get(i)),
              gotten.get(i) + " differs from the uninterrupted run's");
        }
      }
    }
  }

  @Test
  void exportWritesEachFormatWithFiltersAndBudget() throws IOException {
    Path out = tmp.resolve("d");
    assertEquals(0, sparq("demo", "-o", out.toString(), "--iterations", "4", "--progress", "none").status());
    CliTestSupport.Result all = sparq("export", out.toString(), "--format", "alpaca");
    assertEquals(0, all.status(), all.err());
    List<String> alpaca = lines(out.resolve("export/alpaca/sparq.jsonl"));
    assertTrue(alpaca.size() > 10);
    assertTrue(all.out().startsWith(alpaca.size() + " examples from "), all.out());
    JsonNode first = Json.mapper().readTree(alpaca.get(0));
    assertTrue(first.has("instruction") && first.has("output"));
    assertTrue(first.path("output").asText().contains("\\boxed{"));

    Path other = tmp.resolve("other");
    CliTestSupport.Result some = sparq("export", out.toString(), "--format", "sharegpt", "--budget", "5",
        "--select", "qd", "--min-quality", "0.5", "-o", other.toString(), "--name", "five");
    assertEquals(0, some.status(), some.err());
    assertEquals(5, lines(other.resolve("five.jsonl")).size());
    assertEquals("human", Json.mapper().readTree(lines(other.resolve("five.jsonl")).get(0))
        .path("conversations").get(0).path("from").asText());
    assertTrue(Files.exists(other.resolve("stats.json")));

    // RL rows: one per problem, with the intended answer
    assertEquals(0, sparq("export", out.toString(), "--format", "grpo").status());
    JsonNode grpo = Json.mapper().readTree(lines(out.resolve("export/grpo/sparq.jsonl")).get(0));
    assertTrue(grpo.has("answer") && grpo.has("prompt"), grpo.toString());

    // a quality window nothing can reach exports nothing
    assertEquals(0, sparq("export", out.toString(), "--format", "prompt-completion", "--min-quality", "0.95").status());
    assertEquals(0, lines(out.resolve("export/prompt_completion/sparq.jsonl")).size());

    // verl rows go to Parquet by default (verl's loader reads Parquet); any format can ask for it
    assertEquals(0, sparq("export", out.toString(), "--format", "verl").status());
    assertTrue(Files.size(out.resolve("export/verl/sparq.parquet")) > 0);
    assertFalse(Files.exists(out.resolve("export/verl/sparq.jsonl")));
    assertEquals(0, sparq("export", out.toString(), "--format", "verl", "--file-format", "jsonl", "--name", "verl_rows").status());
    assertTrue(lines(out.resolve("export/verl_rows/verl_rows.jsonl")).get(0).startsWith("{\"data_source\":\"sparq\""));
    // a data_source verl knows picks its built-in scorer; the library had it, the command line did not
    assertEquals(0, sparq("export", out.toString(), "--format", "verl", "--file-format", "jsonl", "--name",
        "verl_math", "--data-source", "lighteval/MATH").status());
    assertTrue(lines(out.resolve("export/verl_math/verl_math.jsonl")).get(0)
        .startsWith("{\"data_source\":\"lighteval/MATH\""));
    assertEquals(0, sparq("export", out.toString(), "--file-format", "PARQUET", "--name", "messages_pq").status());
    byte[] magic = Files.readAllBytes(out.resolve("export/messages_pq/messages_pq.parquet"));
    assertEquals("PAR1", new String(magic, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    CliTestSupport.Result badFile = sparq("export", out.toString(), "--file-format", "xml");
    assertEquals(2, badFile.status());
    assertTrue(badFile.err().contains("jsonl, parquet"), badFile.err());

    // --thinking: field puts a reasoning_content key on every message (empty: the demo does not
    // think), keep is the default, and a format without an assistant message is refused by name
    assertEquals(0, sparq("export", out.toString()).status());
    assertEquals(0, sparq("export", out.toString(), "--thinking", "field", "--name", "field").status());
    JsonNode field = Json.mapper().readTree(lines(out.resolve("export/field/field.jsonl")).get(0));
    JsonNode plain = Json.mapper().readTree(lines(out.resolve("export/messages/sparq.jsonl")).get(0));
    JsonNode assistant = field.path("messages").get(field.path("messages").size() - 1);
    assertEquals("", assistant.path("reasoning_content").asText("missing"), field.toString());
    assertEquals(plain.path("messages").get(plain.path("messages").size() - 1).path("content"),
        assistant.path("content"));
    assertFalse(plain.toString().contains("reasoning_content"), plain.toString());
    assertEquals("field", Json.mapper().readTree(out.resolve("export/field/stats.json").toFile())
        .path("thinking").asText());
    assertEquals("keep", Json.mapper().readTree(out.resolve("export/messages/stats.json").toFile())
        .path("thinking").asText());
    CliTestSupport.Result noField = sparq("export", out.toString(), "--format", "alpaca", "--thinking",
        "field", "--name", "nofield");
    assertEquals(2, noField.status());
    assertTrue(noField.err().contains("key 'thinking': field is not supported by format 'alpaca'"),
        noField.err());
    assertFalse(Files.exists(out.resolve("export/nofield")), "a refused export makes no folder");
    CliTestSupport.Result badMode = sparq("export", out.toString(), "--thinking", "drop");
    assertEquals(2, badMode.status());
    assertTrue(badMode.err().contains("allowed values: keep, strip, field"), badMode.err());

    CliTestSupport.Result bad = sparq("export", out.toString(), "--format", "parquet");
    assertEquals(2, bad.status());
    assertTrue(bad.err().contains("key 'format': 'parquet' is not allowed; allowed values: messages, "
        + "prompt-completion, grpo, verl, openai, alpaca, sharegpt"), bad.err());
    CliTestSupport.Result noBudget = sparq("export", out.toString(), "--select", "qd");
    assertEquals(2, noBudget.status());
    assertTrue(noBudget.err().contains("key 'budget': is required with --select qd"), noBudget.err());
  }

  @Test
  void inspectSummarisesARun() {
    Path out = tmp.resolve("i");
    assertEquals(0, sparq("demo", "-o", out.toString(), "--iterations", "3", "--progress", "none").status());
    CliTestSupport.Result r = sparq("inspect", out.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("SIMULATED student"), r.out());
    assertTrue(r.out().contains("checkpoint at iteration 3 (budget: 3 iterations)"), r.out());
    assertTrue(r.out().matches("(?s).*archive: \\d+ members in \\d+ cells.*"), r.out());
    assertTrue(r.out().contains("checkpoint.json"), r.out());
    assertTrue(r.out().contains("log "), r.out());
    assertTrue(r.out().contains("top cells by best quality"), r.out());
  }

  @Test
  void aCheckpointWithACustomArchiveIsRefusedNamingFileAndField() throws IOException {
    // The CLI builds only CellArchives, so such a checkpoint comes from a library run copied into a
    // run directory; the CLI cannot rebuild a class it does not know and must not load one named
    // by a file, so it refuses clearly instead of failing on a null archive.
    Path out = tmp.resolve("custom");
    assertEquals(0, sparq("demo", "-o", out.toString(), "--iterations", "2", "--progress", "none").status());
    Path cp = out.resolve("checkpoint.json");
    var root = (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(cp.toFile());
    root.remove("archive");
    root.putObject("slots").putObject("my_archive").put("members", 0);
    Json.mapper().writeValue(cp.toFile(), root);
    for (String cmd : List.of("inspect", "report", "export")) {
      CliTestSupport.Result r = sparq(cmd, out.toString());
      assertTrue(r.status() != 0, cmd);
      assertTrue(r.err().contains("checkpoint.json") && r.err().contains("archive")
          && r.err().contains("custom archive"), cmd + ": " + r.err());
    }
  }

  @Test
  void commandsOnSomethingThatIsNotARunDirectoryFailClearly() {
    for (String cmd : List.of("inspect", "report", "export", "resume")) {
      CliTestSupport.Result r = sparq(cmd, tmp.toString());
      assertEquals(2, r.status(), cmd);
      assertTrue(r.err().contains("not a sparq run directory: run.json is missing"), r.err());
    }
    CliTestSupport.Result none = sparq("frobnicate");
    assertEquals(2, none.status());
    assertFalse(none.err().isEmpty());
  }
}
