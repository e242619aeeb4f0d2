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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run.yaml's {@code export} block reaches sparq-core's exporter through {@code sparq export DIR}:
 * the benchmark contamination check, the format and the file name (asserted on what is written).
 */
class ExportConfigTest {
  @TempDir
  Path tmp;

  @Test
  void theRunsExportBlockDrivesSparqExport() throws IOException {
    Path cfg = Files.writeString(tmp.resolve("run.yaml"), """
        backend: {type: demo}
        seeds: {format: demo, limit: 40}
        batchSize: 16
        k: 8
        budget: {iterations: 3}
        output: run
        export:
          format: alpaca
          name: clean
          benchmarks: [bench.jsonl]
          contaminationNgram: 4
          nearDuplicates: true
        """);
    CliTestSupport.Result r = sparq("run", "--config", cfg.toString(), "--progress", "none", "--no-report");
    assertEquals(0, r.status(), r.out() + r.err());
    // the benchmark holds the statements of the first three logged problems with quality > 0
    List<String> log = Files.readAllLines(tmp.resolve("run/log/candidates-000000.jsonl"));
    StringBuilder bench = new StringBuilder();
    int n = 0;
    for (String line : log) {
      JsonNode rec = Json.mapper().readTree(line);
      String text = rec.path("problem").asText();
      if (!text.isEmpty() && n < 3 && rec.path("quality").asDouble() > 0) {
        bench.append(Json.mapper().createObjectNode().put("problem", text)).append('\n');
        n++;
      }
    }
    assertEquals(3, n, "three problems with quality > 0 to plant in the benchmark");
    Files.writeString(tmp.resolve("bench.jsonl"), bench);

    CliTestSupport.Result e = sparq("export", tmp.resolve("run").toString());
    assertEquals(0, e.status(), e.out() + e.err());
    Path data = tmp.resolve("run/export/alpaca/clean.jsonl");
    assertTrue(Files.isRegularFile(data), e.out());
    assertTrue(Files.readAllLines(data).get(0).contains("\"instruction\""), "alpaca rows");
    JsonNode stats = Json.mapper().readTree(tmp.resolve("run/export/alpaca/stats.json").toFile());
    assertTrue(stats.path("contamination").path("bench.jsonl").asLong() >= 3, stats.toString());
    assertTrue(stats.path("removed").path("contaminated").asLong() >= 1, stats.toString());
    // an option on the command line wins over the block
    CliTestSupport.Result m = sparq("export", tmp.resolve("run").toString(), "--format", "messages");
    assertEquals(0, m.status(), m.err());
    assertTrue(Files.readAllLines(tmp.resolve("run/export/messages/clean.jsonl")).get(0).contains("\"messages\""));
  }
}
