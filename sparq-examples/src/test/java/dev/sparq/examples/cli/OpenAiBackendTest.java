package dev.sparq.examples.cli;

import static dev.sparq.examples.cli.CliTestSupport.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.internal.Json;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.model.Elite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sparq run} with {@code backend: openai} against an in-process OpenAI-compatible server:
 * the real LLM pipeline (generator, student, skill labeller, answer checking) over HTTP.
 */
class OpenAiBackendTest {
  @TempDir
  Path tmp;

  /**
   * The LLM pipeline on the fake server: 12 addition seeds in {@code seeds.jsonl}, the paper's
   * dynamic_diverse preset with niches of 4, K = 8, batches of 8, run seed 6.
   */
  private static String smallRun(String url, int iterations, String output) {
    return """
        backend:
          type: openai
          endpoints: ["%s"]
          model: fake-math
          maxTokens: 256
        seeds: {format: jsonl, path: seeds.jsonl}
        preset: dynamic_diverse
        archive: {capacity: 4}
        k: 8
        batchSize: 8
        budget: {iterations: %d}
        output: %s
        seed: 6
        """.formatted(url, iterations, output);
  }

  @Test
  void runsTheLlmPipelineOverHttpAndResumes() throws IOException {
    try (FakeMathServer server = new FakeMathServer()) {
      FakeMathServer.writeAdditionSeeds(tmp.resolve("seeds.jsonl"), 12, 2);
      Path cfg = tmp.resolve("run.yaml");
      Files.writeString(cfg, smallRun(server.baseUrl(), 2, "run"));
      CliTestSupport.Result r = sparq("run", "--config", cfg.toString(), "--progress", "none");
      assertEquals(0, r.status(), r.out() + r.err());
      assertFalse(r.out().contains("SIMULATED"), r.out());
      assertTrue(server.label.get() >= 12, "the seeds were labelled: " + server.label.get());
      assertTrue(server.generate.get() >= 16);
      assertTrue(server.solve.get() > 0);

      RunDirectory dir = RunDirectory.open(tmp.resolve("run"));
      CellArchive archive = dir.readCheckpoint().orElseThrow().archive();
      List<Elite> children = archive.members().stream().filter(e -> !e.problem().lineage().isSeed()).toList();
      assertFalse(children.isEmpty(), "generated problems reached the archive");
      for (Elite e : children) {
        assertEquals("mutate", e.problem().lineage().operator());
        assertTrue(e.difficulty().rollouts() == 8);
        // skills come from the labeller, restricted to the seed set's vocabulary
        assertFalse(e.descriptor().labels().isEmpty());
        assertTrue(List.of("addition", "arithmetic", "large numbers").containsAll(e.descriptor().labels()),
            e.descriptor().toString());
      }
      JsonNode cp = Json.mapper().readTree(dir.file("checkpoint.json").toFile());
      assertTrue(server.untagged.get() > 0, "the server sent untagged replies to count");
      assertTrue(cp.path("state").path("totals").path("rejections").toString().contains("generate/"),
          "untagged replies are counted as rejections: " + cp.path("state").path("totals"));
      assertTrue(Files.exists(dir.file("report.html")));
      // run.json and the report record the backend, model and endpoint actually used, never a key
      JsonNode used = Json.mapper().readTree(dir.file("run.json").toFile()).path("runtime").path("models").get(0);
      assertEquals("openai", used.path("backend").asText(), used.toString());
      assertEquals("fake-math", used.path("model").asText());
      assertEquals(server.baseUrl(), used.path("endpoints").get(0).asText());
      assertFalse(used.has("device"), used.toString());
      String html = Files.readString(dir.file("report.html"));
      assertTrue(html.contains("<td class=\"backend\">openai</td><td class=\"model\"><code>fake-math</code></td>"
          + "<td class=\"endpoints\">" + HtmlReport.escape(server.baseUrl()) + "</td>"), html.substring(0, 3000));
      for (String text : List.of(html, Files.readString(dir.file("run.json")))) {
        assertFalse(text.toLowerCase(java.util.Locale.ROOT).contains("bearer"), "no credentials");
        assertFalse(text.contains("apiKey\":\"sk-"), "no API key");
      }

      long labelledBefore = server.label.get();
      CliTestSupport.Result more = sparq("resume", dir.root().toString(), "--iterations", "3", "--progress", "none");
      assertEquals(0, more.status(), more.err());
      assertEquals(3, dir.readCheckpoint().orElseThrow().state().totals().iterations());
      // the resume takes the vocabulary and the seeds' labels from the checkpoint: the only labelling
      // requests are those of the third iteration's children (at most batchSize 8), none for the 12 seeds
      assertTrue(server.label.get() - labelledBefore <= 8,
          "labelled on resume: " + (server.label.get() - labelledBefore));
      assertFalse(more.out().contains("labelling the seeds"), more.out());

      CliTestSupport.Result ex = sparq("export", dir.root().toString(), "--format", "messages");
      assertEquals(0, ex.status(), ex.err());
      assertTrue(ex.out().matches("(?s)[1-9]\\d* examples from [1-9]\\d* problems.*"), ex.out());
    }
  }

