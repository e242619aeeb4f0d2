package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.DataException;
import dev.sparq.core.SparqException;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.engine.EngineState;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.internal.IoMessages;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint is untrusted input: edited positions and counts are refused naming file and field. */
class CheckpointValidationTest {
  @TempDir Path tmp;

  private static ObjectNode document() {
    CellArchive a = CellArchive.categorical(2);
    a.add(new Elite(new Problem("p1", "What is 1 + 1?", "", "", null, null), Difficulty.ofQuality(0.5),
        Descriptor.ofLabels("arithmetic"), 1));
    RunStats totals = new RunStats(3, 12, 10, 9, 40, 2, Map.of("NEW", 2L), Map.of("generate/x", 1L), 0, 0);
    return new Checkpoint(new EngineState(7, totals), new LogPosition(0, 120, 9, 9), a, Map.of()).toJson();
  }

  /**
   * The refusal of an edited document, checked to be the same whether the document is parsed as a
   * tree ({@link Checkpoint#fromJson}) or read from its file ({@link Checkpoint#read}, which streams
   * the archive).
   */
  private DataException refused(Consumer<ObjectNode> edit) {
    ObjectNode doc = document();
    edit.accept(doc);
    Path source = Path.of("run", "checkpoint.json");
    DataException fromTree = assertThrows(DataException.class, () -> Checkpoint.fromJson(doc, source));
    Path file = tmp.resolve("edited-" + Long.toHexString(System.nanoTime())).resolve("checkpoint.json");
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, dev.sparq.core.internal.Json.mapper().writeValueAsBytes(doc));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    DataException fromFile = assertThrows(DataException.class, () -> Checkpoint.read(file));
    assertEquals(fromTree.field(), fromFile.field(), fromFile.getMessage());
    assertEquals(fromTree.getMessage().replace(source.toString(), file.toString()), fromFile.getMessage());
    return fromTree;
  }

  @Test
  void aCheckpointFileReadsLikeItsDocument() throws java.io.IOException {
    ObjectNode doc = document();
    Path file = tmp.resolve("checkpoint.json");
    Files.write(file, dev.sparq.core.internal.Json.mapper().writeValueAsBytes(doc));
    assertEquals(Checkpoint.fromJson(doc, file).toJson(), Checkpoint.read(file).toJson());
    // without an archive (a custom archive keeps its state in a slot)
    doc.remove("archive");
    Files.write(file, dev.sparq.core.internal.Json.mapper().writeValueAsBytes(doc));
    assertEquals(null, Checkpoint.read(file).archive());
    // a document that is not a checkpoint is refused as before, even with an archive in it
    Files.writeString(file, "{\"archive\":{\"members\":[]},\"format\":\"other\"}");
    String m = assertThrows(SparqException.class, () -> Checkpoint.read(file)).getMessage();
    assertTrue(m.contains("not a SPARQ checkpoint"), m);
    Files.writeString(file, "");
    assertTrue(assertThrows(SparqException.class, () -> Checkpoint.read(file)).getMessage()
        .contains("not a SPARQ checkpoint"));
  }

  @Test
  void anOversizedGridInACheckpointFileIsRefusedNamingTheField() throws java.io.IOException {
    ObjectNode doc = document();
    ObjectNode grid = dev.sparq.core.internal.Json.mapper().createObjectNode();
    grid.put("type", "grid");
    grid.putArray("bins").add(2_000_000_000).add(1);
    grid.putArray("lower").add(0.0).add(0.0);
    grid.putArray("upper").add(1.0).add(1.0);
    obj(doc, "archive").set("tessellation", grid);
    DataException e = refused(d -> obj(d, "archive").set("tessellation", grid));
    assertEquals("archive.tessellation.bins", e.field().orElseThrow(), e.getMessage());
  }

  private static ObjectNode obj(JsonNode n, String... path) {
    JsonNode x = n;
    for (String p : path) {
      x = x.get(p);
    }
    return (ObjectNode) x;
  }

  private static ObjectNode difficulty(JsonNode doc) {
    return (ObjectNode) doc.get("archive").get("members").get(0).get("elite").get("difficulty");
  }

  @Test
  void negativeLogPositionsAndCountsAreRefusedNamingTheField() {
    Map<String, Consumer<ObjectNode>> edits = new LinkedHashMap<>();
    edits.put("log.offset", d -> obj(d, "log").put("offset", -5));
    edits.put("log.shard", d -> obj(d, "log").put("shard", -1));
    edits.put("log.records", d -> obj(d, "log").put("records", -1));
    edits.put("log.shardRecords", d -> obj(d, "log").put("shardRecords", -2));
    edits.put("state.totals.iterations", d -> obj(d, "state", "totals").put("iterations", -3));
    edits.put("state.totals.rollouts", d -> obj(d, "state", "totals").put("rollouts", -1));
    edits.put("state.totals.rejections.generate/x", d -> obj(d, "state", "totals", "rejections")
        .put("generate/x", -1));
    for (Map.Entry<String, Consumer<ObjectNode>> e : edits.entrySet()) {
      DataException ex = refused(e.getValue());
      assertEquals(e.getKey(), ex.field().orElseThrow(), ex.getMessage());
      assertTrue(ex.getMessage().startsWith(Path.of("run", "checkpoint.json") + ": field '" + e.getKey() + "': "
          + "must be a whole number >= 0"), ex.getMessage());
    }
    DataException more = refused(d -> obj(d, "log").put("shardRecords", 10));
    assertEquals("log.shardRecords", more.field().orElseThrow());
    // a stall counter below zero is refused by EngineState itself: the message names the field's
    // object and the problem, without Jackson's wording
    DataException stalled = refused(d -> obj(d, "state").put("stalled", -1));
    assertEquals("state", stalled.field().orElseThrow());
    assertTrue(stalled.getMessage().contains("stalled must be >= 0"), stalled.getMessage());
    assertFalse(IoMessages.describe(stalled).contains("Cannot construct"), IoMessages.describe(stalled));
  }

  @Test
  void badArchiveValuesNameTheCheckpointAndTheJsonPath() {
    DataException e = refused(d -> difficulty(d).put("quality", Double.POSITIVE_INFINITY));
    assertEquals("archive.members[0].elite.difficulty", e.field().orElseThrow(), e.getMessage());
    assertTrue(e.getMessage().contains("quality must be finite"), e.getMessage());
    String shown = IoMessages.describe(e);
    assertFalse(shown.contains("Cannot construct") || shown.contains("dev.sparq") || shown.contains("`"), shown);
    assertTrue(shown.startsWith(Path.of("run", "checkpoint.json") + ": field 'archive.members[0].elite.difficulty': "),
        shown);
    // a value of the wrong type: the path reaches the field itself
    DataException type = refused(d -> ((ObjectNode) d.get("archive").get("members").get(0)).put("rank", "first"));
    assertEquals("archive.members[0].rank", type.field().orElseThrow(), type.getMessage());
    assertFalse(IoMessages.describe(type).contains("dev.sparq"), IoMessages.describe(type));
    // engine state and log position too
    DataException log = refused(d -> obj(d, "log").put("offset", "far"));
    assertEquals("log.offset", log.field().orElseThrow(), log.getMessage());
    // the archive's own checks (well-formed but inconsistent) name the file and field 'archive'
    DataException capacity = refused(d -> obj(d, "archive").put("capacity", 0));
    assertEquals("archive", capacity.field().orElseThrow(), capacity.getMessage());
    // ArchiveJson used directly names the path too, without Jackson's wording
    ObjectNode doc = document();
    difficulty(doc).put("quality", Double.NEGATIVE_INFINITY);
    String m = assertThrows(SparqException.class, () -> ArchiveJson.fromJson(doc.get("archive").toString()))
        .getMessage();
    assertEquals("not a valid archive document: field 'members[0].elite.difficulty': quality must be finite,"
        + " was -Infinity", m);
  }

  @Test
  void aCraftedPositionLeavesEveryShardIntact() throws IOException {
    Path dir = tmp.resolve("log");
    LogOptions o = LogOptions.defaults().withRecordsPerShard(4);
    try (CandidateLog log = CandidateLog.create(dir, o)) {
      for (int it = 0; it < 3; it++) {
        log.accept(it, CandidateLogTest.batch(it, 4));
      }
    }
    List<Path> shards = LogFiles.shards(dir);
    assertTrue(shards.size() >= 3, shards.toString());
    List<byte[]> before = new java.util.ArrayList<>();
    for (Path p : shards) {
      before.add(Files.readAllBytes(p));
    }
    long size0 = before.get(0).length;
    for (LogPosition bad : List.of(new LogPosition(-1, 0, 0, 0), new LogPosition(0, -5, 0, 0),
        new LogPosition(0, 0, -1, 0), new LogPosition(0, size0 + 1, 4, 4), new LogPosition(1, 1L << 40, 4, 8))) {
      assertThrows(SparqException.class, () -> CandidateLog.resume(dir, o, bad).close(), bad.toString());
      assertEquals(shards, LogFiles.shards(dir), "no shard deleted for " + bad);
      for (int i = 0; i < shards.size(); i++) {
        assertArrayEquals(before.get(i), Files.readAllBytes(shards.get(i)), "shard " + i + " unchanged for " + bad);
      }
    }
  }
}
