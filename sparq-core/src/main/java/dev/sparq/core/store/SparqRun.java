package dev.sparq.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.ConfigException;
import dev.sparq.core.SparqException;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.engine.IterationEvent;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.engine.SparqListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A run in an output directory: wires an engine to a {@link CandidateLog} and writes a
 * {@link Checkpoint} every N iterations, and resumes from the directory when it already holds one.
 *
 * <pre>
 * run-dir/
 *   checkpoint.json        engine state, archive, log position, slots (atomic replace)
 *   log/candidates-000000.jsonl[.gz], candidates-000001...
 * </pre>
 *
 * <pre>{@code
 * Sparq.Builder engine = Sparq.builder().generator(g).solver(s).estimator(e).descriptor(d)
 *     .seeds(seeds).budget(Budget.iterations(500)).seed(42);
 * try (SparqRun run = SparqRun.builder(Path.of("runs/demo"), engine).checkpointEvery(10).open()) {
 *   run.run();   // continues where an interrupted run stopped
 * }
 * }</pre>
 *
 * <p>Resuming requires the same engine configuration (components, seeds, batch size, variant): the
 * checkpoint restores the archive and the totals, the log is cut back to the checkpoint, and the run
 * continues with the same random streams, so it ends exactly where an uninterrupted run would.
 */
public final class SparqRun implements AutoCloseable {
  /** File name of the checkpoint inside the run directory. */
  public static final String CHECKPOINT = "checkpoint.json";

  /** Folder of the candidate log inside the run directory. */
  public static final String LOG = "log";

  private final Path dir;
  private final CandidateLog log;
  private final Map<String, CheckpointSlot> slots;
  private final int every;
  private final boolean resumed;
  private final Sparq sparq;
  private long checkpoints;

  private SparqRun(Builder b) {
    this.dir = b.dir;
    this.every = b.every;
    this.slots = new LinkedHashMap<>();
    for (CheckpointSlot s : b.slots) {
      if (slots.put(s.name(), s) != null) {
        throw ConfigException.forKey("slot", "duplicate checkpoint slot name '" + s.name() + "'");
      }
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create run directory " + dir, e);
    }
    Path cpFile = dir.resolve(CHECKPOINT);
    Sparq.Builder engine = b.engine;
    if (Files.exists(cpFile)) {
      Checkpoint cp = Checkpoint.read(cpFile);
      this.log = CandidateLog.resume(dir.resolve(LOG), b.logOptions, cp.log());
      for (Map.Entry<String, JsonNode> e : cp.slots().entrySet()) {
        CheckpointSlot s = slots.get(e.getKey());
        if (s != null) {
          s.restore(e.getValue());
        }
      }
      engine.resume(cp.state(), cp.archive());
      this.resumed = true;
    } else {
      this.log = CandidateLog.create(dir.resolve(LOG), b.logOptions);
      this.resumed = false;
    }
    engine.sink(log);
    engine.listener(new SparqListener() {
      @Override
      public void onIteration(IterationEvent event) {
        if (every > 0 && (event.iteration() + 1) % every == 0) {
          checkpoint();
        }
      }
    });
    try {
      this.sparq = engine.build();
    } catch (RuntimeException e) {
      log.close();
      throw e;
    }
    if (!sparq.archive().getClass().equals(CellArchive.class)) {
      log.close();
      throw ConfigException.forKey("archive", "checkpoints need a CellArchive, got "
          + sparq.archive().getClass().getName());
    }
    if (!resumed) {
      checkpoint();
    }
  }

  /**
   * Starts configuring a run in {@code dir} around {@code engine}. The builder's sink is replaced by
   * the run's candidate log, and a listener that checkpoints is added.
   */
  public static Builder builder(Path dir, Sparq.Builder engine) {
    return new Builder(dir, engine);
  }

  /** Runs until the engine's budget is exhausted, then writes a final checkpoint. */
  public RunStats run() {
    RunStats totals = sparq.run();
    checkpoint();
    return totals;
  }

  /** Makes the log durable and writes a checkpoint now. */
  public void checkpoint() {
    LogPosition position = log.checkpoint();
    Map<String, JsonNode> state = new TreeMap<>();
    slots.forEach((name, s) -> state.put(name, Objects.requireNonNull(s.save(),
        "slot " + name + " saved null")));
    new Checkpoint(sparq.state(), position, (CellArchive) sparq.archive(), state)
        .write(dir.resolve(CHECKPOINT));
    checkpoints++;
  }

  /** The engine (for stepping manually, reading the archive or the totals). */
  public Sparq engine() {
    return sparq;
  }

  /** The candidate log. */
  public CandidateLog log() {
    return log;
  }

  /** Whether this run continued from a checkpoint. */
  public boolean resumed() {
    return resumed;
  }

  /** Checkpoints written by this object. */
  public long checkpoints() {
    return checkpoints;
  }

  /** The run directory. */
  public Path directory() {
    return dir;
  }

  /** Reads the checkpoint of a run directory. */
  public static Checkpoint readCheckpoint(Path dir) {
    Path f = dir.resolve(CHECKPOINT);
    if (!Files.exists(f)) {
      throw new SparqException("no checkpoint in " + dir);
    }
    return Checkpoint.read(f);
  }

  /** Closes the engine and the log (without a further checkpoint). */
  @Override
  public void close() {
    sparq.close();
  }

  /** Builder of {@link SparqRun}. */
  public static final class Builder {
    private final Path dir;
    private final Sparq.Builder engine;
    private int every = 10;
    private LogOptions logOptions = LogOptions.defaults();
    private final List<CheckpointSlot> slots = new ArrayList<>();

    private Builder(Path dir, Sparq.Builder engine) {
      this.dir = Objects.requireNonNull(dir, "dir");
      this.engine = Objects.requireNonNull(engine, "engine");
    }

    /** Checkpoint after every {@code n} iterations (default 10; 0 = only at the end). */
    public Builder checkpointEvery(int n) {
      if (n < 0) {
        throw ConfigException.forKey("checkpointEvery", "must be >= 0, was " + n);
      }
      this.every = n;
      return this;
    }

    public Builder logOptions(LogOptions options) {
      this.logOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /** Adds component state to every checkpoint. */
    public Builder slot(CheckpointSlot slot) {
      this.slots.add(Objects.requireNonNull(slot, "slot"));
      return this;
    }

    /** Creates the run, or resumes it when the directory holds a checkpoint. */
    public SparqRun open() {
      return new SparqRun(this);
    }
  }
}
