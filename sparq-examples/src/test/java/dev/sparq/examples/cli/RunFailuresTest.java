package dev.sparq.examples.cli;

import static dev.sparq.examples.cli.CliTestSupport.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.sparq.core.ConfigException;
import dev.sparq.core.internal.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code sparq run} fails: every message names the file and key or the path at fault, a wrong
 * output path is found before any model request, and a failed model backend has its own exit status.
 */
class RunFailuresTest {
  @TempDir
  Path tmp;

  /** A demo run in which every child is rejected: no solve rate of k = 4 lies in [0.51, 0.52]. */
  private Path rejectingEverything(String name, String stallLimit) throws IOException {
    Path cfg = tmp.resolve(name + ".yaml");
    Files.writeString(cfg, """
        backend: {type: demo}
        seeds: {format: demo, limit: 30}
        k: 4
        band: [0.51, 0.52]
        estimator: {inBandOnly: true}
        batchSize: 8
        budget: {iterations: 3}
        output: %s
        seed: 3
        """.formatted(name) + (stallLimit == null ? "" : "stallLimit: " + stallLimit + "\n"));
    return cfg;
  }

  @Test
  void stallLimitFromRunYamlReachesTheEngineAndTheStallErrorNamesTheKey() throws IOException {
    // 0 turns the stall guard off: the run reaches its iteration budget with nothing evaluated
    CliTestSupport.Result off = sparq("run", "-c", rejectingEverything("runoff", "0").toString(), "--progress", "none");
    assertEquals(0, off.status(), off.out() + off.err());
    RunDirectory dir = RunDirectory.open(tmp.resolve("runoff"));
    assertEquals(0, dir.config().stallLimit());
    assertEquals(3, dir.readCheckpoint().orElseThrow().state().totals().iterations());
    assertEquals(0, dir.readCheckpoint().orElseThrow().state().totals().evaluated());
    JsonNode manifest = Json.mapper().readTree(dir.file(RunDirectory.MANIFEST).toFile());
    assertEquals(0, manifest.path("config").path("stallLimit").asInt(-1), "run.json records the key");

    // a limit of 2 is reached: the error names the run.yaml key, not the builder method
    Path two = rejectingEverything("runtwo", "2");
    CliTestSupport.Result stalled = sparq("run", "-c", two.toString(), "--progress", "none");
    assertEquals(2, stalled.status(), stalled.out() + stalled.err());
    assertTrue(stalled.err().contains("the run stalled: 2 consecutive iterations"), stalled.err());
    assertTrue(stalled.err().contains("raise key 'stallLimit' in " + two + " (it is 2; 0 = off)"), stalled.err());
    assertFalse(stalled.err().contains("raise stallLimit"), "no builder method name: " + stalled.err());
    assertEquals(2, RunDirectory.open(tmp.resolve("runtwo")).readCheckpoint().orElseThrow().state().totals()
        .iterations(), "the stalled iterations were checkpointed");

    // without the key the engine's default holds
    assertEquals(RunConfig.DEFAULT_STALL_LIMIT, RunConfig.load(rejectingEverything("rundflt", null)).stallLimit());

    // a negative limit is refused naming the key, before anything is created
    Path negative = rejectingEverything("runneg", "-1");
    CliTestSupport.Result bad = sparq("run", "-c", negative.toString(), "--progress", "none");
    assertEquals(2, bad.status());
    assertTrue(bad.err().contains(negative + ": key 'stallLimit': must be between 0 and"),
        bad.err());
    assertFalse(Files.exists(tmp.resolve("runneg")));
    ConfigException e = assertThrows(ConfigException.class, () -> RunConfig.load(negative));
    assertTrue(e.getMessage().contains("key 'stallLimit'"), e.getMessage());
  }

  private static final String UNSET = "SPARQ_TEST_SURELY_UNSET_API_KEY_VARIABLE";

  @Test
  void anUnsetApiKeyVariableNamesTheFileAndTheDottedKey() throws IOException {
    assumeTrue(System.getenv(UNSET) == null, UNSET + " is set in this environment");
    try (FakeMathServer server = new FakeMathServer()) {
      FakeMathServer.writeAdditionSeeds(tmp.resolve("seeds.jsonl"), 6, 2);
      String common = """
          seeds: {format: jsonl, path: seeds.jsonl}
          k: 2
          batchSize: 2
          budget: {iterations: 1}
          output: run
          """;
      Path role = tmp.resolve("role.yaml");
      Files.writeString(role, """
          backend: {type: openai, endpoints: ["%1$s"], model: fake-math}
          models:
            solver: {type: openai, endpoints: ["%1$s"], model: fake-math, apiKeyEnv: %2$s}
          """.formatted(server.baseUrl(), UNSET) + common);
      CliTestSupport.Result r = sparq("run", "-c", role.toString(), "--progress", "none");
      assertEquals(2, r.status(), r.out() + r.err());
      assertTrue(r.err().contains(role + ": key 'models.solver.apiKeyEnv': environment variable '" + UNSET
          + "' is not set or empty"), r.err());

      Path backend = tmp.resolve("backend.yaml");
      Files.writeString(backend, """
          backend: {type: openai, endpoints: ["%s"], model: fake-math, apiKeyEnv: %s}
          """.formatted(server.baseUrl(), UNSET) + common);
      r = sparq("run", "-c", backend.toString(), "--progress", "none");
      assertEquals(2, r.status(), r.out() + r.err());
      assertTrue(r.err().contains(backend + ": key 'backend.apiKeyEnv': environment variable '" + UNSET
          + "' is not set or empty"), r.err());
      assertEquals(0, server.requests.get(), "nothing was sent without the key");
      assertFalse(Files.exists(tmp.resolve("run")), "nothing was created");
    }
  }

