package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.Sparq;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparqRunTest {
  @TempDir Path tmp;

  static List<String> logLines(Path runDir) {
    try (LogReader r = LogReader.open(runDir.resolve(SparqRun.LOG))) {
      return r.stream().map(c -> c.seq() + ":" + c.candidate()).toList();
    }
  }

  @Test
  void interruptedAndResumedRunEndsExactlyLikeAnUninterruptedOne() throws IOException {
    Path whole = tmp.resolve("whole");
    RunStats wholeTotals;
    String wholeArchive;
    try (SparqRun run = SparqRun.builder(whole, RunFixtures.engine(30)).checkpointEvery(5).open()) {
      assertFalse(run.resumed());
      wholeTotals = run.run();
      wholeArchive = ArchiveJson.toJson((CellArchive) run.engine().archive());
    }

    Path parts = tmp.resolve("parts");
    // first part: 13 iterations, the last checkpoint is after iteration 10; then "crash"
    try (SparqRun run = SparqRun.builder(parts, RunFixtures.engine(30)).checkpointEvery(5).open()) {
      for (int i = 0; i < 13; i++) {
        run.engine().step();
      }
      run.log().flush(); // records of iterations 10..12 reach the disk but no checkpoint covers them
    }
    // a torn line as a crash in mid-write would leave
    Files.write(parts.resolve("log/candidates-000000.jsonl"),
        "{\"v\":1,\"seq\":99".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    Checkpoint cp = SparqRun.readCheckpoint(parts);
    assertEquals(10, cp.state().totals().iterations());
    try (SparqRun run = SparqRun.builder(parts, RunFixtures.engine(30)).checkpointEvery(5).open()) {
      assertTrue(run.resumed());
      assertEquals(10, run.engine().iteration());
      RunStats totals = run.run();
      assertEquals(wholeTotals, totals);
      assertEquals(wholeArchive, ArchiveJson.toJson((CellArchive) run.engine().archive()));
    }
    assertEquals(logLines(whole), logLines(parts), "same records, nothing duplicated or lost");
    assertEquals(wholeTotals.evaluated(), logLines(parts).size());
    assertEquals(Files.readAllBytes(whole.resolve("log/candidates-000000.jsonl")).length,
        Files.readAllBytes(parts.resolve("log/candidates-000000.jsonl")).length);
  }

  @Test
  void resumedGzipRunMatchesToo() {
    LogOptions gz = LogOptions.defaults().withGzip(true).withRecordsPerShard(100);
    Path whole = tmp.resolve("gz-whole");
    String wholeArchive;
    try (SparqRun run = SparqRun.builder(whole, RunFixtures.engine(20)).logOptions(gz)
        .checkpointEvery(3).open()) {
      run.run();
      wholeArchive = ArchiveJson.toJson((CellArchive) run.engine().archive());
    }
    Path parts = tmp.resolve("gz-parts");
    for (int stop : new int[] {4, 11, 20}) {
      try (SparqRun run = SparqRun.builder(parts, RunFixtures.engine(20)).logOptions(gz)
          .checkpointEvery(3).open()) {
        while (run.engine().iteration() < stop) {
          run.engine().step();
        }
        if (stop == 20) {
          run.checkpoint();
          assertEquals(wholeArchive, ArchiveJson.toJson((CellArchive) run.engine().archive()));
        }
      }
    }
    assertEquals(logLines(whole), logLines(parts));
  }

  @Test
  void checkpointSlotsAreSavedAndRestored() {
    AtomicInteger counter = new AtomicInteger();
    AtomicInteger restored = new AtomicInteger(-1);
    CheckpointSlot slot = new CheckpointSlot() {
      @Override
      public String name() {
        return "vocabulary";
      }

      @Override
      public JsonNode save() {
        return IntNode.valueOf(counter.incrementAndGet());
      }

      @Override
      public void restore(JsonNode state) {
        restored.set(state.intValue());
      }
    };
    Path dir = tmp.resolve("slots");
    try (SparqRun run = SparqRun.builder(dir, RunFixtures.engine(6)).checkpointEvery(2).slot(slot)
        .open()) {
      run.run();
    }
    // initial + after iterations 2, 4, 6 + final
    assertEquals(5, counter.get());
    assertEquals(5, SparqRun.readCheckpoint(dir).slots().get("vocabulary").intValue());
    try (SparqRun run = SparqRun.builder(dir, RunFixtures.engine(6)).slot(slot).open()) {
      assertEquals(5, restored.get());
      assertEquals(6, run.engine().iteration());
    }
  }

  @Test
  void checkpointJsonRoundTrips() {
    Path dir = tmp.resolve("cp");
    try (SparqRun run = SparqRun.builder(dir, RunFixtures.engine(4)).open()) {
      run.run();
    }
    Checkpoint cp = SparqRun.readCheckpoint(dir);
    assertEquals(4, cp.state().totals().iterations());
    assertEquals(cp.log().records(), cp.state().totals().evaluated());
    Checkpoint again = Checkpoint.fromJson(cp.toJson(), dir);
    assertEquals(cp.toJson(), again.toJson());
    assertNotEquals(0, cp.archive().size());
    assertFalse(Files.exists(dir.resolve(SparqRun.CHECKPOINT + ".tmp")));
  }

  @Test
  void streamedCheckpointHasTheBytesOfTheDocumentTree() throws IOException {
    // the checkpoint is streamed field by field; it must be exactly what serialising toJson() gives,
    // so checkpoints written before and after the change read alike
    Path dir = tmp.resolve("stream");
    CheckpointSlot slot = new CheckpointSlot() {
      @Override
      public String name() {
        return "extra";
      }

      @Override
      public JsonNode save() {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
            .put("b", 2.5).put("a", "x\ny \u00e9");
      }

      @Override
      public void restore(JsonNode state) {}
    };
    try (SparqRun run = SparqRun.builder(dir, RunFixtures.engine(5)).slot(slot).open()) {
      run.run();
    }
    byte[] written = Files.readAllBytes(dir.resolve(SparqRun.CHECKPOINT));
    Checkpoint cp = SparqRun.readCheckpoint(dir);
    assertFalse(cp.state().evaluated().isEmpty());
    assertFalse(cp.settings().isEmpty());
    assertNotEquals(0, cp.archive().size());
    byte[] tree = dev.sparq.core.internal.Json.mapper().writeValueAsBytes(cp.toJson());
    assertEquals(new String(tree, StandardCharsets.UTF_8), new String(written, StandardCharsets.UTF_8));
    java.io.ByteArrayOutputStream again = new java.io.ByteArrayOutputStream();
    cp.writeTo(again);
    assertEquals(new String(tree, StandardCharsets.UTF_8), again.toString(StandardCharsets.UTF_8));
  }

  @Test
  void freshEngineWithoutRunDirectoryGivesSameArchive() {
    // the run directory must not change what the engine computes
    String plain;
    try (Sparq s = RunFixtures.engine(12).build()) {
      s.run();
      plain = ArchiveJson.toJson((CellArchive) s.archive());
    }
    try (SparqRun run = SparqRun.builder(tmp.resolve("same"), RunFixtures.engine(12)).open()) {
      run.run();
      assertEquals(plain, ArchiveJson.toJson((CellArchive) run.engine().archive()));
    }
  }
}
