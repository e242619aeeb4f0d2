package dev.sparq.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.difficulty.ValidityGuard;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.model.AddStatus;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Problem;
import dev.sparq.core.preset.PaperPreset;
import dev.sparq.core.store.Checkpoint;
import dev.sparq.core.store.LogReader;
import dev.sparq.core.store.SparqRun;
import dev.sparq.testkit.math.ArithmeticModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adversarial scheduling of the whole LLM pipeline (the paper preset on the scripted arithmetic
 * model): every model call sleeps a random 0-2 ms first, so chunks and candidates finish in a
 * different order on every run, and some calls throw. The delays are drawn from a seeded stream
 * by call number, so a run's delays are reproducible in distribution but which call gets which
 * delay depends on the race: nothing here depends on the machine's speed to pass.
 */
class ConcurrencyStressTest {
  @TempDir
  Path tmp;

  /** A model that answers after a random delay and throws now and then. */
  static final class JitterModel implements LanguageModel {
    final LanguageModel inner;
    final long seed;
    final double failRate;
    final AtomicLong calls = new AtomicLong();
    volatile boolean failing = true;

    JitterModel(LanguageModel inner, long seed, double failRate) {
      this.inner = inner;
      this.seed = seed;
      this.failRate = failRate;
    }

    @Override
    public List<List<Completion>> complete(List<ChatRequest> requests, SamplingParams params) {
      SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + calls.getAndIncrement());
      int delay = r.nextInt(4);
      try {
        if (delay == 3) {
          Thread.yield();
        } else {
          Thread.sleep(delay);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      if (failing && r.nextDouble() < failRate) {
        throw new UncheckedIOException(new IOException("flaky server (call " + calls.get() + ")"));
      }
      return inner.complete(requests, params);
    }
  }

  static final Set<String> SEED_IDS = new HashSet<>();

  static {
    seeds().forEach(p -> SEED_IDS.add(p.id()));
  }

  static List<Problem> seeds() {
    return ArithmeticModel.seedProblems();
  }


  /** The paper preset on the arithmetic model (garbage and wrong answers included), small batches. */
  static Sparq.Builder paper(LanguageModel model, boolean adaptive, long iterations) {
    PaperPreset.Setup setup = PaperPreset.builder().model(model).seedProblems(seeds())
        .variant(Variant.DYNAMIC_DIVERSE).nicheCapacity(3).adaptive(adaptive).batchSize(24)
        .guardPolicy(ValidityGuard.Policy.DROP).randomSeed(31).setup();
    return setup.sparq().chunkSize(3).budget(Budget.iterations(iterations));
  }

  static String logBytes(Path runDir) throws IOException {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> s = Files.list(runDir.resolve(SparqRun.LOG))) {
      for (Path p : s.filter(f -> f.getFileName().toString().startsWith("candidates-")).sorted().toList()) {
        sb.append(p.getFileName()).append('\n').append(Files.readString(p));
      }
    }
    return sb.toString();
  }

  static List<EvaluatedCandidate> log(Path runDir) {
    List<EvaluatedCandidate> out = new ArrayList<>();
    try (LogReader r = LogReader.open(runDir.resolve(SparqRun.LOG))) {
      long seq = 0;
      while (r.hasNext()) {
        var c = r.next();
        assertEquals(seq++, c.seq(), "seq is contiguous");
        out.add(c.candidate());
      }
    }
    return out;
  }

  /** The archive a fresh engine ends with when offered the logged candidates in order. */
  static String replay(Sparq.Builder config, List<EvaluatedCandidate> log) {
    return SteadyStateTest.replay(config, log);
  }

  static void assertLoggedOnce(List<EvaluatedCandidate> log) {
    SteadyStateTest.assertLoggedOnce(log, SEED_IDS);
  }

