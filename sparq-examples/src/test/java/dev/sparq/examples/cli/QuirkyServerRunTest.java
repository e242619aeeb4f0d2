package dev.sparq.examples.cli;

import static dev.sparq.examples.cli.CliTestSupport.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sparq run} with backend {@code openai} against a server with every quirk of issue 14 at once
 * (root mount, 32-bit seeds, a bare 400 for {@code n > 2}, ignored stop strings, no usage, the prompt
 * counted in {@code max_tokens}, "stop" for cut output), configured with nothing but its URL and the
 * model name: the run completes its iterations.
 */
class QuirkyServerRunTest {
  @TempDir
  Path tmp;

  @Test
  void aRunCompletesAgainstAServerWithEveryQuirk() throws Exception {
    try (FakeMathServer server = new FakeMathServer(true)) {
      FakeMathServer.writeAdditionSeeds(tmp.resolve("seeds.jsonl"), 10, 3);
      Path cfg = tmp.resolve("run.yaml");
      Files.writeString(cfg, """
          backend:
            type: openai
            endpoints: ["%s"]
            model: quirky-math
          seeds: {format: jsonl, path: seeds.jsonl}
          archive: {capacity: 4}
          k: 8
          batchSize: 6
          budget: {iterations: 2}
          output: run
          seed: 3
          """.formatted(server.baseUrl()));
      CliTestSupport.Result r = sparq("run", "--config", cfg.toString(), "--progress", "none");
      assertEquals(0, r.status(), r.out() + r.err());
      RunDirectory dir = RunDirectory.open(tmp.resolve("run"));
      assertEquals(2, dir.readCheckpoint().orElseThrow().state().totals().iterations());
      assertEquals(0, server.seedRefusals.get(), "every seed fits an int32");
      assertTrue(server.nRefusals.get() > 0, "K = 8 was refused and halved to the server's limit");
      assertTrue(server.solve.get() > 0 && server.generate.get() > 0 && server.label.get() > 0);
    }
  }

  @Test
  void perEndpointSettingsFromRunYamlReachTheServer() throws Exception {
    try (FakeMathServer server = new FakeMathServer()) {
      StringBuilder seeds = new StringBuilder();
      for (int i = 1; i <= 6; i++) {
        seeds.append("{\"problem\": \"What is ").append(i).append(" + 2?\", \"solution\": \"\\\\boxed{")
            .append(i + 2).append("}\"}\n");
      }
      Files.writeString(tmp.resolve("seeds.jsonl"), seeds);
      Path cfg = tmp.resolve("run.yaml");
      Files.writeString(cfg, """
          backend:
            type: openai
            model: fake-math
            endpoints:
              - url: "%s"
                max_concurrency: 1
                timeout: 30
                extra_body: {x_cache_prompt: true}
          seeds: {format: jsonl, path: seeds.jsonl}
          k: 4
          batchSize: 6
          budget: {iterations: 1}
          output: run
          """.formatted(server.baseUrl()));
      CliTestSupport.Result r = sparq("run", "--config", cfg.toString(), "--progress", "none");
      assertEquals(0, r.status(), r.out() + r.err());
      assertEquals(1, server.inFlight.max(), "max_concurrency: 1 holds for the whole run");
      assertEquals(java.util.Set.of("x_cache_prompt=true"), server.extraFields);
      String runJson = Files.readString(tmp.resolve("run").resolve("run.json"));
      assertTrue(runJson.contains("\"max_concurrency\"") && runJson.contains("x_cache_prompt"), runJson);
    }
  }
}
