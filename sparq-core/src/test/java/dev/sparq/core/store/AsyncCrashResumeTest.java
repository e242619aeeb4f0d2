package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.engine.Mode;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.testkit.math.ArithmeticDomain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: {@link CrashResumeTest} for the asynchronous mode. A child JVM is killed with SIGKILL at
 * random moments while candidates are in flight and resumed each time. The asynchronous mode is not
 * bit-reproducible, so instead of comparing with an uninterrupted run this checks what a checkpoint
 * promises: the checkpointed log is intact and contiguous, the checkpointed archive is exactly the
 * replay of the checkpointed log, the totals agree with the log, and in the finished run no problem
 * id is evaluated twice, the counts match the budget and the archive is the replay of the whole log.
 */
class AsyncCrashResumeTest {
  static final long ITERATIONS = 1200;
  static final int EVERY = 4;

  @TempDir Path tmp;

  static Sparq.Builder engine(long iterations) {
    return RunFixtures.engine(iterations).mode(Mode.ASYNC).inFlight(8);
  }

  private static List<EvaluatedCandidate> log(Path runDir, long limit) {
    try (LogReader r = LogReader.open(runDir.resolve(SparqRun.LOG), limit)) {
      return r.stream().map(LoggedCandidate::candidate).toList();
    }
  }

  /** The archive a fresh engine ends with when offered the log's non-duplicate records one by one. */
  private static String replay(List<EvaluatedCandidate> log) {
    try (Sparq fresh = RunFixtures.engine(ITERATIONS).build()) {
      Archive a = fresh.archive();
      for (EvaluatedCandidate c : log) {
        if (!c.duplicate()) {
          a.add(c.toElite());
        }
      }
      return ArchiveJson.toJson((CellArchive) a);
    }
  }

  private static void assertEvaluatedOnce(List<EvaluatedCandidate> log) {
    Set<String> ids = new HashSet<>();
    for (EvaluatedCandidate c : log) {
      if (!c.duplicate()) {
        assertTrue(ids.add(c.problem().id()), "problem " + c.problem().id() + " logged twice");
      }
    }
  }

  @Test
  void killedAsyncRunsResumeWithoutLossOrDuplication() throws Exception {
    Path dir = tmp.resolve("crashy");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Random random = new Random(20261202L);
    int kills = 0;
    long lastRecords = 0;
    int checked = 0;
    while (kills < 8) {
      Path out = tmp.resolve("child-" + kills + ".out");
      Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
          System.getProperty("java.class.path"), CrashChild.class.getName(), dir.toString(),
          Long.toString(ITERATIONS), Integer.toString(EVERY), "2", "async")
          .redirectErrorStream(true)
          .redirectOutput(out.toFile())
          .start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (Files.size(out) == 0 && p.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      long delay = 100 + random.nextInt(1000);
      boolean exited = p.waitFor(delay, TimeUnit.MILLISECONDS);
      assertTrue(!exited, "the child finished (exit " + (exited ? p.exitValue() : 0) + ") before it"
          + " could be killed: make the run longer; output: " + Files.readString(out));
      p.destroyForcibly(); // SIGKILL on Unix
      p.waitFor();
      kills++;
      if (!Files.exists(dir.resolve(SparqRun.CHECKPOINT))) {
        continue;
      }
      Checkpoint cp = SparqRun.readCheckpoint(dir);
      long records = cp.log().records();
      assertTrue(records >= lastRecords, "a checkpoint went backwards");
      assertEquals(cp.state().totals().evaluated(), records, "log position agrees with totals");
      List<EvaluatedCandidate> prefix = log(dir, records);
      assertEvaluatedOnce(prefix);
      assertEquals(cp.state().totals().rollouts(),
          prefix.stream().mapToLong(c -> c.rollouts().size()).sum(), "rollouts agree with the log");
      try (LogReader all = LogReader.open(dir.resolve(SparqRun.LOG))) {
        long n = 0;
        while (all.hasNext()) {
          assertEquals(n++, all.next().seq(), "seq is contiguous");
        }
        assertTrue(n >= records);
        assertTrue(all.tornLines() <= 1);
      }
      assertEquals(replay(prefix), ArchiveJson.toJson(cp.archive()), "archive = replay of the log");
      System.out.printf("async kill %d (delay %d ms): checkpoint at iteration %d, %d records%n", kills,
          delay, cp.state().totals().iterations(), records);
      lastRecords = records;
      checked++;
    }
    assertTrue(checked >= 4, "too few kills happened after a checkpoint: " + checked);

    try (SparqRun run = SparqRun.builder(dir, engine(ITERATIONS)).checkpointEvery(0).open()) {
      assertTrue(run.resumed());
      assertTrue(run.engine().iteration() < ITERATIONS, "kills must land mid-run");
      RunStats t = run.run();
      assertEquals(ITERATIONS, t.iterations());
      assertEquals(ITERATIONS * 16, t.candidates(), "every parent the budget allows, once");
      List<EvaluatedCandidate> all = log(dir, Long.MAX_VALUE);
      assertEquals(t.evaluated(), all.size(), "the log holds every evaluated candidate once");
      assertEvaluatedOnce(all);
      assertEquals(replay(all), ArchiveJson.toJson((CellArchive) run.engine().archive()));
    }
  }

