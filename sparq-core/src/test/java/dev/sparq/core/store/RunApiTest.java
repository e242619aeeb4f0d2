package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.ConfigException;
import dev.sparq.core.Outcome;
import dev.sparq.core.archive.AddResult;
import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.ArchiveStats;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.archive.Tessellation;
import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.InMemorySink;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.engine.SparqConfig;
import dev.sparq.core.internal.Json;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.Evaluation;
import dev.sparq.testkit.math.ArithmeticDomain;
import dev.sparq.core.stage.StageContext;
import dev.sparq.core.state.Stateful;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 18: the run API (configuration, run objects, stopping, listeners, ask/tell, state). */
class RunApiTest {
  @TempDir Path tmp;

  private static String fingerprint(Sparq s) {
    List<String> ids = s.archive().members().stream().map(e -> e.id() + "@" + e.quality()).toList();
    return ids + " " + s.totals();
  }

  @Test
  void aBuilderConfiguresTwoRunDirectoriesOneAfterTheOther() throws IOException {
    Sparq.Builder engine = RunFixtures.engine(8);
    List<String> results = new ArrayList<>();
    for (String name : List.of("a", "b")) {
      try (SparqRun run = SparqRun.builder(tmp.resolve(name), engine).checkpointEvery(2).open()) {
        run.run();
        results.add(ArchiveJson.toJson((CellArchive) run.engine().archive()) + run.engine().totals());
      }
    }
    assertEquals(results.get(0), results.get(1), "the same configuration gives the same run");
    assertEquals(SparqRunTest.logLines(tmp.resolve("a")), SparqRunTest.logLines(tmp.resolve("b")));
    // the builder kept its own default sink: SparqRun did not change it
    try (Sparq plain = engine.build()) {
      assertInstanceOf(InMemorySink.class, plain.sink());
    }
  }

  @Test
  void aRunWithoutARunDirectoryCanBeExported() throws java.io.IOException {
    Path log = tmp.resolve("log");
    java.util.List<dev.sparq.core.model.EvaluatedCandidate> kept;
    try (Sparq run = RunFixtures.engine(6).config().start()) {
      run.run();
      kept = run.candidates();
      try (CandidateLog l = CandidateLog.create(log, LogOptions.defaults().withFsync(false))) {
        kept.forEach(l::append);
      }
    }
    dev.sparq.core.export.ExportReport memory = dev.sparq.core.export.Exporter.builder().candidates(kept)
        .output(tmp.resolve("from-memory")).build().run();
    dev.sparq.core.export.ExportReport file = dev.sparq.core.export.Exporter.builder().log(log)
        .output(tmp.resolve("from-log")).build().run();
    assertTrue(memory.examplesWritten() > 0, "the run produced something to train on");
    assertEquals(file.examplesWritten(), memory.examplesWritten());
    assertArrayEquals(java.nio.file.Files.readAllBytes(file.data()),
        java.nio.file.Files.readAllBytes(memory.data()));
    assertThrows(dev.sparq.core.ConfigException.class, () -> dev.sparq.core.export.Exporter.builder()
        .log(log).candidates(kept).output(tmp.resolve("x")).build());
  }

  @Test
  void aConfigurationStartsTwoIndependentRuns() {
    SparqConfig config = RunFixtures.engine(6).config();
    String first;
    int firstCandidates;
    try (Sparq run = config.start()) {
      RunStats t = run.run();
      first = fingerprint(run);
      firstCandidates = run.candidates().size();
      assertEquals(t.evaluated(), firstCandidates, "the default in-memory sink keeps every candidate");
    }
    try (Sparq run = config.start()) {
      assertEquals(0, run.iteration(), "a new run starts from scratch");
      run.run();
      assertEquals(first, fingerprint(run));
      assertEquals(firstCandidates, run.candidates().size());
    }
    assertEquals(2, config.runsStarted());
  }

  @Test
  void instancesServeOneRunAndFactoriesMany() {
    SparqConfig withInstance = RunFixtures.engine(2).archive(CellArchive.categorical(3)).config();
    withInstance.start().close();
    assertThrows(ConfigException.class, withInstance::start);
    SparqConfig withFactory = RunFixtures.engine(2).archive(() -> CellArchive.categorical(3)).config();
    try (Sparq a = withFactory.start(); Sparq b = withFactory.start()) {
      a.run();
      assertTrue(b.archive().size() < a.archive().size() || a.archive() != b.archive());
      assertFalse(a.archive() == b.archive());
    }
  }

  @Test
  void untilAndStopEndARunEarly() {
    try (Sparq run = RunFixtures.engine(100).until(t -> t.added() >= 10).build()) {
      RunStats t = run.run();
      assertTrue(t.added() >= 10 && t.iterations() < 100, t.toString());
    }
    AtomicInteger seen = new AtomicInteger();
    Sparq[] holder = new Sparq[1];
    try (Sparq run = RunFixtures.engine(100)
        .onIteration(e -> {
          if (seen.incrementAndGet() == 3) {
            holder[0].stop();
          }
        }).build()) {
      holder[0] = run;
      RunStats t = run.run();
      assertEquals(3, t.iterations(), "stop() ends the run after the iteration in progress");
      assertTrue(run.stopRequested());
    }
    try (Sparq run = RunFixtures.engine(100).build()) {
      assertEquals(4, run.run(t -> t.iterations() >= 4).iterations());
    }
  }

