package dev.sparq.core.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.Json;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.store.CandidateLog;
import dev.sparq.core.store.DirectoryLock;
import dev.sparq.core.store.LogOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two exports into one folder at once. The library's exporter used to take no lock and write its
 * data through the fixed temporary {@code sparq.jsonl.tmp}, so two exports (two threads, or a
 * program and {@code sparq export}) wrote into one file, renamed it from under each other and left a
 * mix of both; now every export holds the folder's {@link Exporter#LOCK_FILE} while it writes (a
 * second one is refused, naming the lock) and writes under a temporary name of its own.
 */
class ExportConcurrencyTest {
  @TempDir Path tmp;

  private Path log(int n) {
    List<EvaluatedCandidate> cands = new ArrayList<>();
    String filler = "a step of the solution that checks one more intermediate value. ".repeat(8);
    for (int i = 0; i < n; i++) {
      cands.add(ExporterTest.cand("What is " + i + " times 7, written out in full?", i % 2 == 0 ? 0.5 : 0.8,
          ExporterTest.rolls("Solution " + i + ": " + filler, "Another solution " + i + ": " + filler, "wrong " + i),
          "s" + i % 5));
    }
    Path dir = tmp.resolve("log");
    try (CandidateLog log = CandidateLog.create(dir, LogOptions.defaults().withFsync(false))) {
      log.accept(0, cands);
    }
    return dir;
  }

  private static Exporter export(Path log, Path out, double minQuality) {
    return Exporter.builder().log(log).output(out).format(ExportFormat.ALPACA).fileFormat(FileFormat.JSONL)
        .qualityBand(minQuality, 1.0).build();
  }

  private static Map<String, String> files(Path dir) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        // the lock file names its last holder and when it took it: only its presence is compared
        m.put(name, name.equals(Exporter.LOCK_FILE) ? "" : Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    return m;
  }

  /** The final files: complete, valid, of one export, and no temporary beside them. */
  private static void assertOneCompleteExport(Path out, List<String> expectedData) throws IOException {
    Map<String, String> f = files(out);
    for (String name : f.keySet()) {
      assertFalse(name.endsWith(".tmp"), "a temporary is left: " + f.keySet());
    }
    String data = f.get("sparq.jsonl");
    assertTrue(expectedData.contains(data), "the data file is one export's, whole ("
        + (data == null ? "missing" : data.length() + " chars") + ")");
    long lines = data.lines().count();
    for (String line : data.lines().toList()) {
      assertTrue(Json.mapper().readTree(line).isObject(), line);
    }
    JsonNode stats = Json.mapper().readTree(f.get("stats.json"));
    assertEquals(lines, stats.path("examples_written").asLong(), "stats.json belongs to the data file");
    assertTrue(f.get("README.md").contains(Long.toString(lines)), "the card belongs to the data file");
  }

  @Test
  void twoExportsIntoOneFolderAtOnceNeverMix() throws Exception {
    Path log = log(1500);
    // what each of the two exports writes on its own
    export(log, tmp.resolve("a"), 0.0).run();
    export(log, tmp.resolve("b"), 0.7).run();
    List<String> expected = List.of(Files.readString(tmp.resolve("a/sparq.jsonl")),
        Files.readString(tmp.resolve("b/sparq.jsonl")));
    assertFalse(expected.get(0).equals(expected.get(1)));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    int refused = 0;
    try {
      for (int round = 0; round < 12; round++) {
        Path out = tmp.resolve("out" + round);
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<ExportReport>> runs = new ArrayList<>();
        for (double q : new double[] {0.0, 0.7}) {
          runs.add(pool.submit(() -> {
            start.await();
            return export(log, out, q).run();
          }));
        }
        int done = 0;
        for (Future<ExportReport> r : runs) {
          try {
            r.get(60, TimeUnit.SECONDS);
            done++;
          } catch (java.util.concurrent.ExecutionException e) {
            // the only way an export may fail here: the other one holds the folder
            assertTrue(e.getCause() instanceof DataException, String.valueOf(e.getCause()));
            assertTrue(e.getCause().getMessage().contains(out.resolve(Exporter.LOCK_FILE) + ": the export folder "
                + out + " is in use"), e.getCause().getMessage());
            refused++;
          }
        }
        assertTrue(done >= 1, "round " + round + ": one export completes");
        assertOneCompleteExport(out, expected);
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(refused > 0, "the exports overlapped at least once (else this test shows nothing)");
  }

  @Test
  void anExportIntoAFolderAnotherExportHoldsIsRefusedAndTouchesNothing() throws IOException {
    Path log = log(20);
    Path out = tmp.resolve("out");
    export(log, out, 0.0).run();
    Map<String, String> before = files(out);
    Path stale = Files.writeString(out.resolve(".sparq.jsonl.31337.1a2b3c.tmp"), "{\"half");
    try (DirectoryLock held = Exporter.lockOutput(out)) {
      DataException e = assertThrows(DataException.class, () -> export(log, out, 0.7).run());
      assertTrue(e.getMessage().contains(out.resolve(Exporter.LOCK_FILE) + ": the export folder " + out
          + " is in use by another sparq process (pid " + ProcessHandle.current().pid()), e.getMessage());
      // and says that the holder is this very process, not another one
      assertTrue(e.getMessage().contains("that is this very process: another thread holds the lock"), e.getMessage());
      assertTrue(Files.exists(stale), "a refused export removes nothing: the holder may be writing it");
      // the holder itself exports with the lock it holds
      ExportReport r = export(log, out, 0.7).run(held);
      assertTrue(r.examplesWritten() > 0);
      // not with another folder's lock
      try (DirectoryLock other = Exporter.lockOutput(tmp.resolve("elsewhere"))) {
        assertThrows(IllegalArgumentException.class, () -> export(log, out, 0.7).run(other));
      }
    }
    assertFalse(Files.exists(stale), "the holder removed the temporary a killed export left");
    assertFalse(files(out).equals(before));
    // released: the next export takes the lock itself
    export(log, out, 0.0).run();
    assertEquals(before, files(out));
  }

  @Test
  void theTemporariesOfAKilledExportAreRemovedAndNothingElse() throws IOException {
    Path log = log(20);
    Path out = tmp.resolve("out");
    export(log, out, 0.0).run();
    Map<String, String> clean = files(out);
    // what a SIGKILL mid-export leaves: the data file's own temporary (and the one fixed name an
    // earlier version used), and those of the staged files
    List<Path> stale = List.of(out.resolve(".sparq.jsonl.31337.1a2b3c.tmp"), out.resolve("sparq.jsonl.tmp"),
        out.resolve(".stats.json.31337.1a2b3d.tmp"), out.resolve(".README.md.4242.ff.tmp"));
    // another export's temporaries, and files of the user's: kept
    List<Path> kept = List.of(out.resolve(".other.jsonl.31337.1a2b3c.tmp"), out.resolve("mine.tmp"),
        out.resolve(".sparq.jsonl.x.1a.tmp"));
    for (Path p : stale) {
      Files.writeString(p, "{\"half");
    }
    for (Path p : kept) {
      Files.writeString(p, "mine");
    }
    export(log, out, 0.0).run();
    for (Path p : stale) {
      assertFalse(Files.exists(p), p.toString());
    }
    for (Path p : kept) {
      assertEquals("mine", Files.readString(p), p.toString());
      Files.delete(p);
    }
    assertEquals(clean, files(out));
  }
}
