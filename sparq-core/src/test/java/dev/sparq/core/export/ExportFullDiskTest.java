package dev.sparq.core.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.internal.IoMessages;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.store.CandidateLog;
import dev.sparq.core.store.LogOptions;
import dev.sparq.testkit.io.FullDisk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An export interrupted by a full disk. Found with a real full disk (the demo on a tmpfs of
 * 6,220 KB): the data file had already been renamed into place when writing README.md failed, so
 * the folder held a new sparq.jsonl and stats.json without their card (or, over an earlier export,
 * beside the old card); on a slightly smaller disk the 528 KB {@code sparq.jsonl.tmp} stayed
 * behind on the full disk. Now every file is written and forced under a temporary name first, and
 * renamed into place only when all are on disk.
 */
class ExportFullDiskTest {
  @TempDir Path tmp;

  private Path log() {
    List<EvaluatedCandidate> cands = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      cands.add(ExporterTest.cand("What is " + i + " times 7, written out in full?", i % 2 == 0 ? 0.5 : 0.8,
          ExporterTest.rolls("Solution number " + i + " with some length to it", "wrong " + i), "s" + i % 5));
    }
    Path dir = tmp.resolve("log");
    try (CandidateLog log = CandidateLog.create(dir, LogOptions.defaults().withFsync(false))) {
      log.accept(0, cands);
    }
    return dir;
  }

  private static Exporter.Builder export(Path log, Path out, double minQuality) {
    return Exporter.builder().log(log).output(out).format(ExportFormat.ALPACA)
        .fileFormat(FileFormat.JSONL).qualityBand(minQuality, 1.0);
  }

  private static Map<String, String> files(Path dir) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        // the lock file names its last holder and when it took it: only its presence is compared
        m.put(name, name.equals(Exporter.LOCK_FILE) ? "" : Files.readString(p));
      }
    }
    return m;
  }

  @Test
  void aFullDiskLeavesThePreviousExportAsItWasAndNoTemporaryFiles() throws IOException {
    Path log = log();
    Path out = tmp.resolve("out");
    export(log, out, 0.0).build().run();
    Map<String, String> before = files(out);
    assertTrue(before.containsKey("README.md") && before.containsKey("stats.json"), before.keySet().toString());
    // the same export as the one that fails below, on a disk with room: how much it writes
    Path probe = tmp.resolve("probe");
    export(log, probe, 0.7).build().run();
    Map<String, String> fresh = files(probe);
    long data = fresh.get("sparq.jsonl").getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    long all = 0;
    for (Map.Entry<String, String> f : fresh.entrySet()) {
      if (!f.getKey().equals(Exporter.LOCK_FILE)) { // not written through the full disk
        all += f.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      }
    }
    // the disk fills while writing the data, just after it, and while writing the last small file
    for (long room : new long[] {data / 2, data + 10, all - 10}) {
      FullDisk disk = new FullDisk(room);
      UncheckedIOException e = assertThrows(UncheckedIOException.class,
          () -> export(log, out, 0.7).channels(disk::open).build().run(), "room " + room);
      String message = IoMessages.describe(e);
      assertTrue(message.contains("no space left on device (the disk is full")
          || message.contains("No space left on device (the disk is full"), message);
      assertTrue(message.contains(out.toString() + java.io.File.separator), "names the file: " + message);
      assertEquals(1, message.split("the disk is full", -1).length - 1, "advice once: " + message);
      assertEquals(before, files(out), "room " + room + ": the earlier export is untouched, nothing left over");
      for (String name : files(out).keySet()) {
        assertFalse(name.endsWith(".tmp"), "room " + room + ": a temporary is left: " + name);
      }
    }
    // space is freed: the export completes
    export(log, out, 0.7).channels(new FullDisk(Long.MAX_VALUE / 2)::open).build().run();
    assertEquals(fresh.keySet(), files(out).keySet());
    assertEquals(fresh.get("sparq.jsonl"), files(out).get("sparq.jsonl"));
  }
}
