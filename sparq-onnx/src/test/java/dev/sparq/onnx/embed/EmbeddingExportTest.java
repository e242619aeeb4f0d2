package dev.sparq.onnx.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparq.core.model.AddStatus;
import dev.sparq.core.export.ExportFormat;
import dev.sparq.core.export.ExportReport;
import dev.sparq.core.export.Exporter;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exporter with an {@link EmbeddingDeduplicator} over the real (quantised) all-MiniLM-L6-v2. */
class EmbeddingExportTest {
  private static OnnxEmbedder model;
  @TempDir Path tmp;

  @BeforeAll
  static void open() {
    model = MiniLm.QUANTIZED.openTwoThreads();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  /**
   * Triples whose paraphrase scores at least 0.78 against its problem while every other pair among
   * all texts of {@link MathTexts#TRIPLES} scores at most 0.67 (measured with this model).
   */
  private static final int[] CLEAR = {0, 1, 2, 4, 5, 8, 11, 13, 16, 17, 19, 20};

  private static EvaluatedCandidate cand(String statement) {
    Problem p = new Problem(null, statement, "", "1", new Lineage(List.of(), "seed", 0), Map.of());
    return new EvaluatedCandidate(0, p, List.of(Rollout.of("Solution of " + statement, "1", true)),
        new Difficulty(1, 2, 0.5, Validity.VALID), Descriptor.ofLabels("s"), AddStatus.NEW, 0.5);
  }

  private static List<String> instructions(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      out.add(dev.sparq.core.internal.Json.mapper().readTree(line).get("instruction").asText());
    }
    return out;
  }

  @Test
  void paraphrasedProblemsAreDroppedAndDifferentProblemsKept() throws IOException {
    List<String> statements = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int n = 0; n < CLEAR.length; n++) {
      MathTexts.Triple t = MathTexts.TRIPLES.get(CLEAR[n]);
      if (n == 0) {
        // the paraphrase comes first in the log, so it is the one kept
        statements.addAll(List.of(t.paraphrase(), t.unrelated(), t.problem()));
        expected.addAll(List.of(t.paraphrase(), t.unrelated()));
      } else {
        statements.addAll(List.of(t.problem(), t.unrelated(), t.paraphrase()));
        expected.addAll(List.of(t.problem(), t.unrelated()));
      }
    }
    Path log = tmp.resolve("log");
    try (CandidateLog l = CandidateLog.create(log, LogOptions.defaults().withFsync(false))) {
      l.accept(0, statements.stream().map(EmbeddingExportTest::cand).toList());
    }

    EmbeddingDeduplicator dedup = new EmbeddingDeduplicator(model, 0.75);
    ExportReport r = Exporter.builder().log(log).output(tmp.resolve("embedded"))
        .format(ExportFormat.ALPACA).nearDuplicates(8, 8).textDeduplicator(dedup).build().run();
    assertEquals(expected, instructions(r.data()));
    assertEquals(CLEAR.length, r.removed().get("duplicate_text"));
    assertEquals(0L, r.removed().get("duplicate_near"), "MinHash does not see paraphrases");
    assertEquals(expected.size(), dedup.index().size(), "only kept problems are indexed");

    // the same export again with a fresh deduplicator gives the same file
    ExportReport again = Exporter.builder().log(log).output(tmp.resolve("again"))
        .format(ExportFormat.ALPACA).nearDuplicates(8, 8)
        .textDeduplicator(new EmbeddingDeduplicator(model, 0.75)).build().run();
    assertEquals(Files.readString(r.data()), Files.readString(again.data()));

    // without it every paraphrase stays
    ExportReport plain = Exporter.builder().log(log).output(tmp.resolve("plain"))
        .format(ExportFormat.ALPACA).nearDuplicates(8, 8).build().run();
    assertEquals(statements, instructions(plain.data()));
  }

}
