package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.engine.IterationAbandonedException;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.Sparq;
import dev.sparq.testkit.math.ArithmeticDomain;
import dev.sparq.core.model.Elite;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a run in a child JVM with SIGKILL at random moments, resumes it each time and checks that
 * the checkpointed part of the log is intact (identical to an uninterrupted run's), that the
 * checkpointed archive is exactly what replaying the checkpointed log gives, and that the finished
 * run equals the uninterrupted one record for record.
 */
class CrashResumeTest {
  static final long ITERATIONS = 1500;
  static final int EVERY = 4;
  static final LogOptions OPTIONS = LogOptions.defaults().withRecordsPerShard(700);

  @TempDir Path tmp;

  static Sparq.Builder engine(long iterations) {
    return RunFixtures.engine(iterations);
  }

  private static List<String> lines(Path runDir, long limit) {
    try (LogReader r = LogReader.open(runDir.resolve(SparqRun.LOG), limit)) {
      return r.stream().map(c -> c.seq() + ":" + c.candidate()).toList();
    }
  }

  /** The archive a fresh engine ends with after being offered the log's first records. */
  private static String replay(Path runDir, long records) {
    try (Sparq fresh = engine(ITERATIONS).build();
        LogReader r = LogReader.open(runDir.resolve(SparqRun.LOG), records)) {
      Archive a = fresh.archive();
      List<Elite> batch = new ArrayList<>();
      long it = -1;
      while (r.hasNext()) {
        var c = r.next().candidate();
        if (c.iteration() != it && !batch.isEmpty()) {
          a.add(batch);
          batch = new ArrayList<>();
        }
        it = c.iteration();
        batch.add(c.toElite());
      }
      if (!batch.isEmpty()) {
        a.add(batch);
      }
      return ArchiveJson.toJson((CellArchive) a);
    }
  }

  @Test
  void killedRunsResumeWithoutLossOrDuplication() throws Exception {
    Path reference = tmp.resolve("reference");
    String referenceArchive;
    // checkpoints do not change what a run computes; the reference and the final part skip them
    try (SparqRun run = SparqRun.builder(reference, engine(ITERATIONS)).checkpointEvery(0)
        .logOptions(OPTIONS).open()) {
      run.run();
      referenceArchive = ArchiveJson.toJson((CellArchive) run.engine().archive());
    }
    List<String> referenceLog = lines(reference, Long.MAX_VALUE);

    Path dir = tmp.resolve("crashy");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Random random = new Random(20261129L);
    int kills = 0;
    long lastRecords = 0;
    long lastIterations = 0;
    int checked = 0;
    while (kills < 10) {
      Path out = tmp.resolve("child-" + kills + ".out");
      Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
          System.getProperty("java.class.path"), CrashChild.class.getName(), dir.toString(),
          Long.toString(ITERATIONS), Integer.toString(EVERY), "2")
          .redirectErrorStream(true)
          .redirectOutput(out.toFile())
          .start();
      long delay;
      if (random.nextInt(5) == 0) {
        delay = random.nextInt(600); // now and then during start-up or while opening the run
      } else {
        // otherwise at a random moment of the iterations: wait until the run is open (the child
        // prints a line then; start-up time varies a lot on a loaded machine)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Files.size(out) == 0 && p.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        delay = random.nextInt(1200);
      }
      boolean exited = p.waitFor(delay, TimeUnit.MILLISECONDS);
      assertTrue(!exited, "the child finished (exit " + (exited ? p.exitValue() : 0) + ") before it"
          + " could be killed: make the run longer; output: " + Files.readString(out));
      p.destroyForcibly(); // SIGKILL on Unix
      p.waitFor();
      kills++;

      if (!Files.exists(dir.resolve(SparqRun.CHECKPOINT))) {
        continue; // killed before the first checkpoint: nothing was promised yet
      }
      Checkpoint cp = SparqRun.readCheckpoint(dir);
      long records = cp.log().records();
      long iterations = cp.state().totals().iterations();
      assertTrue(records >= lastRecords && iterations >= lastIterations,
          "a checkpoint went backwards: " + iterations + " < " + lastIterations);
      assertEquals(cp.state().totals().evaluated(), records, "log position agrees with totals");
      // nothing written before the checkpoint is lost, and it is exactly the uninterrupted run's
      List<String> prefix = lines(dir, records);
      assertEquals(referenceLog.subList(0, (int) records), prefix);
      // the whole log may hold records after the checkpoint and one torn line, nothing else
      try (LogReader all = LogReader.open(dir.resolve(SparqRun.LOG))) {
        long n = 0;
        while (all.hasNext()) {
          assertEquals(n++, all.next().seq(), "seq is contiguous");
        }
        assertTrue(n >= records);
        assertTrue(all.tornLines() <= 1);
      }
      // the archive agrees with the log
      assertEquals(replay(dir, records), ArchiveJson.toJson(cp.archive()));
      System.out.printf("kill %d (delay %d ms): checkpoint at iteration %d, %d records%n", kills,
          delay, iterations, records);
      lastRecords = records;
      lastIterations = iterations;
      checked++;
    }
    assertTrue(checked >= 5, "too few kills happened after a checkpoint: " + checked);
    assertTrue(lastIterations > 0 && lastIterations < ITERATIONS, "kills must land mid-run");

    // finish in-process and compare with the uninterrupted run
    try (SparqRun run = SparqRun.builder(dir, engine(ITERATIONS)).checkpointEvery(0)
        .logOptions(OPTIONS).open()) {
      assertTrue(run.resumed());
      run.run();
      assertEquals(referenceArchive, ArchiveJson.toJson((CellArchive) run.engine().archive()));
    }
    assertEquals(referenceLog, lines(dir, Long.MAX_VALUE), "no record lost or duplicated");
    assertTrue(new File(dir.resolve(SparqRun.LOG).toString()).list().length > 1, "shards rotated");
  }

  /** The bytes of every file of a run's log folder, by name (the writer's lock file left out). */
  private static java.util.TreeMap<String, byte[]> logBytes(Path runDir) throws java.io.IOException {
    java.util.TreeMap<String, byte[]> out = new java.util.TreeMap<>();
    try (var files = Files.list(runDir.resolve(SparqRun.LOG))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (!f.getFileName().toString().equals(CandidateLog.LOCK_FILE)) {
          out.put(f.getFileName().toString(), Files.readAllBytes(f));
        }
      }
    }
    return out;
  }

  /**
   * Ctrl-C against a model server that stopped answering: {@link Sparq#stopNow()} abandons the
   * iteration whose rollouts never come back, the run returns with a checkpoint of exactly the
   * iterations completed before it, and the resumed run ends byte for byte as an uninterrupted one
   * (log files and archive), on the calling thread and on stage threads.
   */
  @Test
  void stopNowAbandonsTheIterationInProgressAndResumesExactly() throws Exception {
    long iterations = 9;
    long hangAt = 5;
    Path reference = tmp.resolve("reference");
    String referenceArchive;
    try (SparqRun run = SparqRun.builder(reference, engine(iterations)).checkpointEvery(0)
        .logOptions(OPTIONS.withRecordsPerShard(40)).open()) {
      run.run();
      referenceArchive = ArchiveJson.toJson((CellArchive) run.engine().archive());
    }
    List<String> referenceLog = lines(reference, Long.MAX_VALUE);
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      for (int threads : new int[] {1, 2}) {
        Path dir = tmp.resolve("stopped-" + threads);
        RunFixtures.HangingSolver hanging = new RunFixtures.HangingSolver(ArithmeticDomain.solver(0.15),
            ctx -> ctx.iteration() == hangAt);
        try (SparqRun run = SparqRun.builder(dir, engine(iterations).threads(threads).solver(hanging))
            .checkpointEvery(4).logOptions(OPTIONS.withRecordsPerShard(40)).open()) {
          Future<RunStats> running = caller.submit(run::run);
          hanging.hung.acquire(); // the model stopped answering in iteration 5
          run.engine().stopNow();
          RunStats t = running.get(5, TimeUnit.MINUTES); // a guard against a hang, not a timing
          assertEquals(hangAt, t.iterations(), "threads " + threads + ": the iterations before the hang");
          assertTrue(run.engine().stopNowRequested());
          assertEquals(1 + hanging.hung.availablePermits(), hanging.ended.get(),
              "no call of the abandoned iteration runs on after run() returned");
          assertThrows(IterationAbandonedException.class, run.engine()::step);
        }
        Checkpoint cp = SparqRun.readCheckpoint(dir);
        assertEquals(hangAt, cp.state().totals().iterations(), "the checkpoint holds the completed iterations");
        long records = cp.log().records();
        assertEquals(referenceLog.subList(0, (int) records), lines(dir, Long.MAX_VALUE),
            "the log holds the completed iterations and nothing of the abandoned one");
        assertEquals(replay(dir, records), ArchiveJson.toJson(cp.archive()));

        try (SparqRun run = SparqRun.builder(dir, engine(iterations).threads(threads)).checkpointEvery(0)
            .logOptions(OPTIONS.withRecordsPerShard(40)).open()) {
          assertTrue(run.resumed());
          run.run();
          assertEquals(referenceArchive, ArchiveJson.toJson((CellArchive) run.engine().archive()));
        }
        java.util.TreeMap<String, byte[]> want = logBytes(reference);
        java.util.TreeMap<String, byte[]> got = logBytes(dir);
        assertEquals(want.keySet(), got.keySet());
        assertTrue(want.size() > 1, "shards rotated");
        for (String name : want.keySet()) {
          assertArrayEquals(want.get(name), got.get(name), name + " differs from the uninterrupted run's");
        }
      }
    } finally {
      caller.shutdownNow();
    }
  }
}