  /** Every NEW or IMPROVED record whose elite is still in the archive matches it exactly. */
  static void assertArchiveMatchesLog(Archive archive, List<EvaluatedCandidate> log) {
    Map<String, EvaluatedCandidate> byId = new HashMap<>();
    for (EvaluatedCandidate c : log) {
      if (!c.duplicate()) {
        byId.put(c.problem().id(), c);
      }
    }
    for (Elite e : archive.members()) {
      EvaluatedCandidate c = byId.get(e.id());
      if (c == null) {
        continue; // a seed
      }
      assertTrue(c.status() == AddStatus.NEW || c.status() == AddStatus.IMPROVED || c.status().accepted(),
          "archive member " + e.id() + " logged as " + c.status());
      assertEquals(c.difficulty(), e.difficulty());
      assertEquals(c.descriptor(), e.descriptor());
    }
  }

  private String syncRun(int threads, long jitterSeed, boolean adaptive) throws IOException {
    JitterModel model = new JitterModel(new ArithmeticModel(0.2, 0.1, 0.1), jitterSeed, 0);
    Path dir = tmp.resolve("sync-" + adaptive + "-" + threads + "-" + jitterSeed);
    Sparq.Builder config = paper(model, adaptive, 4).threads(threads);
    String archive;
    RunStats t;
    try (SparqRun run = SparqRun.builder(dir, config).checkpointEvery(1).open()) {
      t = run.run();
      archive = ArchiveJson.toJson((CellArchive) run.engine().archive());
    }
    List<EvaluatedCandidate> log = log(dir);
    assertEquals(t.evaluated(), log.size());
    assertLoggedOnce(log);
    return archive + "\n" + t + "\n" + logBytes(dir);
  }

  @Test
  void syncRunsGiveTheSameBytesOnAnyThreadCountUnderRandomDelays() throws IOException {
    for (boolean adaptive : new boolean[] {false, true}) {
      String reference = syncRun(1, 1, adaptive);
      int[] threads = {2, 3, 8, 32};
      for (int i = 0; i < threads.length; i++) {
        assertEquals(reference, syncRun(threads[i], 100 + i, adaptive),
            "threads " + threads[i] + " (adaptive " + adaptive + ")");
      }
    }
  }

  /**
   * Async runs against a model that throws now and then: each failure ends the run with the
   * model's exception; the log on disk is then the archive's history (the finished candidates of
   * the interrupted group included), and the resumed run continues from the checkpoint. At the end
   * every candidate is logged once and the archive is the replay of the log.
   */
  @Test
  void asyncRunsFailingNowAndThenLoseAndDuplicateNothing() throws IOException {
    for (long seed = 1; seed <= 3; seed++) {
      JitterModel model = new JitterModel(new ArithmeticModel(0.2, 0.1, 0.1), seed, 0.004);
      Path dir = tmp.resolve("async-fail-" + seed);
      Sparq.Builder config = paper(model, seed % 2 == 0, 10).mode(Mode.ASYNC).inFlight(6);
      int failures = 0;
      boolean finished = false;
      while (!finished) {
        try (SparqRun run = SparqRun.builder(dir, config).checkpointEvery(seed == 3 ? 2 : 1).open()) {
          // seed 2 retries on the same engine after a failure, the others reopen the run directory
          for (int attempt = 0; attempt < (seed == 2 ? 1_000 : 1); attempt++) {
          try {
            RunStats t = run.run();
            // a group cut short by a failure is a shorter iteration; the budget counts parents
            assertTrue(t.iterations() >= 10, "iterations " + t.iterations());
            assertEquals(10L * 24, t.candidates());
            finished = true;
            break;
          } catch (UncheckedIOException e) {
            assertTrue(e.getCause().getMessage().startsWith("flaky server"), e.toString());
            failures++;
            assertTrue(failures < 200, "the run never finishes");
            // what the failed run holds in memory agrees with what it logged
            run.log().flush();
            List<EvaluatedCandidate> log = log(dir);
            assertLoggedOnce(log);
            assertEquals(run.engine().totals().evaluated(), log.size(),
                "totals count what the log holds");
            assertEquals(replay(config, log), ArchiveJson.toJson((CellArchive) run.engine().archive()),
                "after a failure the archive is the replay of the log");
            // the checkpoint holds no in-flight work
            Checkpoint cp = SparqRun.readCheckpoint(dir);
            List<EvaluatedCandidate> prefix = log.subList(0, (int) cp.log().records());
            assertEquals(cp.state().totals().evaluated(), prefix.size());
            assertEquals(replay(config, prefix), ArchiveJson.toJson(cp.archive()));
          }
          }
        }
      }
      assertTrue(failures > 0, "seed " + seed + ": no call failed");
      model.failing = false;
      List<EvaluatedCandidate> log = log(dir);
      assertLoggedOnce(log);
      Checkpoint cp = SparqRun.readCheckpoint(dir);
      assertEquals(cp.state().totals().evaluated(), log.size());
      assertEquals(10L * 24, cp.state().totals().candidates(), "every parent the budget allows, once");
      assertEquals(cp.state().totals().rollouts(), log.stream().mapToLong(c -> c.rollouts().size()).sum());
      assertEquals(replay(config, log), ArchiveJson.toJson(cp.archive()));
    }
  }

