package dev.sparq.core.export;

import static dev.sparq.core.export.ExporterTest.cand;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.ConfigException;
import dev.sparq.core.internal.Json;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.store.CandidateLog;
import dev.sparq.core.store.LogOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Exporter.Builder#thinking(Thinking)}: a reasoning solver's rollout texts hold
 * {@code <think>…</think>answer}; the export keeps them, strips the thinking, or moves it to the
 * assistant message's {@code reasoning_content}.
 */
class ExportThinkingTest {
  @TempDir Path tmp;

  /** Two correct rollouts that thought differently but answered alike, one wrong, one plain. */
  static final String THOUGHT_A = "<think>\nAdd two and two.\n</think>\n\nSo 2+2 = \\boxed{4}.";
  static final String THOUGHT_B = "Count on from two: three, four.</think>\n\nSo 2+2 = \\boxed{4}.";
  static final String PLAIN = "2+2 is \\boxed{4}.";

  private Path log() {
    Path dir = tmp.resolve("log");
    List<Rollout> rs = List.of(Rollout.of(THOUGHT_A, "4", true), Rollout.of("<think>3?</think>5", "5",
        false), Rollout.of(THOUGHT_B, "4", true), Rollout.of(PLAIN, "4", true));
    try (CandidateLog log = CandidateLog.create(dir, LogOptions.defaults().withFsync(false))) {
      log.accept(0, List.of(cand("What is 2+2?", 0.5, rs, "add")));
    }
    return dir;
  }

