package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.export.ExportFormat;
import dev.sparq.core.export.ExportReport;
import dev.sparq.core.export.Exporter;
import dev.sparq.core.internal.Json;
import dev.sparq.core.model.AddStatus;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.model.Validity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LogOptions#withRolloutTexts}: which texts are kept, and that nothing else changes. */
class RolloutTextsTest {
  @TempDir Path tmp;

  /** Three rollouts, the first and third correct. */
  private static EvaluatedCandidate candidate(double quality) {
    List<Rollout> rs = List.of(new Rollout("right \\boxed{4}", "4", true, 9),
        new Rollout("wrong \\boxed{5}", "5", false, 8), new Rollout("also \\boxed{4}", "4", true, 7));
    return new EvaluatedCandidate(3, Problem.of("What is 2 + 2?", "\\boxed{4}", "4"), rs,
        new Difficulty(2, 3, quality, Validity.VALID), Descriptor.ofLabels("arithmetic"),
        AddStatus.NEW, quality);
  }

  private static String line(EvaluatedCandidate c, RolloutTexts texts) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LogCodec.write(7, c, out, texts);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static List<String> texts(String line) throws IOException {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    for (Rollout r : LogCodec.read(b, 0, b.length).candidate().rollouts()) {
      out.add(r.text());
    }
    return out;
  }

  @Test
  void eachSettingKeepsItsTextsAndEveryRolloutsAnswer() throws IOException {
    EvaluatedCandidate inBand = candidate(1.0 / 3);
    EvaluatedCandidate zero = candidate(0.0);
    ByteArrayOutputStream old = new ByteArrayOutputStream();
    LogCodec.write(7, inBand, old);
    assertEquals(old.toString(StandardCharsets.UTF_8), line(inBand, RolloutTexts.ALL),
        "ALL writes the records of earlier versions");
    assertFalse(line(inBand, RolloutTexts.ALL).contains("texts_dropped"));

    List<String> all = List.of("right \\boxed{4}", "wrong \\boxed{5}", "also \\boxed{4}");
    List<String> correctOnly = List.of("right \\boxed{4}", "", "also \\boxed{4}");
    assertEquals(all, texts(line(inBand, RolloutTexts.ALL)));
    assertEquals(correctOnly, texts(line(inBand, RolloutTexts.CORRECT)));
    assertEquals(correctOnly, texts(line(zero, RolloutTexts.CORRECT)));
    assertEquals(correctOnly, texts(line(inBand, RolloutTexts.EXPORTABLE)));
    assertEquals(List.of("", "", ""), texts(line(zero, RolloutTexts.EXPORTABLE)));
    assertEquals(List.of("", "", ""), texts(line(inBand, RolloutTexts.NONE)));

    JsonNode rec = Json.mapper().readTree(line(zero, RolloutTexts.EXPORTABLE));
    assertEquals(3, rec.get("texts_dropped").asInt());
    assertEquals(1, Json.mapper().readTree(line(inBand, RolloutTexts.CORRECT))
        .get("texts_dropped").asInt());
    // answers, verdicts and token counts stay, whatever the texts
    for (RolloutTexts t : RolloutTexts.values()) {
      byte[] b = line(inBand, t).getBytes(StandardCharsets.UTF_8);
      EvaluatedCandidate back = LogCodec.read(b, 0, b.length).candidate();
      for (int i = 0; i < 3; i++) {
        Rollout want = inBand.rollouts().get(i);
        Rollout got = back.rollouts().get(i);
        assertEquals(want.answer(), got.answer(), t.name());
        assertEquals(want.correct(), got.correct(), t.name());
        assertEquals(want.tokens(), got.tokens(), t.name());
      }
      assertEquals(inBand.difficulty(), back.difficulty(), t.name());
      assertEquals(inBand.problem(), back.problem(), t.name());
    }
  }

  private static Path run(Path dir, RolloutTexts texts) {
    try (SparqRun run = SparqRun.builder(dir, RunFixtures.engine(12)).checkpointEvery(4)
        .logOptions(LogOptions.defaults().withRolloutTexts(texts)).open()) {
      run.run();
    }
    return dir;
  }