  @Test
  void listenersCanBeLambdas() {
    AtomicInteger iterations = new AtomicInteger();
    AtomicInteger candidates = new AtomicInteger();
    try (Sparq run = RunFixtures.engine(4).onIteration(e -> iterations.incrementAndGet())
        .onCandidate(c -> candidates.incrementAndGet()).onRejection(r -> { }).build()) {
      RunStats t = run.run();
      assertEquals(4, iterations.get());
      assertEquals(t.evaluated(), candidates.get());
    }
  }

  @Test
  void askTellWithTheSameStagesEqualsStep() {
    String stepped;
    try (Sparq run = RunFixtures.engine(6).build()) {
      run.run();
      stepped = fingerprint(run);
    }
    var estimator = ArithmeticDomain.estimator(8, 0.1, 0.9);
    var solver = ArithmeticDomain.solver(0.15);
    var descriptor = ArithmeticDomain.descriptor();
    try (Sparq run = RunFixtures.engine(6).build()) {
      for (int i = 0; i < 6; i++) {
        Sparq.Ask ask = run.ask();
        assertThrows(IllegalStateException.class, run::ask);
        // the caller owns the loop; here it evaluates with the engine's own components and streams
        List<Outcome<Evaluation>> ev = new ArrayList<>();
        List<Outcome<Descriptor>> ds = new ArrayList<>();
        assertEquals(8, run.chunkSize());
        for (int c = 0; c < ask.children().size(); c += 8) {
          var chunk = ask.children().subList(c, Math.min(ask.children().size(), c + 8));
          ev.addAll(estimator.estimate(chunk, solver, run.estimateContext(ask, c / 8)));
        }
        List<dev.sparq.core.model.Problem> measured = new ArrayList<>();
        for (int c = 0; c < ev.size(); c++) {
          if (ev.get(c).isPresent()) {
            measured.add(ask.children().get(c));
          }
        }
        List<Outcome<Descriptor>> described = new ArrayList<>();
        for (int c = 0; c < measured.size(); c += 8) {
          described.addAll(descriptor.describe(measured.subList(c, Math.min(measured.size(), c + 8)),
              run.describeContext(ask, c / 8)));
        }
        int k = 0;
        for (Outcome<Evaluation> e : ev) {
          ds.add(e.isPresent() ? described.get(k++) : null);
        }
        run.tell(ask, ev, ds);
      }
      assertEquals(stepped, fingerprint(run));
    }
  }

  /** An archive class of its own: every call goes to a wrapped categorical CellArchive. */
  abstract static class DelegatingArchive implements Archive {
    CellArchive inner = CellArchive.categorical(3);

    @Override public List<AddResult> add(List<Elite> candidates) {
      return inner.add(candidates);
    }
    @Override public int capacity() {
      return inner.capacity();
    }
    @Override public Tessellation tessellation() {
      return inner.tessellation();
    }
    @Override public int cellOf(Descriptor d) {
      return inner.cellOf(d);
    }
    @Override public List<Elite> cell(int c) {
      return inner.cell(c);
    }
    @Override public int[] occupiedCells() {
      return inner.occupiedCells();
    }
    @Override public List<Elite> members() {
      return inner.members();
    }
    @Override public int size() {
      return inner.size();
    }
    @Override public ArchiveStats stats() {
      return inner.stats();
    }
    @Override public Optional<Elite> sampleMember(RandomGenerator r) {
      return inner.sampleMember(r);
    }
    @Override public Optional<Elite> sampleByCell(RandomGenerator r) {
      return inner.sampleByCell(r);
    }
  }

  /** A custom archive that can save its state. */
  static final class OwnArchive extends DelegatingArchive implements Stateful {
    @Override public String stateName() {
      return "own_archive";
    }
    @Override public JsonNode saveState() {
      try {
        return Json.mapper().readTree(ArchiveJson.toJson(inner));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    @Override public void restoreState(JsonNode state) {
      inner = ArchiveJson.fromJson(state.toString());
    }
  }

  @Test
  void aCustomArchiveRoundTripsThroughACheckpoint() throws IOException {
    Path whole = tmp.resolve("whole");
    String wholeResult;
    try (SparqRun run = SparqRun.builder(whole, RunFixtures.engine(20).archive(OwnArchive::new))
        .checkpointEvery(5).open()) {
      run.run();
      wholeResult = fingerprint(run.engine());
    }
    Checkpoint saved = SparqRun.readCheckpoint(whole);
    assertNull(saved.archive(), "a custom archive is not stored as a CellArchive");
    assertTrue(saved.slots().containsKey("own_archive"));

    Path parts = tmp.resolve("parts");
    try (SparqRun run = SparqRun.builder(parts, RunFixtures.engine(20).archive(OwnArchive::new))
        .checkpointEvery(5).open()) {
      for (int i = 0; i < 13; i++) {
        run.engine().step();
      }
    }
    try (SparqRun run = SparqRun.builder(parts, RunFixtures.engine(20).archive(OwnArchive::new))
        .checkpointEvery(5).open()) {
      assertTrue(run.resumed());
      assertEquals(10, run.engine().iteration());
      assertInstanceOf(OwnArchive.class, run.engine().archive());
      run.run();
      assertEquals(wholeResult, fingerprint(run.engine()));
    }
    assertEquals(SparqRunTest.logLines(whole), SparqRunTest.logLines(parts));
  }

  @Test
  void anArchiveWithoutStateCannotBeCheckpointed() {
    // a delegating archive that does not implement Stateful
    Archive bare = new DelegatingArchive() {};
    ConfigException e = assertThrows(ConfigException.class, () -> SparqRun.builder(tmp.resolve("x"),
        RunFixtures.engine(2).archive(bare)).open());
    assertTrue(e.getMessage().contains("Stateful"), e.getMessage());
  }
}