  private static Exporter.Builder builder(Path log, Path out, ExportFormat f) {
    return Exporter.builder().log(log).output(out).format(f).fileFormat(FileFormat.JSONL);
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file, StandardCharsets.UTF_8);
  }

  private static String json(String s) {
    return Json.mapper().valueToTree(s).toString();
  }

  @Test
  void keepIsTheDefaultAndWritesTheStoredTextsByteForByte() throws IOException {
    Path log = log();
    ExportReport byDefault = builder(log, tmp.resolve("default"), ExportFormat.MESSAGES).build().run();
    ExportReport keep = builder(log, tmp.resolve("keep"), ExportFormat.MESSAGES)
        .thinking(Thinking.KEEP).build().run();
    List<String> expected = new ArrayList<>();
    for (String s : List.of(THOUGHT_A, THOUGHT_B, PLAIN)) {
      expected.add("{\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"},"
          + "{\"role\":\"assistant\",\"content\":" + json(s) + "}]}");
    }
    assertEquals(expected, lines(byDefault.data()));
    assertArrayEquals(Files.readAllBytes(byDefault.data()), Files.readAllBytes(keep.data()));
    assertEquals(Thinking.KEEP, byDefault.thinking());
    assertEquals("keep", stats(byDefault).get("thinking").asText());
    assertTrue(card(byDefault).contains("- Thinking: `keep` ("), card(byDefault));
  }

  @Test
  void stripWritesTheAnswerAndDeduplicatesOnIt() throws IOException {
    ExportReport r = builder(log(), tmp.resolve("strip"), ExportFormat.ALPACA)
        .thinking(Thinking.STRIP).build().run();
    // A and B differ only in their thinking: stripped, they are one text of the problem
    assertEquals(List.of(
        "{\"instruction\":\"What is 2+2?\",\"input\":\"\",\"output\":\"So 2+2 = \\\\boxed{4}.\"}",
        "{\"instruction\":\"What is 2+2?\",\"input\":\"\",\"output\":" + json(PLAIN) + "}"),
        lines(r.data()));
    assertEquals(2, r.candidateExamples());
    assertEquals("strip", stats(r).get("thinking").asText());
    assertTrue(card(r).contains("- Thinking: `strip` ("), card(r));
  }

  @Test
  void fieldMovesTheThinkingToReasoningContent() throws IOException {
    Path log = log();
    ExportReport r = builder(log, tmp.resolve("field"), ExportFormat.MESSAGES).systemPrompt("SYS")
        .thinking(Thinking.FIELD).build().run();
    String[][] rows = {{"Add two and two.", "So 2+2 = \\boxed{4}."},
        {"Count on from two: three, four.", "So 2+2 = \\boxed{4}."}, {"", PLAIN}};
    List<String> expected = new ArrayList<>();
    for (String[] row : rows) {
      expected.add("{\"messages\":[{\"role\":\"system\",\"content\":\"SYS\",\"reasoning_content\":\"\"},"
          + "{\"role\":\"user\",\"content\":\"What is 2+2?\",\"reasoning_content\":\"\"},"
          + "{\"role\":\"assistant\",\"content\":" + json(row[1]) + ",\"reasoning_content\":"
          + json(row[0]) + "}]}");
    }
    // duplicates are judged on the whole text: the two thoughts are two rows
    assertEquals(expected, lines(r.data()));
    assertEquals("field", stats(r).get("thinking").asText());
    assertTrue(card(r).contains("- Thinking: `field` ("), card(r));

    ExportReport pc = builder(log, tmp.resolve("pc"), ExportFormat.PROMPT_COMPLETION)
        .thinking(Thinking.FIELD).build().run();
    assertEquals("{\"prompt\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}],"
        + "\"completion\":[{\"role\":\"assistant\",\"content\":\"So 2+2 = \\\\boxed{4}.\","
        + "\"reasoning_content\":\"Add two and two.\"}]}", lines(pc.data()).get(0));
  }

  @Test
  void parquetCarriesTheReasoningColumnAsJsonLinesDoes() throws IOException {
    Path log = log();
    for (ExportFormat f : List.of(ExportFormat.MESSAGES, ExportFormat.PROMPT_COMPLETION)) {
      ExportReport jsonl = builder(log, tmp.resolve("j-" + f.id()), f).thinking(Thinking.FIELD)
          .build().run();
      ExportReport parquet = Exporter.builder().log(log).output(tmp.resolve("p-" + f.id())).format(f)
          .fileFormat(FileFormat.PARQUET).thinking(Thinking.FIELD).build().run();
      List<JsonNode> expected = new ArrayList<>();
      for (String line : lines(jsonl.data())) {
        expected.add(Json.mapper().readTree(line));
      }
      assertEquals(expected.toString(), ParquetExportTest.read(parquet.data()).toString(), f.id());
      assertTrue(expected.toString().contains("\"reasoning_content\":\"Add two and two.\""));
    }
  }

  @Test
  void referenceSolutionsHaveNoThinkingInAnyMode() throws IOException {
    Path log = log();
    for (Thinking t : Thinking.values()) {
      ExportReport r = builder(log, tmp.resolve("ref-" + t.id()), ExportFormat.PROMPT_COMPLETION)
          .referenceSolutions(true).thinking(t).build().run();
      assertEquals(List.of("{\"prompt\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}],"
          + "\"completion\":[{\"role\":\"assistant\",\"content\":\"REF solution\""
          + (t == Thinking.FIELD ? ",\"reasoning_content\":\"\"" : "") + "}]}"), lines(r.data()),
          t.id());
    }
  }

  @Test
  void aRolloutWithoutAnAnswerAfterItsThinkingIsWrittenOnlyByKeep() throws IOException {
    // a log graded before thinking was split off may hold an unfinished reply as correct
    Path dir = tmp.resolve("old-log");
    try (CandidateLog log = CandidateLog.create(dir, LogOptions.defaults().withFsync(false))) {
      log.accept(0, List.of(cand("Q", 0.5, List.of(Rollout.of("<think>\nmaybe \\boxed{4}", "4",
          true)), "x")));
    }
    assertEquals(1, builder(dir, tmp.resolve("k"), ExportFormat.ALPACA).build().run()
        .examplesWritten());
    for (Thinking t : List.of(Thinking.STRIP, Thinking.FIELD)) {
      ExportReport r = builder(dir, tmp.resolve(t.id()), ExportFormat.MESSAGES).thinking(t).build()
          .run();
      assertEquals(0, r.examplesWritten(), t.id());
      assertEquals(1L, r.removed().get("no_correct_rollout"), t.id());
    }
  }

  @Test
  void formatsWithoutAPlaceForTheModeAreRefusedNamingBoth() {
    for (ExportFormat f : ExportFormat.values()) {
      for (Thinking t : Thinking.values()) {
        Exporter.Builder b = builder(tmp.resolve("log"), tmp.resolve("x"), f).thinking(t);
        boolean ok = t == Thinking.KEEP || (t == Thinking.STRIP && !f.problemRows())
            || f == ExportFormat.MESSAGES || f == ExportFormat.PROMPT_COMPLETION;
        assertEquals(ok, t.supports(f), t + " " + f);
        if (ok) {
          b.build();
          continue;
        }
        ConfigException e = assertThrows(ConfigException.class, b::build, t + " " + f);
        assertTrue(e.getMessage().startsWith("key 'thinking': " + t.id() + " is not supported by format '"
            + f.id().replace('_', '-') + "'"), e.getMessage());
      }
    }
    assertFalse(Files.exists(tmp.resolve("x")), "a refused export writes nothing");
  }

  @Test
  void problemRowsSayNothingAboutThinkingInTheCard() throws IOException {
    ExportReport r = builder(log(), tmp.resolve("grpo"), ExportFormat.GRPO).build().run();
    assertFalse(card(r).contains("Thinking"), card(r));
    assertEquals("keep", stats(r).get("thinking").asText());
  }

  @Test
  void modesParseFromTheirCommandLineNames() {
    assertEquals(Thinking.FIELD, Thinking.of("FIELD"));
    assertEquals(Thinking.STRIP, Thinking.of("strip"));
    ConfigException e = assertThrows(ConfigException.class, () -> Thinking.of("drop"));
    assertEquals("key 'thinking': 'drop' is not allowed; allowed values: keep, strip, field",
        e.getMessage());
  }

  private static JsonNode stats(ExportReport r) throws IOException {
    return Json.mapper().readTree(r.data().resolveSibling("stats.json").toFile());
  }

  private static String card(ExportReport r) throws IOException {
    return Files.readString(r.data().resolveSibling("README.md"));
  }
}
