package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.engine.Mode;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.internal.IoMessages;
import dev.sparq.testkit.io.FullDisk;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the candidate log and a run do when the disk fills up. Found with a real full disk (a 300 KB
 * tmpfs): the log's last flush failed again in {@code close()}, which then never released the
 * writer lock, so the same process could not reopen the run after space was freed ("in use by
 * another sparq process (pid ...)" naming its own pid). {@link FullDisk} fails writes the way the
 * operating system does, so these tests need neither root nor a mount.
 */
class FullDiskTest {
  @TempDir Path tmp;

  @Test
  void aLogWhoseDiskFilledUpReleasesItsLockAndNamesTheShard() {
    Path dir = tmp.resolve("log");
    FullDisk disk = new FullDisk(2_000);
    CandidateLog log = CandidateLog.create(dir, LogOptions.defaults(), disk::open);
    log.accept(0, CandidateLogTest.batch(0, 40)); // buffered: nothing written yet
    UncheckedIOException e = assertThrows(UncheckedIOException.class, log::flush);
    String message = IoMessages.describe(e);
    assertTrue(message.contains(dir.resolve("candidates-000000.jsonl").toString()), message);
    assertTrue(message.contains("No space left on device (the disk is full"), message);
    disk.free(1 << 20);
    // a write after a failed one could repeat bytes that reached the file: refused, so no
    // checkpoint can point past them
    UncheckedIOException again = assertThrows(UncheckedIOException.class, log::checkpoint);
    assertTrue(again.getMessage().contains("resume it from its last checkpoint"), again.getMessage());
    log.close(); // the failure was reported already; closing releases the lock
    try (CandidateLog next = CandidateLog.create(dir, LogOptions.defaults())) {
      next.accept(0, CandidateLogTest.batch(0, 3));
    }
    try (LogReader r = LogReader.open(dir)) {
      assertEquals(3, r.stream().count());
    }
  }

  @Test
  void closeReleasesTheLockEvenWhenItsOwnFlushFails() {
    Path dir = tmp.resolve("log");
    FullDisk disk = new FullDisk(2_000);
    CandidateLog log = CandidateLog.create(dir, LogOptions.defaults(), disk::open);
    log.accept(0, CandidateLogTest.batch(0, 40));
    UncheckedIOException e = assertThrows(UncheckedIOException.class, log::close);
    assertTrue(IoMessages.describe(e).contains("No space left on device"), IoMessages.describe(e));
    CandidateLog.create(dir, LogOptions.defaults()).close(); // refused before the fix
  }

  @Test
  void syncRunStoppedByAFullDiskResumesInTheSameProcessLikeAnUninterruptedOne() {
    runStoppedByAFullDiskResumes(Mode.SYNC);
  }

  @Test
  void asyncRunStoppedByAFullDiskResumesInTheSameProcessWithoutLossOrDuplication() {
    runStoppedByAFullDiskResumes(Mode.ASYNC);
  }

  private void runStoppedByAFullDiskResumes(Mode mode) {
    Path whole = tmp.resolve("whole-" + mode);
    String wholeArchive;
    RunStats wholeTotals;
    try (SparqRun run = SparqRun.builder(whole, RunFixtures.engine(12).mode(mode).inFlight(4))
        .checkpointEvery(3).open()) {
      wholeTotals = run.run();
      wholeArchive = ArchiveJson.toJson((CellArchive) run.engine().archive());
    }
    Path dir = tmp.resolve("full-" + mode);
    // room for a few iterations' records: the run fails in the middle of one
    FullDisk disk = new FullDisk(60_000);
    SparqRun first = SparqRun.builder(dir, RunFixtures.engine(12).mode(mode).inFlight(4))
        .checkpointEvery(3).channels(disk::open).open();
    UncheckedIOException e = assertThrows(UncheckedIOException.class, first::run);
    assertTrue(IoMessages.describe(e).contains("No space left on device"), IoMessages.describe(e));
    // the write that failed, not the end-of-run flush that was refused after it
    assertFalse(e.getMessage().contains("an earlier write failed"), e.getMessage());
    assertTrue(e.getMessage().contains("candidates-000000.jsonl"), e.getMessage());
    first.close();
    assertTrue(disk.failures() > 0);
    long checkpointed = SparqRun.readCheckpoint(dir).state().totals().iterations();
    assertTrue(checkpointed < 12, "the disk filled before the end");
    // space is freed; the same process resumes the run
    try (SparqRun run = SparqRun.builder(dir, RunFixtures.engine(12).mode(mode).inFlight(4))
        .checkpointEvery(3).open()) {
      assertTrue(run.resumed());
      RunStats totals = run.run();
      if (mode == Mode.SYNC) {
        assertEquals(wholeTotals, totals);
        assertEquals(wholeArchive, ArchiveJson.toJson((CellArchive) run.engine().archive()));
      }
      assertEquals(totals.evaluated(), run.log().records());
    }
    List<String> lines = SparqRunTest.logLines(dir);
    for (int i = 0; i < lines.size(); i++) {
      assertTrue(lines.get(i).startsWith(i + ":"), "seq " + i + " once, in order");
    }
    if (mode == Mode.SYNC) {
      assertEquals(SparqRunTest.logLines(whole), lines, "same records, nothing lost or duplicated");
    }
  }
}
