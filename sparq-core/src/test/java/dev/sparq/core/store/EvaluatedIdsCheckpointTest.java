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
import dev.sparq.core.internal.Json;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Validity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluated problem ids of a checkpoint ({@code state.evaluated}): compact, read back exactly,
 * older checkpoints still resume, and writer and reader agree on the size limit.
 */
class EvaluatedIdsCheckpointTest {
  @TempDir Path tmp;

  private static final RunStats TOTALS = new RunStats(3, 12, 10, 9, 40, 2, Map.of("NEW", 2L),
      Map.of(), 0, 0);

  /** {@code n} evaluations as a run produces them: K = 16, labels from 500 sets, a few other ids. */
  private static LinkedHashMap<String, EngineState.Evaluated> evaluations(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    LinkedHashMap<String, EngineState.Evaluated> m = new LinkedHashMap<>();
    while (m.size() < n) {
      String id = m.size() % 1000 == 7 ? "seed-" + r.nextInt(1_000_000)
          : String.format("%016x", r.nextLong());
      int correct = r.nextInt(17);
      Difficulty d = new Difficulty(correct, 16, correct == 0 || correct == 16 ? 0 : 1 - correct / 16.0,
          r.nextInt(10) == 0 ? Validity.DISPUTED : Validity.VALID);
      int set = r.nextInt(500);
      Descriptor s = m.size() % 50 == 3 ? Descriptor.ofMeasures(r.nextDouble(), -0.0)
          : Descriptor.ofLabels("skill_" + set % 7, "skill_" + set % 11 + "x", "skill_" + set);
      m.put(id, new EngineState.Evaluated(d, s));
    }
    return m;
  }

  private static Checkpoint checkpoint(Map<String, EngineState.Evaluated> evaluated) {
    return new Checkpoint(new EngineState(7, TOTALS, evaluated, 0), new LogPosition(0, 0, 0, 0),
        CellArchive.categorical(2), Map.of());
  }

  @Test
  void manyEvaluatedIdsRoundTripCompactlyAndInIdOrder() throws IOException {
    LinkedHashMap<String, EngineState.Evaluated> evaluated = evaluations(200_000, 1);
    Path file = tmp.resolve("checkpoint.json");
    checkpoint(evaluated).write(file);
    Checkpoint back = Checkpoint.read(file);
    assertEquals(evaluated.size(), back.state().evaluated().size());
    assertEquals(evaluated, back.state().evaluated());
    evaluated.forEach((id, e) -> assertEquals(e, back.state().evaluated().get(id), id));
    List<String> ids = new ArrayList<>(back.state().evaluated().keySet());
    List<String> sorted = new ArrayList<>(ids);
    Collections.sort(sorted);
    assertEquals(sorted, ids, "iterated in id order");

    long bytes = Files.size(file);
    assertTrue(bytes < 40L * evaluated.size(), bytes / evaluated.size() + " bytes per id");
    // the tree parser and the streamed reader agree, and the bytes are those of toJson()
    byte[] written = Files.readAllBytes(file);
    assertArrayEquals(Json.mapper().writeValueAsBytes(checkpoint(evaluated).toJson()), written);
    assertEquals(evaluated, Checkpoint.fromJson(Json.mapper().readTree(written), file)
        .state().evaluated());
  }

  @Test
  void theBytesDependOnlyOnTheContent() throws IOException {
    LinkedHashMap<String, EngineState.Evaluated> evaluated = evaluations(5_000, 2);
    List<String> keys = new ArrayList<>(evaluated.keySet());
    Collections.shuffle(keys, new java.util.Random(3));
    LinkedHashMap<String, EngineState.Evaluated> shuffled = new LinkedHashMap<>();
    keys.forEach(k -> shuffled.put(k, evaluated.get(k)));
    java.io.ByteArrayOutputStream a = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    checkpoint(evaluated).writeTo(a);
    checkpoint(shuffled).writeTo(b);
    assertArrayEquals(a.toByteArray(), b.toByteArray());
  }

  /** The entries in the form written before the compact one: an object per id. */
  private static ObjectNode oldForm(Map<String, EngineState.Evaluated> evaluated) {
    ObjectNode o = Json.mapper().createObjectNode();
    new java.util.TreeMap<>(evaluated).forEach((id, e) -> o.set(id, Json.mapper().valueToTree(e)));
    return o;
  }

  @Test
  void aCheckpointWithTheOlderFormIsRead() throws IOException {
    LinkedHashMap<String, EngineState.Evaluated> evaluated = evaluations(3_000, 4);
    ObjectNode doc = checkpoint(evaluated).toJson();
    ((ObjectNode) doc.get("state")).set("evaluated", oldForm(evaluated));
    Path file = tmp.resolve("old.json");
    Files.write(file, Json.mapper().writeValueAsBytes(doc));
    assertEquals(evaluated, Checkpoint.read(file).state().evaluated());
    assertEquals(evaluated, Checkpoint.fromJson(doc, file).state().evaluated());
    // without the field at all (checkpoints from before duplicates were tracked)
    ((ObjectNode) doc.get("state")).remove("evaluated");
    Files.write(file, Json.mapper().writeValueAsBytes(doc));
    assertTrue(Checkpoint.read(file).state().evaluated().isEmpty());
  }

