package dev.sparq.examples.cli;

import static dev.sparq.examples.cli.CliTestSupport.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sparq-examples/configs/paper.yaml, the paper's setup, runs against two loopback servers: server A
 * plays the 27B generator, server B the 9B student and labeller. Only the endpoints, the seed path
 * and the iteration budget are changed; K = 16, band, M = 100, three skills, batch 64 and static
 * uniform are the file's.
 */
class PaperConfigTest {
  @TempDir
  Path tmp;

  static Path paperYaml() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("sparq-examples/configs/paper.yaml"))) {
      p = p.getParent();
    }
    return p.resolve("sparq-examples/configs/paper.yaml");
  }

  @Test
  void thePaperSetupExplainsItsCostPerIteration() throws IOException {
    RunConfig c = RunConfig.load(paperYaml());
    assertEquals(List.of(16, 64), List.of(c.k(), c.batchSize()));
    assertEquals(List.of(100, 3), List.of(c.stages().descriptor().vocabulary(), c.stages().descriptor().skillsPerProblem()));
    assertEquals("gemma-2-27b-it", c.model("generator").orElseThrow().model().replace("google/", ""));
    assertEquals("gemma-2-9b-it", c.model("solver").orElseThrow().model().replace("google/", ""));
    ConfigExplain.PerIteration p = ConfigExplain.perIteration(c);
    assertEquals(List.of(64L, 1024L, 1024L, 64L, 0L), List.of(p.generation(), p.rolloutsMin(), p.rolloutsMax(),
        p.labellerMax(), p.resolveMax()));
    assertEquals(64L * 2048 + 1024L * 2048 + 64L * 64, p.completionTokensMax());
    CliTestSupport.Result r = sparq("config", "--explain", paperYaml().toString());
    assertEquals(0, r.status(), r.err());
    // the excerpt configuration.md shows is what the command prints
    String page = Files.readString(paperYaml().getParent().getParent().getParent().resolve("src-docs/configuration.md"));
    String shown = page.substring(page.indexOf("# Models by role"), page.indexOf("```", page.indexOf("# Models by role")));
    for (String line : shown.strip().split("\n")) {
      assertTrue(r.out().contains(line), "explain prints '" + line + "':\n" + r.out());
    }
    assertTrue(r.out().contains("preset: static_uniform") && r.out().contains("k: 16"), r.out());
    assertTrue(r.out().contains("policy: keep"), "defaults are filled in: " + r.out());
  }

  @Test
  void adaptiveExplainGivesTheRange() throws IOException {
    Path f = Files.writeString(tmp.resolve("a.yaml"), """
        backend: {type: openai, model: m, endpoints: [http://127.0.0.1:9/v1], maxTokens: 100}
        seeds: {format: jsonl, path: s.jsonl}
        k: 16
        batchSize: 10
        estimator: {type: adaptive, maxRollouts: 12, initialRollouts: 4}
        guard: {policy: resolve}
        descriptor: {type: embedding, embedding: {model: e}}
        budget: {iterations: 1}
        output: o
        """);
    ConfigExplain.PerIteration p = ConfigExplain.perIteration(RunConfig.load(f));
    assertEquals(List.of(10L, 40L, 120L, 0L, 30L), List.of(p.generation(), p.rolloutsMin(), p.rolloutsMax(),
        p.labellerMax(), p.resolveMax()));
    assertEquals(10L * 100 + 120L * 100 + 30L * 100, p.completionTokensMax());
    assertTrue(ConfigExplain.explain(RunConfig.load(f)).contains("solver rollouts: 40 to 120"));
  }

  @Test
  void runsAgainstTwoServersOneForEachRole() throws IOException {
    try (FakeMathServer a = new FakeMathServer(); FakeMathServer b = new FakeMathServer()) {
      StringBuilder seeds = new StringBuilder();
      for (int i = 1; i <= 24; i++) {
        seeds.append("{\"problem\": \"What is ").append(i).append(" + ").append(i + 5)
            .append("?\", \"solution\": \"It is \\\\boxed{").append(2 * i + 5)
            .append("}.\", \"level\": \"Level 1\", \"type\": \"Prealgebra\"}\n");
      }
      Files.writeString(tmp.resolve("train.jsonl"), seeds);
      String yaml = Files.readString(paperYaml())
          .replace("http://gen-host:8000/v1", a.baseUrl())
          .replace("http://student-host:8000/v1", b.baseUrl())
          .replace("path: MATH/train", "path: train.jsonl")
          .replace("iterations: 100", "iterations: 1");
      Path cfg = Files.writeString(tmp.resolve("paper.yaml"), yaml);
      CliTestSupport.Result r = sparq("run", "--config", cfg.toString(), "--progress", "none");
      assertEquals(0, r.status(), r.out() + r.err());
      assertEquals(Map.of("generate", Set.of("google/gemma-2-27b-it")), a.models, "server A: generator only");
      assertEquals(Map.of("solve", Set.of("google/gemma-2-9b-it"), "label", Set.of("google/gemma-2-9b-it")), b.models,
          "server B: student and labeller only");
      assertEquals(64, a.generate.get(), "one generation per parent of the batch of 64");
      assertTrue(b.solve.get() > 0 && b.label.get() >= 24, b.solve.get() + " solves, " + b.label.get() + " labels");
      JsonNode runtime = Json.mapper().readTree(tmp.resolve("runs/paper/run.json").toFile()).path("runtime");
      assertEquals(2, runtime.path("models").size(), runtime.toString());
      assertEquals("[\"generator\"]", runtime.path("models").get(0).path("roles").toString());
      assertEquals("[\"solver\",\"labeller\"]", runtime.path("models").get(1).path("roles").toString());
      JsonNode cp = Json.mapper().readTree(tmp.resolve("runs/paper/checkpoint.json").toFile());
      assertTrue(cp.toString().contains("\"rollouts\":16") || r.out().contains("K 16"), r.out());
    }
  }
}
