package dev.sparq.examples.cli;

import static dev.sparq.examples.cli.CliTestSupport.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.store.DirectoryLock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sparq export} holds the export folder's lock: a second export into the same folder is
 * refused naming the holder, and the temporaries an export killed there left are removed once the
 * lock is held (only those, nothing else in the folder).
 */
class ExportLockTest {
  @TempDir Path tmp;

  private Path demo() {
    return CliTestSupport.smallDemo(tmp.resolve("run"));
  }

  @Test
  void aSecondExportIntoAFolderInUseIsRefusedNamingTheHolder() throws IOException {
    Path dir = demo();
    Path out = tmp.resolve("out");
    assertEquals(0, sparq("export", dir.toString(), "-o", out.toString()).status());
    byte[] data = Files.readAllBytes(out.resolve("sparq.jsonl"));
    byte[] stats = Files.readAllBytes(out.resolve("stats.json"));
    assertTrue(Files.isRegularFile(out.resolve(Exports.LOCK)), "the lock file is in the export folder");
    // what a killed export leaves, while another export holds the folder: not ours to remove then
    Path half = Files.writeString(out.resolve(".stats.json.31337.1a2b3c.tmp"), "{\"half");
    try (DirectoryLock held = DirectoryLock.acquire(out.resolve(Exports.LOCK), "the export folder " + out)) {
      CliTestSupport.Result r = sparq("export", dir.toString(), "-o", out.toString(), "--format", "messages",
          "--select", "random", "--budget", "3");
      assertEquals(2, r.status(), r.out());
      assertTrue(r.err().contains(out.resolve(Exports.LOCK) + ": the export folder " + out
          + " is in use by another sparq process (pid " + ProcessHandle.current().pid() + " on "), r.err());
      assertTrue(r.err().contains("wait for it to finish or stop it, then retry"), r.err());
      assertTrue(Files.exists(half), "a refused export removes nothing");
      assertFalse(Files.exists(out.resolve("sparq.jsonl.tmp")), "a refused export writes nothing");
    }
    assertEquals(new String(data, StandardCharsets.UTF_8), Files.readString(out.resolve("sparq.jsonl")));
    assertEquals(new String(stats, StandardCharsets.UTF_8), Files.readString(out.resolve("stats.json")));
    // the default folder inside the run directory is locked the same way
    Path defaultOut = dir.resolve("export/alpaca");
    Files.createDirectories(defaultOut);
    try (DirectoryLock held = DirectoryLock.acquire(defaultOut.resolve(Exports.LOCK), "x")) {
      CliTestSupport.Result r = sparq("export", dir.toString(), "--format", "alpaca");
      assertEquals(2, r.status(), r.out());
      assertTrue(r.err().contains(defaultOut.resolve(Exports.LOCK) + ": the export folder"), r.err());
      assertFalse(Files.exists(defaultOut.resolve("stats.json")));
    }
    CliTestSupport.Result after = sparq("export", dir.toString(), "--format", "alpaca");
    assertEquals(0, after.status(), after.err());
    assertTrue(Files.exists(defaultOut.resolve("stats.json")));
  }

  @Test
  void theTemporariesOfAKilledExportAreRemovedAndNothingElse() throws IOException {
    Path dir = demo();
    Path out = tmp.resolve("out");
    assertEquals(0, sparq("export", dir.toString(), "-o", out.toString(), "--format", "alpaca").status());
    // a SIGKILL between staging and renaming leaves .NAME.<pid>.<hex>.tmp beside each staged file
    List<Path> stale = List.of(out.resolve(".stats.json.31337.1a2b3c.tmp"), out.resolve(".README.md.31337.1a2b3d.tmp"),
        out.resolve(".dataset_info.json.4242.ff.tmp"));
    for (Path p : stale) {
      Files.writeString(p, "{\"half");
    }
    // names that only look alike, and files of the user's: kept
    List<Path> kept = List.of(out.resolve(".notes.txt.31337.1a2b3c.tmp"), out.resolve(".stats.json.tmp"),
        out.resolve(".stats.json.x.1a.tmp"), out.resolve("stats.json.31337.1a2b3c.tmp"), out.resolve("mine.tmp"));
    for (Path p : kept) {
      Files.writeString(p, "mine");
    }
    CliTestSupport.Result r = sparq("export", dir.toString(), "-o", out.toString(), "--format", "alpaca");
    assertEquals(0, r.status(), r.err());
    for (Path p : stale) {
      assertFalse(Files.exists(p), p + " is removed");
    }
    for (Path p : kept) {
      assertEquals("mine", Files.readString(p), p + " is left alone");
    }
    assertTrue(Files.readString(out.resolve("stats.json")).contains("examples"), "the export itself was written");
  }

  @Test
  void aRefusedExportCreatesNoFolderAndNoLock() throws IOException {
    Path dir = demo();
    Path out = tmp.resolve("never");
    // a wrong option is found before the folder and its lock are made
    CliTestSupport.Result r = sparq("export", dir.toString(), "-o", out.toString(), "--benchmark",
        tmp.resolve("missing.jsonl").toString());
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains("benchmark file not found"), r.err());
    assertFalse(Files.exists(out));
  }
}
