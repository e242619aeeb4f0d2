package dev.sparq.core.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.Json;
import dev.sparq.core.model.AddStatus;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Lineage;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.model.Validity;
import dev.sparq.core.store.CandidateLog;
import dev.sparq.core.store.LogOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExporterTest {
  @TempDir Path tmp;

  static EvaluatedCandidate cand(String statement, double quality, List<Rollout> rollouts,
      String... skills) {
    Problem p = new Problem(null, statement, "REF solution", "4",
        new Lineage(List.of("parent"), "mutate", 1), Map.of());
    int correct = (int) rollouts.stream().filter(Rollout::correct).count();
    return new EvaluatedCandidate(0, p, rollouts, new Difficulty(correct, rollouts.size(), quality,
        Validity.VALID), Descriptor.ofLabels(skills), AddStatus.NEW, quality);
  }

  static List<Rollout> rolls(String... texts) {
    List<Rollout> out = new ArrayList<>();
    for (String t : texts) {
      boolean ok = !t.startsWith("wrong");
      out.add(Rollout.of(t, ok ? "4" : "5", ok));
    }
    return out;
  }

  private Path log(List<EvaluatedCandidate> cands) {
    Path dir = tmp.resolve("log" + System.nanoTime());
    try (CandidateLog log = CandidateLog.create(dir, LogOptions.defaults().withFsync(false))) {
      log.accept(0, cands);
    }
    return dir;
  }

  private List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file, StandardCharsets.UTF_8);
  }

  private ExportReport export(Path log, Path out, ExportFormat f, String system) {
    return Exporter.builder().log(log).output(out).format(f).fileFormat(FileFormat.JSONL)
        .systemPrompt(system).build().run();
  }

  @Test
  void everyFormatHasItsExactShape() throws IOException {
    Path log = log(List.of(cand("What is 2+2?", 0.5, rolls("S1", "wrong", "S1", "S2"), "add"),
        cand("Zero quality", 0.0, rolls("S9"), "add")));
    Map<ExportFormat, List<String>> expected = new HashMap<>();
    expected.put(ExportFormat.MESSAGES, List.of(
        "{\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"},{\"role\":\"assistant\",\"content\":\"S1\"}]}",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"},{\"role\":\"assistant\",\"content\":\"S2\"}]}"));
    expected.put(ExportFormat.OPENAI, expected.get(ExportFormat.MESSAGES));
    expected.put(ExportFormat.PROMPT_COMPLETION, List.of(
        "{\"prompt\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}],\"completion\":[{\"role\":\"assistant\",\"content\":\"S1\"}]}",
        "{\"prompt\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}],\"completion\":[{\"role\":\"assistant\",\"content\":\"S2\"}]}"));
    expected.put(ExportFormat.GRPO, List.of(
        "{\"prompt\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}],\"answer\":\"4\"}"));
    expected.put(ExportFormat.VERL, List.of(
        "{\"data_source\":\"sparq\",\"prompt\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}],"
            + "\"ability\":\"math\",\"reward_model\":{\"style\":\"rule\",\"ground_truth\":\"4\"},"
            + "\"extra_info\":{\"index\":0,\"id\":\"" + Problem.of("What is 2+2?", "", "").id()
            + "\",\"quality\":0.5}}"));
    expected.put(ExportFormat.ALPACA, List.of(
        "{\"instruction\":\"What is 2+2?\",\"input\":\"\",\"output\":\"S1\"}",
        "{\"instruction\":\"What is 2+2?\",\"input\":\"\",\"output\":\"S2\"}"));
    expected.put(ExportFormat.SHAREGPT, List.of(
        "{\"conversations\":[{\"from\":\"human\",\"value\":\"What is 2+2?\"},{\"from\":\"gpt\",\"value\":\"S1\"}]}",
        "{\"conversations\":[{\"from\":\"human\",\"value\":\"What is 2+2?\"},{\"from\":\"gpt\",\"value\":\"S2\"}]}"));
    for (ExportFormat f : ExportFormat.values()) {
      Path out = tmp.resolve("out-" + f.id());
      ExportReport r = export(log, out, f, null);
      assertEquals(expected.get(f), lines(out.resolve("sparq.jsonl")), f.name());
      assertEquals(expected.get(f).size(), r.examplesWritten());
      assertEquals(1L, r.removed().get("quality_zero"));
    }
  }

  @Test
  void systemPromptAndTemplateAppearWhereEachFormatPutsThem() throws IOException {
    Path log = log(List.of(cand("Q", 0.5, rolls("S"), "x")));
    Map<ExportFormat, String> expected = Map.of(
        ExportFormat.MESSAGES, "{\"messages\":[{\"role\":\"system\",\"content\":\"SYS\"},{\"role\":\"user\",\"content\":\"Solve: Q\"},{\"role\":\"assistant\",\"content\":\"S\"}]}",
        ExportFormat.PROMPT_COMPLETION, "{\"prompt\":[{\"role\":\"system\",\"content\":\"SYS\"},{\"role\":\"user\",\"content\":\"Solve: Q\"}],\"completion\":[{\"role\":\"assistant\",\"content\":\"S\"}]}",
        ExportFormat.ALPACA, "{\"instruction\":\"Solve: Q\",\"input\":\"\",\"output\":\"S\",\"system\":\"SYS\"}",
        ExportFormat.SHAREGPT, "{\"conversations\":[{\"from\":\"human\",\"value\":\"Solve: Q\"},{\"from\":\"gpt\",\"value\":\"S\"}],\"system\":\"SYS\"}",
        ExportFormat.GRPO, "{\"prompt\":[{\"role\":\"system\",\"content\":\"SYS\"},{\"role\":\"user\",\"content\":\"Solve: Q\"}],\"answer\":\"4\"}");
    for (Map.Entry<ExportFormat, String> e : expected.entrySet()) {
      Path out = tmp.resolve("sys-" + e.getKey().id());
      Exporter.builder().log(log).output(out).format(e.getKey()).fileFormat(FileFormat.JSONL)
          .systemPrompt("SYS")
          .promptTemplate("Solve: {problem}").build().run();
      assertEquals(List.of(e.getValue()), lines(out.resolve("sparq.jsonl")));
    }
  }

  /**
   * datasets caches {@code load_dataset(folder)} under the folder's name and a hash of the card's
   * YAML header, not of the data file: a header that does not change with the data made a folder
   * exported again (or another export in a folder of the same name) load the first export's rows
   * from the cache. The header carries the row count and the data file's size, for both
   * containers, and so differs between two exports of different data.
   */
  @Test
  void cardHeaderChangesWithTheDataSoDatasetsDoesNotServeAStaleCache() throws IOException {
    Path log = log(List.of(cand("Q", 0.5, rolls("S1", "S2", "S3"), "x"),
        cand("R", 0.5, rolls("T1"), "y")));
    for (FileFormat container : FileFormat.values()) {
      Path out = tmp.resolve("stale-" + container.id());
      ExportReport all = Exporter.builder().log(log).output(out).fileFormat(container).build().run();
      String first = header(out);
      assertEquals(4, all.examplesWritten());
      assertTrue(first.contains("dataset_info:\n  splits:\n  - name: train\n    num_examples: 4\n"
          + "  download_size: " + Files.size(all.data()) + "\n"), first);
      ExportReport some = Exporter.builder().log(log).output(out).fileFormat(container)
          .selector(Selector.random(2)).build().run();
      String second = header(out);
      assertEquals(2, some.examplesWritten());
      assertTrue(second.contains("    num_examples: 2\n  download_size: " + Files.size(some.data())
          + "\n"), second);
      assertNotEquals(first, second, container.id());
    }
  }

  /** The card's YAML header, between its two {@code ---} lines. */
  private static String header(Path out) throws IOException {
    String card = Files.readString(out.resolve("README.md"));
    return card.substring(0, card.indexOf("\n---\n", 4) + 5);
  }

  @Test
  void llamaFactoryEntriesAndSideFiles() throws IOException {
    Path log = log(List.of(cand("Q", 0.5, rolls("S"), "x", "y")));
    Path out = tmp.resolve("lf");
    ExportReport r = Exporter.builder().log(log).output(out).name("my-set")
        .format(ExportFormat.SHAREGPT).build().run();
    JsonNode info = Json.mapper().readTree(out.resolve("dataset_info.json").toFile());
    // no system prompt, so no system column: LLaMA-Factory's converters read a mapped column from
    // every row and failed with KeyError: 'system' (checked with its converter.py)
    assertEquals("{\"my-set\":{\"file_name\":\"my-set.jsonl\",\"formatting\":\"sharegpt\","
        + "\"columns\":{\"messages\":\"conversations\"}}}", info.toString());
    Exporter.builder().log(log).output(tmp.resolve("lfs")).name("my-set").systemPrompt("Be brief.")
        .format(ExportFormat.SHAREGPT).build().run();
    assertEquals("{\"my-set\":{\"file_name\":\"my-set.jsonl\",\"formatting\":\"sharegpt\","
        + "\"columns\":{\"messages\":\"conversations\",\"system\":\"system\"}}}",
        Json.mapper().readTree(tmp.resolve("lfs/dataset_info.json").toFile()).toString());
    assertEquals("{\"file_name\":\"f.jsonl\",\"columns\":{\"prompt\":\"instruction\",\"query\":\"input\","
        + "\"response\":\"output\",\"system\":\"system\"}}",
        ExportFormat.ALPACA.llamaFactoryEntry("f.jsonl", true).orElseThrow().toString());
    assertEquals("{\"file_name\":\"f.jsonl\",\"columns\":{\"prompt\":\"instruction\",\"query\":\"input\","
        + "\"response\":\"output\"}}",
        ExportFormat.ALPACA.llamaFactoryEntry("f.jsonl").orElseThrow().toString());
    assertEquals("{\"file_name\":\"f.jsonl\",\"formatting\":\"sharegpt\",\"columns\":{\"messages\":"
        + "\"messages\"},\"tags\":{\"role_tag\":\"role\",\"content_tag\":\"content\",\"user_tag\":"
        + "\"user\",\"assistant_tag\":\"assistant\",\"system_tag\":\"system\"}}",
        ExportFormat.MESSAGES.llamaFactoryEntry("f.jsonl").orElseThrow().toString());
    assertTrue(ExportFormat.VERL.llamaFactoryEntry("f").isEmpty());
    JsonNode stats = Json.mapper().readTree(out.resolve("stats.json").toFile());
    assertEquals(1, stats.get("examples_written").asInt());
    assertEquals(1, stats.at("/quality_histogram/counts/5").asInt());
    assertEquals(2, stats.at("/skills/distinct").asInt());
    assertEquals(1, stats.at("/skills/counts/x").asInt());
    String card = Files.readString(out.resolve("README.md"));
    assertTrue(card.startsWith("---\n") && card.contains("data_files: my-set.jsonl")
        && card.contains("# my-set") && card.contains("| quality_zero | 0 |"), card);
    assertEquals(out.resolve("my-set.jsonl"), r.data());
    // the card is README.md, the file datasets.load_dataset(folder) and the Hub read; exporting
    // again replaces it, but a README.md of the user's own is never overwritten
    Exporter.builder().log(log).output(out).name("my-set").format(ExportFormat.SHAREGPT).build().run();
    Path mine = Files.createDirectories(tmp.resolve("project"));
    Files.writeString(mine.resolve("README.md"), "# My project\n");
    DataException foreign = assertThrows(DataException.class, () -> Exporter.builder().log(log)
        .output(mine).format(ExportFormat.SHAREGPT).build().run());
    assertTrue(foreign.getMessage().contains("is not a dataset card written by an export"),
        foreign.getMessage());
    assertEquals("# My project\n", Files.readString(mine.resolve("README.md")));
    assertTrue(Files.notExists(mine.resolve("sparq.jsonl")));

    Path verl = tmp.resolve("verl");
    Exporter.builder().log(log).output(verl).format(ExportFormat.VERL).dataSource("lighteval/MATH")
        .fileFormat(FileFormat.JSONL).build().run();
    assertTrue(Files.notExists(verl.resolve("dataset_info.json")));
    assertTrue(lines(verl.resolve("sparq.jsonl")).get(0).startsWith(
        "{\"data_source\":\"lighteval/MATH\",\"prompt\":"));
  }

  @Test
  void referenceSolutionsInsteadOfRollouts() throws IOException {
    Path log = log(List.of(cand("Q", 0.5, rolls("S1", "S2"), "x"),
        cand("No correct", 0.7, rolls("wrong"), "x")));
    Path out = tmp.resolve("ref");
    ExportReport r = Exporter.builder().log(log).output(out).format(ExportFormat.ALPACA)
        .referenceSolutions(true).build().run();
    assertEquals(List.of("{\"instruction\":\"Q\",\"input\":\"\",\"output\":\"REF solution\"}",
        "{\"instruction\":\"No correct\",\"input\":\"\",\"output\":\"REF solution\"}"),
        lines(out.resolve("sparq.jsonl")));
    assertEquals(0L, r.removed().get("no_reference_solution"));
    ExportReport rollouts = export(log, tmp.resolve("rl"), ExportFormat.ALPACA, null);
    assertEquals(1L, rollouts.removed().get("no_correct_rollout"));
    assertEquals(2, rollouts.examplesWritten());
  }

  @Test
  void filtersCountWhatTheyRemove() throws IOException {
    String base = "A farmer has seventeen sheep and buys twelve more goats at the market on a "
        + "sunny Tuesday morning before lunch";
    List<EvaluatedCandidate> c = List.of(
        cand(base + ". How many animals?", 0.5, rolls("a"), "s"),           // kept
        cand(base.toUpperCase() + ".  how many   animals", 0.5, rolls("b"), "s"), // exact dup
        cand(base + ". How many animals does he own?", 0.5, rolls("c"), "s"), // near dup
        cand("Completely different question about circles and their area?", 0.95, rolls("d"), "s"),
        cand("Low quality", 0.05, rolls("e"), "s"),                      // band
        cand("Zero", 0.0, rolls("f"), "s"),                              // zero
        cand("Find the value of x if three x plus five equals twenty, asked in the test set today.",
            0.5, rolls("g"), "s"));                                      // contaminated
    Path log = log(c);
    Path bench = tmp.resolve("bench.jsonl");
    Files.writeString(bench, "{\"problem\":\"Find the value of x if three x plus five equals twenty.\"}\n");
    Path out = tmp.resolve("filters");
    ExportReport r = Exporter.builder().log(log).output(out).format(ExportFormat.ALPACA)
        .qualityBand(0.1, 0.9).nearDuplicates(16, 4).benchmark(Benchmark.load("mini-test", bench))
        .contaminationNgram(8).build().run();
    assertEquals(7, r.recordsRead());
    assertEquals(Map.of("quality_zero", 1L, "quality_band", 2L, "contaminated", 1L,
        "duplicate_exact", 1L, "duplicate_near", 1L, "no_correct_rollout", 0L, "not_selected", 0L),
        r.removed());
    assertEquals(Map.of("mini-test", 1L), r.contamination());
    assertEquals(List.of("{\"instruction\":\"" + base + ". How many animals?\",\"input\":\"\",\"output\":\"a\"}"),
        lines(out.resolve("sparq.jsonl")));
    // with no filters everything with quality > 0 comes out
    ExportReport plain = Exporter.builder().log(log).output(tmp.resolve("nofilter"))
        .exactDuplicates(false).build().run();
    assertEquals(6, plain.examplesWritten());
  }

  @Test
  void benchmarksLoadFromEveryLayoutAndFaultsNameTheLine() throws IOException {
    Path arr = tmp.resolve("b.json");
    Files.writeString(arr, "  \n[{\"question\": \"Q1\"},\n {\"problem\": \"Q2\", \"answer\": 3}]\n");
    Path lines = tmp.resolve("b.jsonl");
    Files.writeString(lines, "{\"prompt\": \"Q1\"}\n\n{\"text\": \"Q2\"}\r\n");
    Path text = tmp.resolve("b.txt");
    Files.writeString(text, "  Q1  \n\nQ2\n");
    for (Path f : List.of(arr, lines, text)) {
      assertEquals(List.of("Q1", "Q2"), Benchmark.load("b", f).texts(), f.toString());
    }
    Files.writeString(lines, "{\"problem\": \"Q1\"}\n{\"answer\": 2}\n");
    DataException noText = assertThrows(DataException.class, () -> Benchmark.load("b", lines));
    assertEquals(2, noText.line(), noText.getMessage());
    Files.writeString(arr, "[{\"problem\": \"Q1\"},\n {\"problem\": 2}]");
    assertEquals(2, assertThrows(DataException.class, () -> Benchmark.load("b", arr)).line());
    Files.writeString(arr, "[{\"problem\": \"Q1\"},");
    assertTrue(assertThrows(DataException.class, () -> Benchmark.load("b", arr)).getMessage()
        .contains("not valid JSON"));
    Files.write(text, new byte[] {'Q', '\n', (byte) 0xC3, '(', '\n'});
    DataException utf8 = assertThrows(DataException.class, () -> Benchmark.load("b", text));
    assertTrue(utf8.getMessage().contains("malformed UTF-8"), utf8.getMessage());
    assertTrue(assertThrows(DataException.class, () -> Benchmark.load("b", tmp))
        .getMessage().contains("not a regular file"));
  }

  @Test
  void benchmarkFilesWithAByteOrderMarkOrAnOverLongLine() throws IOException {
    // a byte-order mark (as Windows editors write) is not part of the first problem or of the JSON
    Path text = tmp.resolve("bom.txt");
    Files.writeString(text, "\uFEFFQ1\nQ2\n");
    Path arr = tmp.resolve("bom.json");
    Files.writeString(arr, "\uFEFF [{\"problem\": \"Q1\"}, {\"problem\": \"Q2\"}]");
    Path lines = tmp.resolve("bom.jsonl");
    Files.writeString(lines, "\uFEFF{\"problem\": \"Q1\"}\n{\"problem\": \"Q2\"}");
    for (Path f : List.of(text, arr, lines)) {
      assertEquals(List.of("Q1", "Q2"), Benchmark.load("b", f).texts(), f.toString());
    }
    // a line over 64 MiB is refused naming it, before it is decoded (it used to be read whole into
    // one string: 2 bytes a character of heap for a one-line file of any size)
    Path longLine = tmp.resolve("long.txt");
    Files.writeString(longLine, "Q1\n");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(longLine.toFile(), "rw")) {
      f.setLength(f.length() + Benchmark.MAX_LINE_BYTES + 1);
    }
    DataException e = assertThrows(DataException.class, () -> Benchmark.load("b", longLine));
    assertEquals(longLine + ":2: the line is " + (Benchmark.MAX_LINE_BYTES + 1) + " bytes long; a benchmark"
        + " line may have at most 67108864 bytes (64 MiB)", e.getMessage());
  }

  private List<EvaluatedCandidate> spread(int n) {
    List<EvaluatedCandidate> out = new ArrayList<>();
    String[][] skillSets = {{"a", "b"}, {"a"}, {"b"}, {"c"}};
    for (int i = 0; i < n; i++) {
      String[] s = i % 10 < 7 ? skillSets[0] : skillSets[1 + i % 3];
      out.add(cand("Problem number " + i, (i % 20 + 1) / 20.0, rolls("sol " + i), s));
    }
    return out;
  }

  private List<JsonNode> rows(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String l : lines(file)) {
      out.add(Json.mapper().readTree(l));
    }
    return out;
  }

  @Test
  void randomAndGaussianSelectorsAreDeterministicAndHitTheBudget() throws IOException {
    Path log = log(spread(400));
    ExportReport r1 = Exporter.builder().log(log).output(tmp.resolve("r1")).selector(Selector.random(50))
        .seed(1).build().run();
    Exporter.builder().log(log).output(tmp.resolve("r1b")).selector(Selector.random(50)).seed(1)
        .build().run();
    Exporter.builder().log(log).output(tmp.resolve("r2")).selector(Selector.random(50)).seed(2)
        .build().run();
    assertEquals(50, r1.examplesWritten());
    assertEquals(350L, r1.removed().get("not_selected"));
    assertEquals(lines(tmp.resolve("r1/sparq.jsonl")), lines(tmp.resolve("r1b/sparq.jsonl")));
    assertNotEquals(lines(tmp.resolve("r1/sparq.jsonl")), lines(tmp.resolve("r2/sparq.jsonl")));
    Exporter.builder().log(log).output(tmp.resolve("r1c")).selector(Selector.random(50)).seed(1)
        .backgroundReader(false).build().run();
    assertEquals(lines(tmp.resolve("r1/sparq.jsonl")), lines(tmp.resolve("r1c/sparq.jsonl")),
        "the background reader does not change the output");

    ExportReport g = Exporter.builder().log(log).output(tmp.resolve("g")).format(ExportFormat.VERL).fileFormat(FileFormat.JSONL)
        .selector(Selector.gaussian(0.9, 0.05, 40)).seed(3).build().run();
    assertEquals(40, g.examplesWritten());
    double mean = 0;
    for (JsonNode row : rows(tmp.resolve("g/sparq.jsonl"))) {
      mean += row.at("/extra_info/quality").asDouble() / 40;
    }
    assertTrue(mean > 0.8 && mean < 0.97, "sampled mean quality " + mean);
    long[] h = g.qualityHistogram();
    assertEquals(0, h[0] + h[1] + h[2] + h[3], "far below the mean is never drawn");
    // the report prints and compares the histogram's counts, and keeps its own copy
    assertTrue(g.toString().contains("qualityHistogram=" + java.util.Arrays.toString(h)), g.toString());
    h[9] = -1;
    assertTrue(g.qualityHistogram()[9] >= 0);
    ExportReport same = Exporter.builder().log(log).output(tmp.resolve("g2")).format(ExportFormat.VERL)
        .fileFormat(FileFormat.JSONL).selector(Selector.gaussian(0.9, 0.05, 40)).seed(3).build().run();
    assertEquals(java.util.Arrays.toString(g.qualityHistogram()),
        java.util.Arrays.toString(same.qualityHistogram()));
  }

  @Test
  void diversitySpreadsTheBudgetOverSkillSets() throws IOException {
    Path log = log(spread(400));
    ExportReport d = Exporter.builder().log(log).output(tmp.resolve("d")).selector(Selector.diversity(8))
        .seed(5).build().run();
    assertEquals(8, d.examplesWritten());
    assertEquals(4, d.skillSets());
    // two per skill set: a+b (2), a (2), b (2), c (2) -> a: 4, b: 4, c: 2
    assertEquals(Map.of("a", 4L, "b", 4L, "c", 2L), d.skills());

    ExportReport small = Exporter.builder().log(log).output(tmp.resolve("d3"))
        .selector(Selector.diversity(2)).seed(5).build().run();
    // greedy coverage: {a,b} covers two skills, then {c} the last uncovered one
    assertEquals(Map.of("a", 1L, "b", 1L, "c", 1L), small.skills());
  }

  @Test
  void qualityDiversityTakesTheBestOfEachSkillSet() throws IOException {
    Path log = log(spread(400));
    Exporter.builder().log(log).output(tmp.resolve("qd")).format(ExportFormat.VERL).fileFormat(FileFormat.JSONL)
        .selector(Selector.qualityDiversity(4)).seed(5).build().run();
    List<JsonNode> rows = rows(tmp.resolve("qd/sparq.jsonl"));
    assertEquals(4, rows.size());
    // the best quality of each skill set present in spread(400)
    Map<List<String>, Double> best = new HashMap<>();
    for (EvaluatedCandidate c : spread(400)) {
      best.merge(c.descriptor().labels(), c.difficulty().quality(), Math::max);
    }
    List<Double> expected = new ArrayList<>(best.values());
    List<Double> got = new ArrayList<>();
    for (JsonNode row : rows) {
      got.add(row.at("/extra_info/quality").asDouble());
    }
    expected.sort(null);
    got.sort(null);
    assertEquals(List.of(0.85, 1.0, 1.0, 1.0), expected);
    assertEquals(expected, got);
  }

  /** Treats statements with the same first word as duplicates and records every call. */
  private static final class FirstWordDedup implements TextDeduplicator {
    final List<String> calls = new ArrayList<>();
    final java.util.Set<String> kept = new java.util.HashSet<>();

    private static String key(String t) {
      return t.split(" ")[0];
    }

    @Override
    public boolean isDuplicate(String text) {
      calls.add("check " + text);
      return kept.contains(key(text));
    }

    @Override
    public void add(String text) {
      calls.add("add " + text);
      kept.add(key(text));
    }
  }

  @Test
  void textDeduplicatorSeesSurvivorsInLogOrderAndLearnsOnlyKeptProblems() throws IOException {
    Path log = log(List.of(
        cand("Alpha one", 0.5, rolls("a1"), "s"),
        cand("Alpha two", 0.5, rolls("a2"), "s"),                 // text duplicate of Alpha one
        cand("Alpha one", 0.5, rolls("a3"), "s"),                 // exact duplicate: never asked
        cand("Beta one", 0.5, rolls("wrong"), "s"),               // no correct rollout: not added
        cand("Beta two", 0.5, rolls("b2"), "s"),                  // kept: Beta one was not kept
        cand("Gamma", 0.0, rolls("g"), "s")));                    // quality zero: never asked
    FirstWordDedup dedup = new FirstWordDedup();
    ExportReport r = Exporter.builder().log(log).output(tmp.resolve("textdedup"))
        .format(ExportFormat.ALPACA).textDeduplicator(dedup).build().run();
    assertEquals(List.of("check Alpha one", "add Alpha one", "check Alpha two", "check Beta one",
        "check Beta two", "add Beta two"), dedup.calls);
    assertEquals(List.of("quality_zero", "quality_band", "contaminated", "duplicate_exact",
        "duplicate_near", "duplicate_text", "no_correct_rollout", "not_selected"),
        new ArrayList<>(r.removed().keySet()));
    assertEquals(1L, r.removed().get("duplicate_text"));
    assertEquals(1L, r.removed().get("duplicate_exact"));
    assertEquals(1L, r.removed().get("no_correct_rollout"));
    assertEquals(2, r.examplesWritten());
    // without a deduplicator the step is absent from the report
    ExportReport plain = Exporter.builder().log(log).output(tmp.resolve("nodedup")).build().run();
    assertTrue(!plain.removed().containsKey("duplicate_text"));
    assertEquals(3, plain.examplesWritten());
  }
}