  /**
   * A server that plays a reasoning model (thinking inline, R1-style without the opening tag, or
   * apart in {@code reasoning_content}) drafts a decoy problem, a wrong boxed answer and a decoy
   * skill in every thinking block; the run must read only what follows the thinking, so it ends
   * with exactly the archive of the same run against a server that does not think.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"inline", "r1", "field"})
  void aReasoningServerGivesTheArchiveOfAPlainOne(String mode) throws IOException {
    FakeMathServer.writeAdditionSeeds(tmp.resolve("seeds.jsonl"), 12, 2);
    List<String> archives = new java.util.ArrayList<>();
    for (String thinking : java.util.Arrays.asList(null, mode)) {
      try (FakeMathServer server = new FakeMathServer()) {
        server.thinking = thinking;
        String out = thinking == null ? "plain" : "thinking";
        Path cfg = tmp.resolve(out + ".yaml");
        Files.writeString(cfg, smallRun(server.baseUrl(), 3, out));
        CliTestSupport.Result r = sparq("run", "--config", cfg.toString(), "--progress", "none");
        assertEquals(0, r.status(), r.out() + r.err());
        var cp = RunDirectory.open(tmp.resolve(out)).readCheckpoint().orElseThrow();
        String rejections = cp.state().totals().rejections().toString();
        assertFalse(rejections.contains("duplicate_problem_tag") || rejections.contains("unfinished_thinking"),
            rejections);
        StringBuilder a = new StringBuilder();
        for (Elite e : cp.archive().members()) {
          assertFalse(e.problem().statement().contains(FakeMathServer.DECOY_PROBLEM));
          assertFalse(e.descriptor().labels().contains("geometry"), e.descriptor().toString());
          a.append(e.problem().lineage().isSeed() ? "seed " : "child ")
              .append(e.problem().id()).append(' ').append(e.descriptor().key()).append(' ')
              .append(e.difficulty().quality()).append(' ').append(e.problem().answer()).append('\n');
        }
        archives.add(a.toString());
      }
    }
    assertTrue(archives.get(0).contains("child "), "children entered the archive: " + archives.get(0));
    assertEquals(archives.get(0), archives.get(1));
  }

  @Test
  void theAsyncEngineRunsOverHttpAndResumes() throws IOException {
    try (FakeMathServer server = new FakeMathServer()) {
      FakeMathServer.writeAdditionSeeds(tmp.resolve("seeds.jsonl"), 12, 2);
      Path cfg = tmp.resolve("run.yaml");
      Files.writeString(cfg, smallRun(server.baseUrl(), 3, "run") + """
          checkpointEvery: 1
          engine: {mode: async, in_flight: 4}
          """);
      CliTestSupport.Result r = sparq("run", "--config", cfg.toString(), "--progress", "none");
      assertEquals(0, r.status(), r.out() + r.err());
      RunDirectory dir = RunDirectory.open(tmp.resolve("run"));
      assertEquals(3, dir.readCheckpoint().orElseThrow().state().totals().iterations());
      CliTestSupport.Result more = sparq("resume", dir.root().toString(), "--iterations", "5", "--progress", "none");
      assertEquals(0, more.status(), more.err());
      var totals = dir.readCheckpoint().orElseThrow().state().totals();
      assertEquals(5, totals.iterations());
      assertEquals(40, totals.candidates());
      try (var log = dev.sparq.core.store.LogReader.open(dir.root().resolve(dev.sparq.core.store.SparqRun.LOG))) {
        var all = log.stream().map(dev.sparq.core.store.LoggedCandidate::candidate).toList();
        assertEquals(totals.evaluated(), all.size(), "every evaluated candidate logged once");
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (var c : all) {
          assertTrue(c.duplicate() || ids.add(c.problem().id()), "evaluated twice: " + c.problem().id());
        }
      }
      JsonNode run = Json.mapper().readTree(dir.file("run.json").toFile());
      assertEquals("async", run.path("config").path("engine").path("mode").asText(run.toString()), run.toString());
    }
  }

  @Test
  void theSummaryTellsRetriedRequestsAndUncountedTokensApart() throws IOException {
    try (FakeMathServer server = new FakeMathServer()) {
      server.failEvery = 7; // a server that answers 503 now and then: the client retries
      FakeMathServer.writeAdditionSeeds(tmp.resolve("seeds.jsonl"), 12, 2);
      Path cfg = tmp.resolve("run.yaml");
      Files.writeString(cfg, """
          backend:
            type: openai
            endpoints: ["%s"]
            model: fake-math
            maxTokens: 256
          seeds: {format: jsonl, path: seeds.jsonl}
          k: 4
          batchSize: 8
          budget: {tokens: 3000}
          output: run
          engine: {mode: async, in_flight: 4}
          """.formatted(server.baseUrl()));
      CliTestSupport.Result r = sparq("run", "--config", cfg.toString(), "--progress", "none");
      assertEquals(0, r.status(), r.out() + r.err());
      var totals = RunDirectory.open(tmp.resolve("run")).readCheckpoint().orElseThrow().state().totals();
      assertTrue(totals.tokens() >= 3000, totals.toString());
      // the run's tokens (what budget.tokens counts) are in the totals line
      assertTrue(r.out().contains(", rejected " + totals.rejectedTotal() + ", tokens " + totals.tokens() + "\n"),
          r.out());
      // every request the server received, the 503s it sent as retried attempts, apart from the totals
      long failures = server.injectedFailures.get();
      assertTrue(failures > 0);
      assertTrue(r.out().contains("models (this process): " + server.requests.get() + " requests sent, "
          + (server.requests.get() - failures) + " answered, " + failures + " failed and retried (server_error "
          + failures + ");"), r.out());
      // the seed labelling (12 requests before the first iteration) is billed but not in the budget
      java.util.regex.Matcher m = java.util.regex.Pattern.compile(
          "; (\\d+) tokens, (\\d+) of them labelling the seeds before the first iteration").matcher(r.out());
      assertTrue(m.find(), r.out());
      assertEquals(Long.parseLong(m.group(1)), totals.tokens() + Long.parseLong(m.group(2)), r.out());
      assertTrue(Long.parseLong(m.group(2)) > 0);
      // the report shows the run's tokens too
      String html = Files.readString(tmp.resolve("run").resolve("report.html"));
      assertTrue(html.contains("\"tokens\":" + totals.tokens()), "tokens in the report's data");
    }
  }
}
