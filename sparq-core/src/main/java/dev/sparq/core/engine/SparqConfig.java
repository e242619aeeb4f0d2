package dev.sparq.core.engine;

import dev.sparq.core.ConfigException;
import dev.sparq.core.archive.Archive;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An immutable engine configuration that starts runs, in the style of Jenetics' {@code Engine}: the
 * components, seeds, variant, budget, listeners and sink of {@link Sparq.Builder}, frozen by
 * {@link Sparq.Builder#config()}. Each {@link #start()} returns a new {@link Sparq} run that owns
 * its own archive, counters and sink, so one configuration can start several runs one after the
 * other (or side by side, when the components are thread-safe).
 *
 * <pre>{@code
 * SparqConfig config = Sparq.builder()
 *     .generator(g).solver(s).estimator(e).descriptor(d).seedProblems(seeds)
 *     .budget(Budget.iterations(50)).randomSeed(42)
 *     .config();
 * try (Sparq run = config.start()) {
 *   run.run();
 *   List<EvaluatedCandidate> all = run.candidates(); // the default in-memory sink
 * }
 * try (Sparq again = config.toBuilder().randomSeed(43).config().start()) { ... }
 * }</pre>
 *
 * <p>Components (generator, solver, estimator, descriptor, listeners) are shared by the runs. An
 * archive or sink given as an instance ({@link Sparq.Builder#archive(Archive)},
 * {@link Sparq.Builder#sink(CandidateSink)}) belongs to the first run; give factories to start more.
 */
public final class SparqConfig {
  private final Sparq.Builder builder;
  private final AtomicInteger starts = new AtomicInteger();

  SparqConfig(Sparq.Builder builder) {
    this.builder = builder;
  }

  /** Starts a new run (describes the seeds; for dynamic variants seeds the archive). */
  public Sparq start() {
    if (starts.getAndIncrement() > 0) {
      if (builder.archiveInstance() != null) {
        throw ConfigException.forKey("archive", "an archive instance serves one run; give "
            + "archive(Supplier) to start several runs from one configuration");
      }
      if (builder.sinkInstance() != null) {
        throw ConfigException.forKey("sink", "a sink instance serves one run (the run closes it);"
            + " give sink(Supplier) to start several runs from one configuration");
      }
    }
    return new Sparq(builder.copy());
  }

  /** A builder holding this configuration, to derive another one. */
  public Sparq.Builder toBuilder() {
    return builder.copy();
  }

  /**
   * A new archive as the configuration would give a run, or null when the engine's default is
   * used: the factory's product, or the instance given to the builder.
   */
  public Archive newArchive() {
    if (builder.archiveFactory() != null) {
      return builder.archiveFactory().get();
    }
    return builder.archiveInstance();
  }

  /** The generator, solver, estimator and descriptor, in that order. */
  public java.util.List<Object> components() {
    return java.util.List.copyOf(builder.components());
  }

  /**
   * The settings a run resumed from a checkpoint must share with the run that wrote it (random
   * seed, variant, mode, batch size, niche capacity, and the seed set's size and digest), by name.
   * {@link dev.sparq.core.store.SparqRun} records them in the checkpoint and refuses to resume with
   * different ones; the budget is not among them, so a finished run can be extended.
   */
  public java.util.Map<String, String> resumeSettings() {
    return java.util.Collections.unmodifiableMap(builder.resumeSettings());
  }

  /** Runs started so far. */
  public int runsStarted() {
    return starts.get();
  }
}