  /** Stops {@code sparq} from another thread after a random 0-40 ms (or never, when it ends first). */
  static Thread stopper(Sparq sparq, SplittableRandom random) {
    long delay = random.nextInt(40);
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        return;
      }
      sparq.stop();
    });
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Runs to the end in pieces, each stopped from another thread at a random moment and resumed
   * from its checkpoint; returns how many pieces it took.
   */
  static int runInPieces(Path dir, Sparq.Builder config, SplittableRandom random) throws InterruptedException {
    int pieces = 0;
    while (true) {
      pieces++;
      assertTrue(pieces < 100, "the run never finishes");
      try (SparqRun run = SparqRun.builder(dir, config).checkpointEvery(3).open()) {
        Thread stopper = stopper(run.engine(), random);
        RunStats t = run.run();
        stopper.interrupt();
        stopper.join();
        // the final checkpoint of a stopped run agrees with its log
        Checkpoint cp = SparqRun.readCheckpoint(dir);
        List<EvaluatedCandidate> log = log(dir);
        assertEquals(t.evaluated(), log.size());
        assertEquals(cp.log().records(), log.size());
        assertLoggedOnce(log);
        assertEquals(replay(config, log), ArchiveJson.toJson(cp.archive()));
        if (!run.engine().stopRequested()) {
          return pieces;
        }
      }
    }
  }

  @Test
  void runsStoppedFromAnotherThreadAtRandomMomentsResumeExactly() throws Exception {
    SplittableRandom random = new SplittableRandom(7);
    // sync: the pieces give the same bytes as an uninterrupted run
    String straight = syncRun(1, 1, false);
    JitterModel model = new JitterModel(new ArithmeticModel(0.2, 0.1, 0.1), 5, 0);
    Path dir = tmp.resolve("sync-stopped");
    Sparq.Builder config = paper(model, false, 4).threads(3);
    int pieces = runInPieces(dir, config, random);
    Checkpoint cp = SparqRun.readCheckpoint(dir);
    assertEquals(straight, ArchiveJson.toJson(cp.archive()) + "\n" + cp.state().totals() + "\n"
        + logBytes(dir), "pieces: " + pieces);
    // async: every parent of the budget once, nothing lost or duplicated
    for (int i = 0; i < 3; i++) {
      Path adir = tmp.resolve("async-stopped-" + i);
      Sparq.Builder async = paper(new JitterModel(new ArithmeticModel(0.2, 0.1, 0.1), 50 + i, 0),
          i == 1, 8).mode(Mode.ASYNC).inFlight(5);
      int n = runInPieces(adir, async, random);
      Checkpoint acp = SparqRun.readCheckpoint(adir);
      assertEquals(8L * 24, acp.state().totals().candidates(),
          "every parent the budget allows, once (pieces: " + n + ")");
    }
  }

  /**
   * Readers of the log and the checkpoint while a run writes them (small shards, so shards rotate
   * under the reader): every read sees a contiguous prefix of records from seq 0, at most one torn
   * last line, and a checkpoint that is never half written.
   */
  @Test
  void readersWhileARunWritesSeeAConsistentPrefix() throws Exception {
    for (Mode mode : Mode.values()) {
      Path dir = tmp.resolve("read-" + mode);
      Sparq.Builder config = paper(new JitterModel(new ArithmeticModel(0.2, 0.1, 0.1), 9, 0), false, 8)
          .mode(mode).inFlight(6).threads(4);
      java.util.concurrent.atomic.AtomicReference<Throwable> readerFailure = new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
      AtomicLong reads = new AtomicLong();
      Thread reader = new Thread(() -> {
        try {
          long last = 0;
          while (true) {
            boolean finalRead = done.get();
            if (!Files.isDirectory(dir.resolve(SparqRun.LOG))) {
              Thread.onSpinWait();
              continue;
            }
            long n = 0;
            try (LogReader r = LogReader.open(dir.resolve(SparqRun.LOG))) {
              while (r.hasNext()) {
                assertEquals(n++, r.next().seq());
              }
              assertTrue(r.tornLines() <= 1);
            }
            assertTrue(n >= last, "the log went backwards: " + n + " < " + last);
            last = n;
            if (Files.exists(dir.resolve(SparqRun.CHECKPOINT))) {
              Checkpoint cp = SparqRun.readCheckpoint(dir);
              assertNotNull(cp.archive());
            }
            reads.incrementAndGet();
            if (finalRead) {
              break;
            }
          }
        } catch (Throwable e) {
          readerFailure.set(e);
        }
      });
      reader.start();
      try (SparqRun run = SparqRun.builder(dir, config).checkpointEvery(1)
          .logOptions(dev.sparq.core.store.LogOptions.defaults().withRecordsPerShard(7)).open()) {
        run.run();
      } finally {
        done.set(true);
        reader.join();
      }
      if (readerFailure.get() != null) {
        throw new AssertionError(mode + ": reader failed after " + reads.get() + " reads", readerFailure.get());
      }
      assertTrue(reads.get() > 0);
      assertLoggedOnce(log(dir));
    }
  }

  /**
   * A model call that throws ends step(); calling step() again retries the same iteration with the
   * same random streams, so a run with a transient failure ends exactly as an uninterrupted one.
   */
  @Test
  void stepAfterAFailedStepRetriesTheIteration() {
    for (boolean adaptive : new boolean[] {false, true}) {
      String straight;
      try (Sparq sparq = paper(new JitterModel(new ArithmeticModel(0.2, 0.1, 0.1), 3, 0), adaptive, 5)
          .threads(3).build()) {
        sparq.run();
        straight = ArchiveJson.toJson((CellArchive) sparq.archive()) + sparq.totals() + sparq.candidates();
      }
      JitterModel flaky = new JitterModel(new ArithmeticModel(0.2, 0.1, 0.1), 3, 0.02);
      int failures = 0;
      try (Sparq sparq = paper(flaky, adaptive, 5).threads(3).build()) {
        while (sparq.totals().iterations() < 5) {
          try {
            sparq.step();
          } catch (UncheckedIOException e) {
            failures++;
            assertTrue(failures < 100);
          }
        }
        assertTrue(failures > 0);
        assertEquals(straight, ArchiveJson.toJson((CellArchive) sparq.archive()) + sparq.totals()
            + sparq.candidates(), "adaptive " + adaptive + ", " + failures + " failures");
      }
    }
  }

  /**
   * A tell refused for a null entry changes nothing (no rejection counted, the ask still pending),
   * so the caller can tell again; the run then equals one driven by step().
   */
  @Test
  void aRefusedTellCanBeRepeated() {
    String stepped;
    try (Sparq run = dev.sparq.core.store.RunFixtures.engine(4).build()) {
      run.run();
      stepped = ArchiveJson.toJson((CellArchive) run.archive()) + run.totals() + run.candidates();
    }
    var estimator = dev.sparq.testkit.math.ArithmeticDomain.estimator(8, 0.1, 0.9);
    var solver = dev.sparq.testkit.math.ArithmeticDomain.solver(0.15);
    var descriptor = dev.sparq.testkit.math.ArithmeticDomain.descriptor();
    try (Sparq run = dev.sparq.core.store.RunFixtures.engine(4).build()) {
      for (int i = 0; i < 4; i++) {
        Sparq.Ask ask = run.ask();
        List<dev.sparq.core.Outcome<dev.sparq.core.model.Evaluation>> ev = new ArrayList<>();
        for (int c = 0; c < ask.children().size(); c += 8) {
          var chunk = ask.children().subList(c, Math.min(ask.children().size(), c + 8));
          ev.addAll(estimator.estimate(chunk, solver, run.estimateContext(ask, c / 8)));
        }
        List<Problem> measured = new ArrayList<>();
        for (int c = 0; c < ev.size(); c++) {
          if (ev.get(c).isPresent()) {
            measured.add(ask.children().get(c));
          }
        }
        List<dev.sparq.core.Outcome<dev.sparq.core.model.Descriptor>> described = new ArrayList<>();
        for (int c = 0; c < measured.size(); c += 8) {
          described.addAll(descriptor.describe(measured.subList(c, Math.min(measured.size(), c + 8)),
              run.describeContext(ask, c / 8)));
        }
        List<dev.sparq.core.Outcome<dev.sparq.core.model.Descriptor>> ds = new ArrayList<>();
        List<dev.sparq.core.Outcome<dev.sparq.core.model.Descriptor>> missing = new ArrayList<>();
        int k = 0;
        for (var e : ev) {
          ds.add(e.isPresent() ? described.get(k++) : null);
          missing.add(null);
        }
        RunStats before = run.totals();
        assertThrows(NullPointerException.class, () -> run.tell(ask, ev, missing));
        assertEquals(before, run.totals(), "a refused tell counts nothing");
        assertThrows(IllegalStateException.class, run::ask, "the ask is still pending");
        run.tell(ask, ev, ds);
      }
      assertEquals(stepped, ArchiveJson.toJson((CellArchive) run.archive()) + run.totals() + run.candidates());
    }
  }

  /** An until predicate that throws mid-group: the finished candidates are logged before it propagates. */
  @Test
  void aThrowingUntilLeavesTheLogEqualToTheArchive() {
    for (int at : new int[] {17, 40, 95}) {
      AtomicLong calls = new AtomicLong();
      Sparq.Builder config = paper(new JitterModel(new ArithmeticModel(0.2, 0.1, 0.1), at, 0), false, 50)
          .mode(Mode.ASYNC).inFlight(6);
      try (Sparq sparq = config.build()) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sparq.run(t -> {
          if (calls.incrementAndGet() == at) {
            throw new IllegalStateException("until broke");
          }
          return false;
        }));
        assertEquals("until broke", e.getMessage());
        List<EvaluatedCandidate> log = sparq.candidates();
        assertLoggedOnce(log);
        assertEquals(sparq.totals().evaluated(), log.size());
        assertEquals(replay(config, log), ArchiveJson.toJson((CellArchive) sparq.archive()),
            "the archive is the replay of the log (until threw at call " + at + ")");
      }
    }
  }

  /** A failed step() returns only when no stage call of its iteration is still running. */
  @Test
  void aFailedStepLeavesNoCallRunning() {
    java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
    AtomicLong calls = new AtomicLong();
    LanguageModel inner = new ArithmeticModel(0.2, 0.1, 0.1);
    LanguageModel model = (requests, params) -> {
      running.incrementAndGet();
      try {
        long n = calls.incrementAndGet();
        if (n == 3) {
          throw new UncheckedIOException(new IOException("flaky server"));
        }
        try {
          Thread.sleep(n % 4 == 0 ? 30 : 1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return inner.complete(requests, params);
      } finally {
        running.decrementAndGet();
      }
    };
    try (Sparq sparq = paper(model, true, 3).threads(8).build()) {
      calls.set(0); // seed descriptions are done; count this run's calls
      assertThrows(UncheckedIOException.class, sparq::step);
      assertEquals(0, running.get(), "a stage call of the failed iteration is still running");
      sparq.run();
      assertEquals(3, sparq.totals().iterations());
    }
  }
}