  private static ExportReport export(Path dir, String name) {
    return Exporter.builder().log(dir.resolve(SparqRun.LOG)).output(dir.resolve(name))
        .format(ExportFormat.MESSAGES).seed(3).build().run();
  }

  @Test
  void exportableLogIsSmallerAndExportsTheSameDataAndTheRunTheSameArchive() throws IOException {
    Path all = run(tmp.resolve("all"), RolloutTexts.ALL);
    Path exportable = run(tmp.resolve("exportable"), RolloutTexts.EXPORTABLE);
    Path none = run(tmp.resolve("none"), RolloutTexts.NONE);

    // the run itself does not depend on what the log keeps
    assertEquals(ArchiveJson.toJson(SparqRun.readCheckpoint(all).archive()),
        ArchiveJson.toJson(SparqRun.readCheckpoint(exportable).archive()));
    assertEquals(SparqRun.readCheckpoint(all).state(), SparqRun.readCheckpoint(none).state());

    long allBytes = Files.size(LogFiles.shard(all.resolve(SparqRun.LOG), 0, false));
    long exportableBytes = Files.size(LogFiles.shard(exportable.resolve(SparqRun.LOG), 0, false));
    assertTrue(exportableBytes < allBytes, exportableBytes + " vs " + allBytes);

    // records agree except for the texts not kept
    try (LogReader a = LogReader.open(all.resolve(SparqRun.LOG));
        LogReader e = LogReader.open(exportable.resolve(SparqRun.LOG))) {
      int dropped = 0;
      while (a.hasNext()) {
        EvaluatedCandidate x = a.next().candidate();
        EvaluatedCandidate y = e.next().candidate();
        assertEquals(x.problem(), y.problem());
        assertEquals(x.difficulty(), y.difficulty());
        assertEquals(x.rollouts().size(), y.rollouts().size());
        for (int i = 0; i < x.rollouts().size(); i++) {
          Rollout rx = x.rollouts().get(i);
          Rollout ry = y.rollouts().get(i);
          boolean kept = rx.correct() && x.difficulty().quality() > 0;
          assertEquals(kept ? rx.text() : "", ry.text());
          assertEquals(rx.answer(), ry.answer());
          dropped += kept ? 0 : 1;
        }
      }
      assertFalse(e.hasNext());
      assertTrue(dropped > 0);
    }

    // the exporter gets exactly the same training data from the smaller log
    ExportReport fromAll = export(all, "out");
    ExportReport fromExportable = export(exportable, "out");
    assertTrue(fromAll.examplesWritten() > 0);
    assertEquals(fromAll.examplesWritten(), fromExportable.examplesWritten());
    assertArrayEquals(Files.readAllBytes(fromAll.data()), Files.readAllBytes(fromExportable.data()));
    assertEquals(fromAll.removed(), fromExportable.removed());

    // without texts nothing is exported, and the report says why
    ExportReport fromNone = export(none, "out");
    assertEquals(0, fromNone.examplesWritten());
    assertTrue(fromNone.removed().getOrDefault("rollout_text_not_logged", 0L) > 0, fromNone.removed()
        .toString());
  }

  @Test
  void resumingWithAnotherSettingContinuesTheSameRun() {
    Path dir = tmp.resolve("switch");
    try (SparqRun run = SparqRun.builder(dir, RunFixtures.engine(6)).open()) {
      run.run();
    }
    try (SparqRun run = SparqRun.builder(dir, RunFixtures.engine(12))
        .logOptions(LogOptions.defaults().withRolloutTexts(RolloutTexts.EXPORTABLE)).open()) {
      assertTrue(run.resumed());
      run.run();
    }
    Path straight = run(tmp.resolve("straight"), RolloutTexts.ALL);
    assertEquals(ArchiveJson.toJson(SparqRun.readCheckpoint(straight).archive()),
        ArchiveJson.toJson(SparqRun.readCheckpoint(dir).archive()));
    try (LogReader r = LogReader.open(dir.resolve(SparqRun.LOG))) {
      long n = 0;
      while (r.hasNext()) {
        assertEquals(n++, r.next().seq());
      }
      assertEquals(SparqRun.readCheckpoint(straight).log().records(), n);
    }
  }
}
