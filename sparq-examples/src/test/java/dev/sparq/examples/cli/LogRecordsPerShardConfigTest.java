package dev.sparq.examples.cli;

import static dev.sparq.examples.cli.CliTestSupport.sparq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run.yaml's {@code logRecordsPerShard} reaches the candidate log (a new shard after the batch that
 * reaches it), is recorded in run.json so a resume keeps it, is validated naming file and key, and
 * {@code sparq resume --log-records-per-shard N} lowers it for a run whose shard hit a file-size
 * limit: the resumed records go into a new shard and the full one is not written again.
 */
class LogRecordsPerShardConfigTest {
  private static final int BATCH = 8;

  @TempDir
  Path tmp;

  private Path config(String name, String extra) throws IOException {
    return Files.writeString(tmp.resolve(name + ".yaml"), """
        backend: {type: demo}
        seeds: {format: demo, limit: 40}
        batchSize: %d
        k: 4
        budget: {iterations: 4}
        output: %s
        %s
        """.formatted(BATCH, name, extra));
  }

  private Path run(String name, String extra) throws IOException {
    CliTestSupport.Result r = sparq("run", "--config", config(name, extra).toString(), "--progress", "none",
        "--no-report");
    assertEquals(0, r.status(), r.out() + r.err());
    return tmp.resolve(name);
  }

  /** The line counts of the log's shards, in order. */
  private static List<Long> shardLines(Path dir) throws IOException {
    List<Long> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir.resolve("log"))) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith("candidates-")).sorted().toList()) {
        try (Stream<String> lines = Files.lines(p)) {
          out.add(lines.count());
        }
      }
    }
    return out;
  }

  private static JsonNode manifestConfig(Path dir) throws IOException {
    return Json.mapper().readTree(dir.resolve("run.json").toFile()).path("config");
  }

  @Test
  void theKeySplitsTheLogAndIsKeptByAResume() throws IOException {
    Path dir = run("small", "logRecordsPerShard: 10");
    List<Long> lines = shardLines(dir);
    assertTrue(lines.size() >= 2, "a log of more than 10 records is split: " + lines);
    // every shard but the last ends with the batch that reached 10 records
    for (long n : lines.subList(0, lines.size() - 1)) {
      assertTrue(n >= 10 && n < 10 + BATCH, lines.toString());
    }
    assertEquals(10, manifestConfig(dir).path("logRecordsPerShard").asLong(), manifestConfig(dir).toString());
    CliTestSupport.Result r = sparq("resume", dir.toString(), "--iterations", "8", "--progress", "none", "--no-report");
    assertEquals(0, r.status(), r.err());
    List<Long> after = shardLines(dir);
    assertTrue(after.size() > lines.size(), "the resume kept 10 records per shard: " + after);
    for (long n : after.subList(0, after.size() - 1)) {
      assertTrue(n >= 10 && n < 10 + BATCH, after.toString());
    }
    // without the key: the library's default, one shard, and nothing extra in run.json
    Path plain = run("plain", "");
    assertEquals(dev.sparq.core.store.LogOptions.defaults().recordsPerShard(), RunConfig.DEFAULT_LOG_RECORDS_PER_SHARD);
    assertEquals(1, shardLines(plain).size());
    assertTrue(manifestConfig(plain).path("logRecordsPerShard").isMissingNode(), manifestConfig(plain).toString());
  }

  @Test
  void aResumeWithFewerRecordsPerShardContinuesInANewShard() throws IOException {
    // what a run stopped by "File too large" needs: its shard is at the limit, the resume must not
    // append to it
    Path dir = run("big", "");
    List<Long> before = shardLines(dir);
    assertEquals(1, before.size());
    Path first = dir.resolve("log/candidates-000000.jsonl");
    byte[] full = Files.readAllBytes(first);
    CliTestSupport.Result r = sparq("resume", dir.toString(), "--iterations", "6", "--log-records-per-shard", "5",
        "--progress", "none", "--no-report");
    assertEquals(0, r.status(), r.err());
    assertArrayEquals(full, Files.readAllBytes(first), "the full shard is not written to again");
    List<Long> after = shardLines(dir);
    assertTrue(after.size() >= 2 && after.get(0).equals(before.get(0)), after.toString());
    assertEquals(5, manifestConfig(dir).path("logRecordsPerShard").asLong(), "saved into run.json");
    // the log reads back whole: the export sees every record
    CliTestSupport.Result inspect = sparq("inspect", dir.toString());
    assertEquals(0, inspect.status(), inspect.err());
    assertTrue(inspect.out().contains("checkpoint at iteration 6"), inspect.out());
    assertEquals(0, sparq("export", dir.toString()).status());

    CliTestSupport.Result zero = sparq("resume", dir.toString(), "--iterations", "7", "--log-records-per-shard", "0",
        "--progress", "none", "--no-report");
    assertEquals(2, zero.status(), zero.out());
    assertTrue(zero.err().contains("log-records-per-shard") && zero.err().contains("must be >= 1, was 0"), zero.err());
    assertEquals(after, shardLines(dir), "a refused resume wrote nothing");
  }

  @Test
  void aValueBelowOneOrNotAWholeNumberIsRefusedNamingFileAndKey() throws IOException {
    for (String bad : List.of("0", "-3", "2.5", "many")) {
      Path cfg = config("bad", "logRecordsPerShard: " + bad);
      CliTestSupport.Result r = sparq("run", "--config", cfg.toString(), "--progress", "none", "--no-report");
      assertEquals(2, r.status(), bad + ": " + r.out() + r.err());
      assertTrue(r.err().contains(cfg + ": key 'logRecordsPerShard': must be "), bad + ": " + r.err());
      assertFalse(Files.exists(tmp.resolve("bad/log")), "refused before the run started");
    }
  }

  @Test
  void theSchemaDescribesTheKey() throws IOException {
    CliTestSupport.Result r = sparq("config", "--schema");
    assertEquals(0, r.status(), r.err());
    JsonNode key = Json.mapper().readTree(r.out()).path("properties").path("logRecordsPerShard");
    assertEquals("integer", key.path("type").asText(), key.toString());
    assertEquals(1, key.path("minimum").asLong(), key.toString());
    assertTrue(key.path("description").asText().contains("ulimit -f"), key.toString());
  }
}