  @Test
  void anOutputPathThatIsAFileFailsBeforeAnyModelRequest() throws IOException {
    try (FakeMathServer server = new FakeMathServer()) {
      FakeMathServer.writeAdditionSeeds(tmp.resolve("seeds.jsonl"), 6, 2);
      Path cfg = tmp.resolve("run.yaml");
      Files.writeString(cfg, """
          backend: {type: openai, endpoints: ["%s"], model: fake-math}
          seeds: {format: jsonl, path: seeds.jsonl}
          k: 2
          batchSize: 2
          budget: {iterations: 1}
          output: run
          """.formatted(server.baseUrl()));
      Path file = tmp.resolve("afile");
      Files.writeString(file, "not a directory");

      CliTestSupport.Result isFile = sparq("run", "-c", cfg.toString(), "-o", file.toString(), "--progress", "none");
      assertEquals(2, isFile.status(), isFile.out() + isFile.err());
      assertTrue(isFile.err().contains(file + ": cannot use this as the run directory: it is a file, not a directory"),
          isFile.err());
      assertFalse(isFile.err().contains("already exists"), isFile.err());

      Path below = file.resolve("x");
      CliTestSupport.Result parent = sparq("run", "-c", cfg.toString(), "-o", below.toString(), "--progress", "none");
      assertEquals(2, parent.status(), parent.out() + parent.err());
      assertTrue(parent.err().contains(below + ": cannot create the run directory: its parent " + file
          + " is a file, not a directory"), parent.err());

      Path deeper = file.resolve("x/y");
      CliTestSupport.Result deep = sparq("run", "-c", cfg.toString(), "-o", deeper.toString(), "--force",
          "--progress", "none");
      assertEquals(2, deep.status());
      assertTrue(deep.err().contains("its parent " + file + " is a file, not a directory"), deep.err());

      assertEquals(0, server.requests.get(), "no model request before the output path was checked");
      assertEquals("not a directory", Files.readString(file), "the file is untouched");
    }
    // sparq demo says the same
    Path file = tmp.resolve("afile");
    CliTestSupport.Result demo = sparq("demo", "-o", file.toString(), "--iterations", "1", "--progress", "none");
    assertEquals(2, demo.status());
    assertTrue(demo.err().contains("it is a file, not a directory"), demo.err());
  }

  /**
   * A server that labels skills but refuses every other request (generation, solving) with
   * {@code status}, so a run starts and then fails in its first iteration; counts the refusals.
   */
  private static HttpServer refusing(int status, AtomicLong refused) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext("/v1/chat/completions", ex -> {
      JsonNode request = Json.mapper().readTree(ex.getRequestBody());
      byte[] body;
      int code;
      if (request.toString().contains("Which mathematical skills")) {
        code = 200;
        StringBuilder choices = new StringBuilder();
        for (int i = 0; i < request.path("n").asInt(1); i++) {
          choices.append(i == 0 ? "" : ",").append("{\"index\": ").append(i).append(", \"finish_reason\": \"stop\","
              + " \"message\": {\"role\": \"assistant\", \"content\": \"addition\\narithmetic\"}}");
        }
        body = ("{\"id\": \"x\", \"object\": \"chat.completion\", \"choices\": [" + choices + "]}")
            .getBytes(StandardCharsets.UTF_8);
      } else {
        refused.incrementAndGet();
        code = status;
        body = "{\"error\": {\"message\": \"model 'nope' does not exist\"}}".getBytes(StandardCharsets.UTF_8);
      }
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(code, body.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(body);
      }
    });
    s.setExecutor(Executors.newFixedThreadPool(4));
    s.start();
    return s;
  }

  @Test
  void aModelBackendThatFailsHasItsOwnExitStatus() throws IOException {
    AtomicLong refused = new AtomicLong();
    HttpServer server = refusing(404, refused);
    try {
      FakeMathServer.writeAdditionSeeds(tmp.resolve("seeds.jsonl"), 4, 2);
      for (String mode : new String[] {"sync", "async"}) {
        Path cfg = tmp.resolve(mode + ".yaml");
        Files.writeString(cfg, """
            backend: {type: openai, endpoints: ["http://127.0.0.1:%d/v1"], model: nope}
            seeds: {format: jsonl, path: seeds.jsonl}
            k: 2
            batchSize: 2
            budget: {iterations: 1}
            output: run-%s
            engine: {mode: %s}
            """.formatted(server.getAddress().getPort(), mode, mode));
        long before = refused.get();
        CliTestSupport.Result r = sparq("run", "-c", cfg.toString(), "--progress", "none");
        assertEquals(SparqCli.EXIT_MODEL_FAILED, r.status(), mode + ": " + r.out() + r.err());
        assertEquals(3, r.status());
        assertTrue(r.err().startsWith("sparq: the model backend failed: "), r.err());
        assertTrue(r.err().contains("HTTP 404"), r.err());
        assertFalse(r.err().contains("unexpected failure"), r.err());
        assertTrue(refused.get() > before, "the run got as far as its first generation");
        Path dir = tmp.resolve("run-" + mode);
        assertTrue(!Files.exists(dir) || Files.exists(dir.resolve(RunDirectory.CHECKPOINT)),
            "nothing is left behind, or a run directory that sparq resume continues");
      }
    } finally {
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
  }
}
