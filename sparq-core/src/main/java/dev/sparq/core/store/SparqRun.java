package dev.sparq.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.ConfigException;
import dev.sparq.core.SparqException;
import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.engine.SparqConfig;
import dev.sparq.core.engine.SparqListener;
import dev.sparq.core.state.Composite;
import dev.sparq.core.state.Stateful;
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
 *     .seedProblems(seeds).budget(Budget.iterations(500)).randomSeed(42);
 * try (SparqRun run = SparqRun.builder(Path.of("runs/demo"), engine).checkpointEvery(10).open()) {
 *   run.run();   // continues where an interrupted run stopped
 * }
 * }</pre>
 *
 * <p>Resuming requires the same engine configuration (components, seeds, batch size, variant): the
 * checkpoint restores the archive and the totals, the log is cut back to the checkpoint, and the run
 * continues with the same random streams, so it ends exactly where an uninterrupted run would. The
 * checkpoint records {@link SparqConfig#resumeSettings()} (random seed, variant, mode, batch size,
 * niche capacity, the seed set's digest) and a resume with any of them changed is refused with a
 * {@link ConfigException} naming each; the budget may change, which is how a finished run is
 * extended. Components are not compared: give the same ones.
 *
 * <p>While open, the run holds the candidate log's writer lock ({@link CandidateLog#LOCK_FILE}), so
 * a second run on the same directory, in this process or another, is refused until this one is
 * closed.
 */
public final class SparqRun implements AutoCloseable {
  /** File name of the checkpoint inside the run directory. */
  public static final String CHECKPOINT = "checkpoint.json";

  /** Folder of the candidate log inside the run directory. */
  public static final String LOG = "log";

  private final Path dir;
  private final CandidateLog log;
  private final Map<String, Stateful> slots;
  private final int every;
  private final long intervalNanos;
  /** {@link System#nanoTime()} of the last checkpoint written (or of opening). */
  private long lastCheckpoint;
  private final boolean resumed;
  private final Sparq sparq;
  /** The run's archive when it is not a {@link CellArchive} (its state is a slot), else null. */
  private final Stateful archiveState;
  /** The configuration's resume settings, written into every checkpoint. */
  private final Map<String, String> settings;
  private long checkpoints;

  /** {@code c} when it is {@link Stateful}, then the stateful parts of a {@link Composite}, depth first. */
  private static void collectStateful(Object c, List<Stateful> out) {
    if (c instanceof Stateful st) {
      out.add(st);
    }
    if (c instanceof Composite composite) {
      for (Object part : composite.parts()) {
        collectStateful(part, out);
      }
    }
  }

  private SparqRun(Builder b) {
    this.dir = b.dir;
    this.every = b.every;
    // Duration.toNanos overflows past 292 years; such an interval means "never"
    this.intervalNanos = b.interval.compareTo(java.time.Duration.ofDays(365L * 200)) > 0
        ? Long.MAX_VALUE : b.interval.toNanos();
    this.lastCheckpoint = System.nanoTime();
    this.slots = new LinkedHashMap<>();
    // explicit slots, then the components' own state (each object once)
    List<Stateful> candidates = new ArrayList<>(b.slots);
    for (Object c : b.config.components()) {
      collectStateful(c, candidates);
    }
    java.util.Set<Object> added = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Stateful st : candidates) {
      if (!added.add(st)) {
        continue;
      }
      addSlot(st);
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create run directory " + dir, e);
    }
    Path cpFile = dir.resolve(CHECKPOINT);
    // the caller's configuration is never changed: the run works on its own copy
    Sparq.Builder engine = b.config.toBuilder();
    Archive configured = b.config.newArchive();
    Stateful customArchive = null;
    if (configured != null && !configured.getClass().equals(CellArchive.class)) {
      if (!(configured instanceof Stateful st)) {
        throw ConfigException.forKey("archive", configured.getClass().getName() + " cannot be "
            + "checkpointed: a run directory needs a CellArchive or an archive that implements "
            + Stateful.class.getName());
      }
      customArchive = st;
      if (added.add(st)) {
        addSlot(st);
      }
      engine.archive(configured);
    }
    this.archiveState = customArchive;
    this.settings = b.config.resumeSettings();
    // a link named checkpoint.json (even a dangling one) is read, and refused, not taken for "no checkpoint"
    Checkpoint cp = Files.exists(cpFile, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? Checkpoint.read(cpFile) : null;
    if (cp != null) {
      checkSettings(cpFile, cp.settings(), settings);
    }
    // a linked log/ folder would have the log read from, and appended to, a folder elsewhere
    dev.sparq.core.internal.UntrustedFiles.refuseLinksBelow(dir, dir.resolve(LOG));
    // the log's writer lock is taken before any component state is touched, so a second run on
    // this directory is refused without disturbing the first one's components
    this.log = cp != null ? CandidateLog.resume(dir.resolve(LOG), b.logOptions, cp.log(), b.channels)
        : CandidateLog.create(dir.resolve(LOG), b.logOptions, b.channels);
    this.resumed = cp != null;
    // the writer lock is held: no other process is writing a checkpoint here, so temporary
    // checkpoint files are what a killed run left behind
    dev.sparq.core.internal.AtomicFiles.removeStale(cpFile);
    try {
      if (cp != null) {
        for (Map.Entry<String, JsonNode> e : cp.slots().entrySet()) {
          Stateful s = slots.get(e.getKey());
          if (s != null) {
            s.restoreState(e.getValue());
          }
        }
        if (customArchive != null) {
          if (!cp.slots().containsKey(customArchive.stateName())) {
            throw new SparqException(cpFile + ": no state '" + customArchive.stateName()
                + "' for the run's archive " + configured.getClass().getName());
          }
          engine.resume(cp.state(), configured);
        } else {
          if (cp.archive() == null) {
            throw new SparqException(cpFile + ": the checkpoint holds a custom archive's state, but"
                + " the configuration gives no such archive (Sparq.Builder.archive)");
          }
          engine.resume(cp.state(), cp.archive());
        }
      }
      engine.sink(log);
      engine.listener(SparqListener.onIteration(event -> {
        boolean byCount = every > 0 && (event.iteration() + 1) % every == 0;
        boolean byTime = intervalNanos > 0 && System.nanoTime() - lastCheckpoint >= intervalNanos;
        if (byCount || byTime) {
          checkpoint();
        }
      }));
      this.sparq = engine.build();
    } catch (RuntimeException e) {
      log.close();
      throw e;
    }
    if (customArchive == null && !sparq.archive().getClass().equals(CellArchive.class)) {
      sparq.close();
      throw ConfigException.forKey("archive", "checkpoints need a CellArchive or a Stateful archive,"
          + " got " + sparq.archive().getClass().getName());
    }
    if (!resumed) {
      checkpoint();
    }
  }

  /**
   * Refuses to resume when a setting recorded in the checkpoint differs from the configuration's
   * (a checkpoint without recorded settings, written by an older version, is not checked).
   */
  private static void checkSettings(Path cpFile, Map<String, String> recorded,
      Map<String, String> configured) {
    List<String> differ = new ArrayList<>();
    recorded.forEach((key, was) -> {
      String now = configured.get(key);
      if (now != null && !now.equals(was)) {
        differ.add(key + " (checkpoint: " + was + ", configuration: " + now + ")");
      }
    });
    if (!differ.isEmpty()) {
      throw new ConfigException(cpFile + ": the run cannot resume with a different configuration;"
          + " differs: " + String.join("; ", differ) + ". Use the settings the run started with"
          + " (only the budget may change), or start a new run in another directory");
    }
  }

  private void addSlot(Stateful st) {
    if (slots.put(st.stateName(), st) != null) {
      throw ConfigException.forKey("slot", "duplicate checkpoint slot name '" + st.stateName() + "'");
    }
  }

  /**
   * Starts configuring a run in {@code dir} around a snapshot of {@code engine}: the builder is
   * not changed (the run uses its own copy with the candidate log as sink and a checkpointing
   * listener), so it can configure further runs.
   */
  public static Builder builder(Path dir, Sparq.Builder engine) {
    return new Builder(dir, Objects.requireNonNull(engine, "engine").config());
  }

  /** Starts configuring a run in {@code dir} from an engine configuration. */
  public static Builder builder(Path dir, SparqConfig config) {
    return new Builder(dir, config);
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
    slots.forEach((name, s) -> state.put(name, Objects.requireNonNull(s.saveState(),
        "slot " + name + " saved null")));
    new Checkpoint(sparq.state(), position,
        archiveState == null ? (CellArchive) sparq.archive() : null, state, settings)
        .write(dir.resolve(CHECKPOINT));
    checkpoints++;
    lastCheckpoint = System.nanoTime();
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
    if (!Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
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
  /** Default of {@link Builder#checkpointInterval(java.time.Duration)}: five minutes. */
  public static final java.time.Duration DEFAULT_INTERVAL = java.time.Duration.ofMinutes(5);

  public static final class Builder {
    private final Path dir;
    private final SparqConfig config;
    private int every = 10;
    private java.time.Duration interval = DEFAULT_INTERVAL;
    private LogOptions logOptions = LogOptions.defaults();
    private final List<Stateful> slots = new ArrayList<>();
    private dev.sparq.core.internal.ChannelOpener channels = dev.sparq.core.internal.ChannelOpener.DEFAULT;

    private Builder(Path dir, SparqConfig config) {
      this.dir = Objects.requireNonNull(dir, "dir");
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Checkpoint after every {@code n} iterations (default 10; 0 = only at the end and by
     * {@link #checkpointInterval(java.time.Duration) time}).
     */
    public Builder checkpointEvery(int n) {
      if (n < 0) {
        throw ConfigException.forKey("checkpointEvery", "must be >= 0, was " + n);
      }
      this.every = n;
      return this;
    }

    /**
     * Also checkpoint at the end of an iteration when at least {@code interval} has passed since
     * the last checkpoint (default {@link #DEFAULT_INTERVAL}; {@link java.time.Duration#ZERO} =
     * off). A run that fails (a server down for good, a crash) loses only the work since its last
     * checkpoint; against a model server an iteration can take minutes, so counting iterations
     * alone could lose an hour. Checkpoints never change a run's results, only where it can resume.
     */
    public Builder checkpointInterval(java.time.Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative()) {
        throw ConfigException.forKey("checkpointInterval", "must be >= 0, was " + interval);
      }
      this.interval = interval;
      return this;
    }

    public Builder logOptions(LogOptions options) {
      this.logOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * Adds state to every checkpoint. The engine's generator, solver, estimator, descriptor and
     * archive are found on their own when they implement {@link Stateful}; register here only
     * other state (a component wrapped in another, a second adaptive estimator, a model client).
     */
    public Builder slot(Stateful slot) {
      this.slots.add(Objects.requireNonNull(slot, "slot"));
      return this;
    }

    /** Adds a {@link CheckpointSlot} to every checkpoint. */
    public Builder slot(CheckpointSlot slot) {
      return slot(Objects.requireNonNull(slot, "slot").asStateful());
    }

    /** Opens the candidate log's files through {@code opener} (tests simulate a full disk with it). */
    Builder channels(dev.sparq.core.internal.ChannelOpener opener) {
      this.channels = Objects.requireNonNull(opener, "opener");
      return this;
    }

    /** Creates the run, or resumes it when the directory holds a checkpoint. */
    public SparqRun open() {
      return new SparqRun(this);
    }
  }
}