  @Test
  void aRunCheckpointedInTheOlderFormResumesExactlyLikeAnUninterruptedRun() throws IOException {
    Path whole = tmp.resolve("whole");
    RunStats wholeTotals;
    String wholeArchive;
    try (SparqRun run = SparqRun.builder(whole, RunFixtures.engine(20)).checkpointEvery(5).open()) {
      wholeTotals = run.run();
      wholeArchive = ArchiveJson.toJson((CellArchive) run.engine().archive());
    }
    Path parts = tmp.resolve("parts");
    try (SparqRun run = SparqRun.builder(parts, RunFixtures.engine(20)).checkpointEvery(5).open()) {
      for (int i = 0; i < 10; i++) {
        run.engine().step();
      }
    }
    // rewrite the checkpoint as the previous version wrote it
    Path cpFile = parts.resolve(SparqRun.CHECKPOINT);
    ObjectNode doc = (ObjectNode) Json.mapper().readTree(cpFile.toFile());
    Map<String, EngineState.Evaluated> saved = SparqRun.readCheckpoint(parts).state().evaluated();
    assertFalse(saved.isEmpty());
    assertEquals("table", doc.path("state").path("evaluated").path("encoding").asText());
    ((ObjectNode) doc.get("state")).set("evaluated", oldForm(saved));
    Files.write(cpFile, Json.mapper().writeValueAsBytes(doc));
    try (SparqRun run = SparqRun.builder(parts, RunFixtures.engine(20)).checkpointEvery(5).open()) {
      assertTrue(run.resumed());
      assertEquals(wholeTotals, run.run());
      assertEquals(wholeArchive, ArchiveJson.toJson((CellArchive) run.engine().archive()));
    }
    assertEquals(SparqRunTest.logLines(whole), SparqRunTest.logLines(parts));
    assertArrayEquals(Files.readAllBytes(whole.resolve(SparqRun.CHECKPOINT)),
        Files.readAllBytes(parts.resolve(SparqRun.CHECKPOINT)), "rewritten in the compact form");
  }

  @Test
  void writerAndReaderAgreeOnTheLimit() throws IOException {
    Checkpoint cp = checkpoint(evaluations(2_000, 5));
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    cp.writeTo(bytes);
    long size = bytes.size();
    Path file = tmp.resolve("limit").resolve("checkpoint.json");
    Files.createDirectories(file.getParent());
    Checkpoint previous = checkpoint(Map.of());
    previous.write(file);
    byte[] before = Files.readAllBytes(file);

    SparqException e = assertThrows(SparqException.class, () -> cp.write(file, size - 1));
    assertTrue(e.getMessage().contains("Checkpoint.MAX_BYTES"), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(file), "the previous checkpoint is kept");
    try (var s = Files.list(file.getParent())) {
      assertEquals(1, s.count(), "no temporary file left");
    }

    cp.write(file, size); // exactly at the limit: written, and read back under the same limit
    assertEquals(size, Files.size(file));
    assertEquals(cp.state(), Checkpoint.read(file, size).state());
    assertThrows(DataException.class, () -> Checkpoint.read(file, size - 1));
  }

  @Test
  void editedCompactEntriesAreRefusedNamingTheField() throws IOException {
    ObjectNode doc = checkpoint(evaluations(10, 6)).toJson();
    ObjectNode ev = (ObjectNode) doc.get("state").get("evaluated");
    String id = ev.get("ids").fieldNames().next();
    for (JsonNode bad : new JsonNode[] {Json.mapper().readTree("[0, 999999]"),
        Json.mapper().readTree("[-1, 0]"), Json.mapper().readTree("\"x\""),
        Json.mapper().readTree("[0]")}) {
      ((ObjectNode) ev.get("ids")).set(id, bad);
      Path file = tmp.resolve("bad.json");
      Files.write(file, Json.mapper().writeValueAsBytes(doc));
      DataException e = assertThrows(DataException.class, () -> Checkpoint.read(file));
      assertTrue(e.getMessage().contains("state.evaluated"), e.getMessage());
      assertTrue(e.getMessage().contains(id), e.getMessage());
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
    ev.put("encoding", "zip");
    Path file = tmp.resolve("enc.json");
    Files.write(file, Json.mapper().writeValueAsBytes(doc));
    assertTrue(assertThrows(DataException.class, () -> Checkpoint.read(file)).getMessage()
        .contains("encoding"));
  }
}