  /**
   * Ctrl-C in the asynchronous mode against a model server that stopped answering: every rollout
   * call after the 40th hangs until the eight candidates in flight all wait on one. {@link
   * Sparq#stopNow()} then commits the candidates already finished (a shorter last group) and drops
   * those in flight: none of them is in the log or the archive, each finished one is logged once,
   * the checkpoint agrees with the log, and the resumed run runs every parent the budget allows,
   * the dropped ones again, without a duplicate.
   */
  @Test
  void stopNowCommitsTheFinishedCandidatesAndDropsThoseInFlight() throws Exception {
    long iterations = 12;
    Path dir = tmp.resolve("stopped");
    AtomicInteger calls = new AtomicInteger();
    RunFixtures.HangingSolver hanging = new RunFixtures.HangingSolver(ArithmeticDomain.solver(0.15),
        ctx -> calls.incrementAndGet() > 40);
    ExecutorService caller = Executors.newSingleThreadExecutor();
    RunStats stopped;
    try (SparqRun run = SparqRun.builder(dir, engine(iterations).solver(hanging)).checkpointEvery(1).open()) {
      Future<RunStats> running = caller.submit(run::run);
      hanging.hung.acquire(8); // all eight in flight wait on the model
      run.engine().stopNow();
      stopped = running.get(5, TimeUnit.MINUTES); // a guard against a hang, not a timing
      assertEquals(8, hanging.ended.get(), "no call of a dropped candidate runs on after run() returned");
    } finally {
      caller.shutdownNow();
    }
    assertTrue(stopped.candidates() < iterations * 16, stopped.toString());
    Checkpoint cp = SparqRun.readCheckpoint(dir);
    assertEquals(stopped, cp.state().totals(), "the final checkpoint holds everything committed");
    List<EvaluatedCandidate> logged = log(dir, Long.MAX_VALUE);
    assertEquals(cp.log().records(), logged.size());
    assertEquals(stopped.evaluated(), logged.size(), "every finished candidate is logged");
    assertEvaluatedOnce(logged);
    assertEquals(40, logged.stream().filter(c -> !c.rollouts().isEmpty()).count(),
        "the 40 candidates whose rollouts came back are logged, once each");
    for (EvaluatedCandidate c : logged) {
      assertTrue(!hanging.hungIds.contains(c.problem().id()), "dropped candidate " + c.problem().id() + " logged");
    }
    assertEquals(stopped.rollouts(), logged.stream().mapToLong(c -> c.rollouts().size()).sum());
    assertEquals(replay(logged), ArchiveJson.toJson(cp.archive()), "archive = replay of the log");

    try (SparqRun run = SparqRun.builder(dir, engine(iterations)).checkpointEvery(0).open()) {
      assertTrue(run.resumed());
      RunStats t = run.run();
      assertEquals(iterations * 16, t.candidates(), "every parent the budget allows, once");
      List<EvaluatedCandidate> all = log(dir, Long.MAX_VALUE);
      assertEquals(logged, all.subList(0, logged.size()), "the stopped run's records are kept as they were");
      assertEquals(t.evaluated(), all.size());
      assertEvaluatedOnce(all);
      assertEquals(replay(all), ArchiveJson.toJson((CellArchive) run.engine().archive()));
    }
  }
}
