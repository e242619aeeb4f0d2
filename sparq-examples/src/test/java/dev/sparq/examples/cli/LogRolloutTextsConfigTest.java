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
 * run.yaml's {@code logRolloutTexts} reaches the candidate log: with {@code exportable} only the texts
 * of correct rollouts of problems with quality &gt; 0 are written, the log is smaller, and
 * {@code sparq export} writes exactly what it writes from a log that keeps every text.
 */
class LogRolloutTextsConfigTest {
  @TempDir
  Path tmp;

  private Path run(String name, String extra) throws IOException {
    Path cfg = Files.writeString(tmp.resolve(name + ".yaml"), """
        backend: {type: demo}
        seeds: {format: demo, limit: 40}
        batchSize: 16
        k: 8
        budget: {iterations: 4}
        output: %s
        %s
        """.formatted(name, extra));
    CliTestSupport.Result r = sparq("run", "--config", cfg.toString(), "--progress", "none", "--no-report");
    assertEquals(0, r.status(), r.out() + r.err());
    CliTestSupport.Result e = sparq("export", tmp.resolve(name).toString());
    assertEquals(0, e.status(), e.out() + e.err());
    return tmp.resolve(name);
  }

  @Test
  void exportableKeepsWhatTheExportNeedsAndNothingElse() throws IOException {
    Path all = run("all", "");
    Path exportable = run("exportable", "logRolloutTexts: exportable");
    List<String> allLog = Files.readAllLines(all.resolve("log/candidates-000000.jsonl"));
    List<String> exLog = Files.readAllLines(exportable.resolve("log/candidates-000000.jsonl"));
    assertEquals(allLog.size(), exLog.size());
    long dropped = 0;
    for (int i = 0; i < allLog.size(); i++) {
      JsonNode a = Json.mapper().readTree(allLog.get(i));
      JsonNode x = Json.mapper().readTree(exLog.get(i));
      assertEquals(a.get("problem"), x.get("problem"));
      assertEquals(a.get("quality"), x.get("quality"));
      for (int j = 0; j < a.get("rollouts").size(); j++) {
        JsonNode ra = a.get("rollouts").get(j);
        JsonNode rx = x.get("rollouts").get(j);
        boolean kept = ra.get("correct").asBoolean() && a.get("quality").asDouble() > 0;
        assertEquals(kept ? ra.get("text").asText() : "", rx.get("text").asText());
        assertEquals(ra.get("answer"), rx.get("answer"));
      }
      dropped += x.path("texts_dropped").asLong();
    }
    assertTrue(dropped > 0, "some texts were dropped");
    assertTrue(Files.size(exportable.resolve("log/candidates-000000.jsonl"))
        < Files.size(all.resolve("log/candidates-000000.jsonl")));
    Path allData = all.resolve("export/messages/sparq.jsonl");
    assertTrue(Files.size(allData) > 0);
    assertEquals(Files.readString(allData), Files.readString(exportable.resolve("export/messages/sparq.jsonl")));
    // the setting is part of the run's recorded configuration, so a resume keeps it
    JsonNode manifest = Json.mapper().readTree(exportable.resolve("run.json").toFile());
    assertEquals("exportable", manifest.path("config").path("logRolloutTexts").asText(), manifest.toString());
  }

  @Test
  void anUnknownValueIsRefusedNamingTheKey() throws IOException {
    Path cfg = Files.writeString(tmp.resolve("bad.yaml"), """
        backend: {type: demo}
        seeds: {format: demo, limit: 40}
        budget: {iterations: 1}
        output: bad
        logRolloutTexts: some
        """);
    CliTestSupport.Result r = sparq("run", "--config", cfg.toString(), "--progress", "none", "--no-report");
    assertEquals(2, r.status(), r.out() + r.err());
    assertTrue(r.err().contains("logRolloutTexts"), r.err());
  }
}
