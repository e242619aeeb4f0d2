package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.ConfigException;
import dev.sparq.core.DataException;
import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.Variant;
import dev.sparq.core.export.ExportReport;
import dev.sparq.core.export.Exporter;
import dev.sparq.testkit.math.ArithmeticDomain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What stops a user from silently mixing two runs in one directory or reading the wrong folder. */
class RunGuardsTest {
  @TempDir Path tmp;

  @Test
  void aSecondRunOnAnOpenDirectoryIsRefusedAndTheFirstLosesNothing() {
    Path dir = tmp.resolve("run");
    try (SparqRun first = SparqRun.builder(dir, RunFixtures.engine(3)).open()) {
      DataException e = assertThrows(DataException.class,
          () -> SparqRun.builder(dir, RunFixtures.engine(2)).open());
      assertTrue(e.getMessage().contains(CandidateLog.LOCK_FILE), e.getMessage());
      assertTrue(e.getMessage().contains("in use by another sparq process (pid "
          + ProcessHandle.current().pid()), e.getMessage());
      RunStats totals = first.run();
      assertEquals(totals.evaluated(), SparqRunTest.logLines(dir).size());
    }
    // once closed, the directory can be resumed (here: the budget raised to extend it)
    try (SparqRun again = SparqRun.builder(dir, RunFixtures.engine(5)).open()) {
      assertTrue(again.resumed());
      again.run();
      assertEquals(5, again.engine().iteration());
    }
  }

  @Test
  void aResumeWithOtherSettingsIsRefusedNamingEachButALargerBudgetIsAccepted() {
    Path dir = tmp.resolve("run");
    try (SparqRun run = SparqRun.builder(dir, RunFixtures.engine(2)).open()) {
      run.run();
    }
    ConfigException e = assertThrows(ConfigException.class, () -> SparqRun.builder(dir,
        RunFixtures.engine(4).randomSeed(99).batchSize(3).variant(Variant.STATIC_UNIFORM)
            .seedProblems(ArithmeticDomain.seeds(5, new SplittableRandom(1)))).open());
    String m = e.getMessage();
    for (String key : new String[] {"randomSeed (checkpoint: 20260101, configuration: 99)",
        "batchSize (checkpoint: 16, configuration: 3)", "variant (checkpoint: DYNAMIC_DIVERSE",
        "seeds (checkpoint: 12 problems"}) {
      assertTrue(m.contains(key), m);
    }
    assertTrue(m.contains(SparqRun.CHECKPOINT), m);
    // the refused attempt changed nothing: the same settings with a larger budget go on
    try (SparqRun run = SparqRun.builder(dir, RunFixtures.engine(2).budget(Budget.iterations(4)))
        .open()) {
      assertEquals(2, run.engine().iteration());
      run.run();
      assertEquals(4, run.engine().iteration());
    }
  }

  @Test
  void aCheckpointIntervalAddsCheckpointsByTimeWithoutChangingTheRun() {
    RunStats byCount;
    try (SparqRun run = SparqRun.builder(tmp.resolve("count"), RunFixtures.engine(6))
        .checkpointEvery(0).checkpointInterval(java.time.Duration.ZERO).open()) {
      byCount = run.run();
      assertEquals(2, run.checkpoints(), "at the start and at the end only");
    }
    try (SparqRun run = SparqRun.builder(tmp.resolve("time"), RunFixtures.engine(6))
        .checkpointEvery(0).checkpointInterval(java.time.Duration.ofNanos(1)).open()) {
      assertEquals(byCount, run.run());
      assertEquals(1 + 6 + 1, run.checkpoints(), "start, after each iteration (1 ns passed), end");
    }
    try (SparqRun run = SparqRun.builder(tmp.resolve("never"), RunFixtures.engine(6))
        .checkpointEvery(4).checkpointInterval(java.time.Duration.ofDays(365L * 1000)).open()) {
      run.run();
      assertEquals(1 + 1 + 1, run.checkpoints(), "start, iteration 4, end");
    }
    assertEquals(SparqRunTest.logLines(tmp.resolve("count")), SparqRunTest.logLines(tmp.resolve("time")));
    assertThrows(ConfigException.class, () -> SparqRun.builder(tmp.resolve("x"), RunFixtures.engine(1))
        .checkpointInterval(java.time.Duration.ofSeconds(-1)));
  }

  @Test
  void aCheckpointRecordsItsSettingsAndOneWithoutThemIsNotChecked() throws IOException {
    Path dir = tmp.resolve("run");
    try (SparqRun run = SparqRun.builder(dir, RunFixtures.engine(1)).open()) {
      run.run();
    }
    Checkpoint cp = SparqRun.readCheckpoint(dir);
    assertEquals(RunFixtures.engine(1).config().resumeSettings(), cp.settings());
    // a checkpoint of an older version has no settings: resumed as before, without the check
    new Checkpoint(cp.state(), cp.log(), cp.archive(), cp.slots()).write(dir.resolve(SparqRun.CHECKPOINT));
    try (SparqRun run = SparqRun.builder(dir, RunFixtures.engine(2).batchSize(16)).open()) {
      assertTrue(run.resumed());
    }
  }

  @Test
  void readingAFolderThatIsNotALogFailsNamingItInsteadOfGivingNothing() throws IOException {
    Path dir = tmp.resolve("run");
    try (SparqRun run = SparqRun.builder(dir, RunFixtures.engine(1)).open()) {
      run.run();
    }
    DataException runDir = assertThrows(DataException.class, () -> LogReader.open(dir));
    assertTrue(runDir.getMessage().contains("its candidate log is " + dir.resolve(SparqRun.LOG)),
        runDir.getMessage());
    Path typo = tmp.resolve("rn/log");
    DataException missing = assertThrows(DataException.class, () -> LogReader.open(typo));
    assertTrue(missing.getMessage().startsWith(typo + ": no candidate log here"), missing.getMessage());
    Path out = tmp.resolve("out");
    assertThrows(DataException.class,
        () -> Exporter.builder().log(dir).output(out).build().run());
    assertTrue(!Files.exists(out.resolve("sparq.jsonl")), "nothing written from a wrong path");
    // an empty folder (a run that evaluated nothing yet) is an empty log, as is a log whose only
    // other file is its writer lock
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    try (LogReader r = LogReader.open(empty)) {
      assertTrue(!r.hasNext());
    }
    ExportReport report = Exporter.builder().log(dir.resolve(SparqRun.LOG)).output(out).build().run();
    assertEquals(SparqRunTest.logLines(dir).size(), report.recordsRead());
  }
}
