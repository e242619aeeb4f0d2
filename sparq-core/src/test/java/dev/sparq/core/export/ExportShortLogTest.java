package dev.sparq.core.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.DataException;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.store.CandidateLog;
import dev.sparq.core.store.LogOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An export from a log that holds fewer records than the run counts. The reader takes a shard cut
 * short for the torn tail a crash leaves, so with {@link Exporter.Builder#maxRecords} the export is
 * silently smaller; {@link Exporter.Builder#expectRecords} (what {@code sparq export} uses with the
 * checkpoint's count) names the shard and line instead and writes nothing.
 */
class ExportShortLogTest {
  @TempDir Path tmp;

  private static final int N = 300;

  private Path logCutInHalf(boolean gzip) throws IOException {
    List<EvaluatedCandidate> cands = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      cands.add(ExporterTest.cand("What is " + i + " plus 11?", 0.5,
          ExporterTest.rolls("It is " + (i + 11) + ".", "wrong " + i), "s" + i % 3));
    }
    Path dir = tmp.resolve(gzip ? "gz" : "plain");
    try (CandidateLog log = CandidateLog.create(dir, LogOptions.defaults().withGzip(gzip).withFsync(false))) {
      log.accept(0, cands);
    }
    Path shard;
    try (Stream<Path> s = Files.list(dir)) {
      shard = s.filter(p -> p.getFileName().toString().startsWith("candidates-")).findFirst().orElseThrow();
    }
    byte[] b = Files.readAllBytes(shard);
    Files.write(shard, Arrays.copyOf(b, b.length / 2));
    return dir;
  }

  private static Exporter.Builder export(Path log, Path out) {
    return Exporter.builder().log(log).output(out).format(ExportFormat.ALPACA).fileFormat(FileFormat.JSONL);
  }

  @Test
  void expectRecordsNamesTheShardCutShortAndWritesNothing() throws IOException {
    for (boolean gzip : new boolean[] {false, true}) {
      Path log = logCutInHalf(gzip);
      Path out = tmp.resolve("out-" + gzip);
      DataException e = assertThrows(DataException.class, () -> export(log, out).expectRecords(N).build().run());
      assertTrue(e.getMessage().contains("candidates-") && e.getMessage().contains("the candidate log ends after ")
          && e.getMessage().contains("but the checkpoint counts " + N), e.getMessage());
      try (Stream<Path> s = Files.list(out)) {
        List<String> left = s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(Exporter.LOCK_FILE)).toList();
        assertEquals(List.of(), left, "nothing but the lock may be left");
      }
    }
  }

  @Test
  void maxRecordsStillReadsWhatThereIs() throws IOException {
    Path log = logCutInHalf(false);
    ExportReport r = export(log, tmp.resolve("out")).maxRecords(N).build().run();
    assertTrue(r.recordsRead() > 0 && r.recordsRead() < N, "records " + r.recordsRead());
    assertFalse(Files.exists(tmp.resolve("out").resolve("sparq.jsonl.tmp")));
  }

  @Test
  void expectRecordsOnACompleteLogReadsExactlyThatMany() throws IOException {
    List<EvaluatedCandidate> cands = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      cands.add(ExporterTest.cand("What is " + i + " plus 2?", 0.5, ExporterTest.rolls("It is " + (i + 2) + "."), "s"));
    }
    Path dir = tmp.resolve("whole");
    try (CandidateLog log = CandidateLog.create(dir, LogOptions.defaults().withFsync(false))) {
      log.accept(0, cands);
    }
    assertEquals(12, export(dir, tmp.resolve("o1")).expectRecords(12).build().run().recordsRead());
    assertEquals(20, export(dir, tmp.resolve("o2")).expectRecords(20).build().run().recordsRead());
    assertThrows(DataException.class, () -> export(dir, tmp.resolve("o3")).expectRecords(21).build().run());
    assertThrows(IllegalArgumentException.class, () -> Exporter.builder().expectRecords(-1));
  }
}
