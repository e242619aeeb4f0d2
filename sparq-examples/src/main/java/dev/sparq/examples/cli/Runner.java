package dev.sparq.examples.cli;

import dev.sparq.core.DataException;
import dev.sparq.core.engine.IterationEvent;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.engine.SparqListener;
import dev.sparq.core.store.SparqRun;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the engine for a run directory: builds the stages from its configuration, hands the engine
 * to sparq-core's {@link SparqRun} (candidate log and checkpoints every {@code checkpointEvery}
 * iterations and at the end), writes every iteration's metrics, and resumes from the last checkpoint
 * when asked.
 */
public final class Runner {
  private Runner() {}

  /**
   * What a run did.
   *
   * @param totals the run totals at the end (over all processes that worked on the run)
   * @param iterationsThisProcess iterations this call ran
   * @param stoppedEarly whether it stopped (Ctrl-C) before the budget was exhausted
   */
  public record Result(RunStats totals, long iterationsThisProcess, boolean stoppedEarly, Traffic traffic) {
    /** A result without model traffic (a run without a model backend). */
    public Result(RunStats totals, long iterationsThisProcess, boolean stoppedEarly) {
      this(totals, iterationsThisProcess, stoppedEarly, null);
    }
  }

  /**
   * What this process asked of its models, all models together. The run's {@code tokens} total (and
   * {@code budget.tokens}) counts what the servers reported for the answered requests from the
   * engine's first iteration on; a failed attempt that was retried (an HTTP error, a timeout, a reply
   * that could not be read) reports none, and the seed labelling before the first iteration (a new
   * run's only: a resume restores the labels from the checkpoint) is counted here but not in the budget.
   *
   * @param setupTokens tokens spent before the engine started (labelling the seeds for the skill
   *     vocabulary), not counted by the budget
   * @param tokens all tokens this process's models reported, {@code setupTokens} included
   * @param attempts HTTP requests sent to OpenAI-compatible servers, retries included (0 without such
   *     a backend)
   * @param answered attempts that returned a usable response
   * @param retried failed attempts that were retried
   * @param failures failed attempts by kind (retried or not), lower-case kind names
   */
  public record Traffic(long setupTokens, long tokens, long attempts, long answered, long retried,
      java.util.Map<String, Long> failures) {
    public Traffic {
      failures = java.util.Map.copyOf(failures);
    }

    /** Reads the counters of {@code models} now; {@code setupTokens} as measured at the start. */
    static Traffic of(java.util.List<dev.sparq.core.llm.UsageReporting> models, long setupTokens) {
      long tokens = 0;
      long attempts = 0;
      long answered = 0;
      long retried = 0;
      java.util.Map<String, Long> failures = new java.util.TreeMap<>();
      for (dev.sparq.core.llm.UsageReporting m : models) {
        tokens += m.tokenUsage().totalTokens();
        if (m instanceof dev.sparq.openai.OpenAiLanguageModel o) {
          dev.sparq.openai.EndpointStats t = o.metrics().total();
          attempts += t.attempts();
          answered += t.responses();
          retried += t.retries();
          t.failures().forEach((k, v) -> {
            if (v > 0) {
              failures.merge(k.name().toLowerCase(java.util.Locale.ROOT), v, Long::sum);
            }
          });
        }
      }
      return new Traffic(setupTokens, tokens, attempts, answered, retried, failures);
    }

    /** Tokens reported by {@code models} so far. */
    static long tokens(java.util.List<dev.sparq.core.llm.UsageReporting> models) {
      long n = 0;
      for (dev.sparq.core.llm.UsageReporting m : models) {
        n += m.tokenUsage().totalTokens();
      }
      return n;
    }
  }

  /**
   * A request, from another thread, to stop a run that {@link Runner} drives: the command line's
   * shutdown hook makes one on Ctrl-C. {@link #now()} ends the run within moments whatever the model
   * servers do ({@link Sparq#stopNow()}: the work not finished is abandoned, the completed work is
   * checkpointed, a resumed run redoes the rest); {@link #giveUp()} and {@link
   * #beginCheckpoint()} let the waiting thread and the run agree on whether the final checkpoint is
   * written, so that one is never cut off in the middle.
   */
  public static final class Stop {
    private final AtomicBoolean requested;
    private volatile Sparq engine;
    private volatile boolean now;
    /**
     * 0: running; 1: the final checkpoint is being written; 2: the waiting thread gave up; 3: the
     * final checkpoint was written (or failed).
     */
    private int phase;

    /** A stop not yet requested. */
    public Stop() {
      this(new AtomicBoolean());
    }

    /** A stop requested when {@code flag} is set: the run ends after the iteration in progress. */
    Stop(AtomicBoolean flag) {
      this.requested = flag;
    }

    /**
     * Stops the run at once: the iteration in progress (in the asynchronous mode, the candidates in
     * flight) is abandoned and the completed work checkpointed. Safe from any thread, any time.
     */
    public void now() {
      now = true;
      requested.set(true);
      Sparq e = engine;
      if (e != null) {
        e.stopNow();
      }
    }

    /** Whether a stop was requested. */
    public boolean requested() {
      return requested.get();
    }

    /** Hands the request on to the run's engine (one requested before the engine existed, too). */
    void attach(Sparq e) {
      engine = e;
      if (now) {
        e.stopNow();
      }
    }

    /**
     * Called by the run before its final checkpoint: false when the waiting thread already gave up
     * (the process is exiting; the last checkpoint written stays the one to resume from).
     */
    synchronized boolean beginCheckpoint() {
      if (phase == 2) {
        return false;
      }
      phase = 1;
      return true;
    }

    /** Called by the run when its final checkpoint was written, or failed. */
    synchronized void endCheckpoint() {
      phase = 3;
      notifyAll();
    }

    /**
     * Called by a thread that waited long enough for the run to end: returns at once when no final
     * checkpoint is being written (none will be started: the process may exit now), else once it
     * was written (cutting it off would lose nothing, the write is atomic, but waste it).
     */
    public synchronized void giveUp() throws InterruptedException {
      if (phase == 0) {
        phase = 2;
      }
      while (phase == 1) {
        wait();
      }
    }

    /** Whether the final checkpoint was written (or its write failed). */
    public synchronized boolean checkpointEnded() {
      return phase == 3;
    }
  }

  /**
   * Runs (or resumes) until the configuration's budget is exhausted or {@code stop} is set.
   *
   * @param dir the run directory (its configuration decides everything)
   * @param resume continue from the last checkpoint instead of starting fresh
   * @param progress how progress is shown (null or NONE: not at all)
   * @param err where progress goes
   * @param stop set from another thread (a shutdown hook) to stop after the current iteration
   */
  public static Result run(RunDirectory dir, boolean resume, Progress.Mode progress, PrintStream err,
      AtomicBoolean stop) {
    return run(dir, resume, progress, err, new Stop(stop));
  }

  /**
   * Runs (or resumes) until the configuration's budget is exhausted or {@code stop} is requested
   * ({@link Stop#now()} ends it at once, with a checkpoint of the completed work).
   */
  public static Result run(RunDirectory dir, boolean resume, Progress.Mode progress, PrintStream err,
      Stop stop) {
    try (Components comp = Components.open(dir.config(), Components.models(dir.config()), Components.EMBEDDERS,
        resume)) {
      return run(dir, comp, resume, progress, err, stop);
    }
  }

  /** As {@link #run(RunDirectory, boolean, Progress.Mode, PrintStream, Stop)} with stages already open. */
  static Result run(RunDirectory dir, Components comp, boolean resume, Progress.Mode progress,
      PrintStream err, Stop stop) {
    RunConfig c = dir.config();
    // run, resume and demo hold run.lock here, and only they write run.json and metrics.jsonl:
    // temporary copies are left over from a process killed while writing them
    dev.sparq.core.internal.AtomicFiles.removeStale(dir.root().resolve(RunDirectory.MANIFEST));
    dev.sparq.core.internal.AtomicFiles.removeStale(dir.root().resolve(RunDirectory.METRICS));
    RunStats start = RunStats.empty();
    if (resume) {
      RunDirectory.SavedCheckpoint cp = dir.readCheckpoint().orElseThrow(() -> new DataException(dir.root(), 0,
          null, "no checkpoint to resume from (" + RunDirectory.CHECKPOINT + " is missing)"));
      start = cp.state().totals();
      dir.truncateMetrics(start.iterations());
    } else if (dir.readCheckpoint().isPresent()) {
      throw new DataException(dir.root(), 0, null, "the run directory already has a checkpoint; use "
          + "'sparq resume " + dir.root() + "'");
    }
    dir.recordRuntime(comp.runtime());
    long setupTokens = Traffic.tokens(comp.usage());
    {
      Progress bar = progress == null || progress == Progress.Mode.NONE ? null
          : new Progress(err, progress, c.budget(), start, 10_000, System::nanoTime,
              c.engine().async() ? c.batchSize() : 0);
      Sparq.Builder b = Sparq.builder()
          .generator(comp.generator())
          .solver(comp.solver())
          .estimator(comp.estimator())
          .descriptor(comp.descriptor())
          .seedProblems(comp.seeds())
          .variant(c.preset())
          .nicheCapacity(c.capacity())
          .batchSize(c.batchSize())
          .chunkSize(comp.chunkSize())
          .threads(c.threads())
          .budget(c.budget())
          .randomSeed(c.seed())
          .stallLimit(c.stallLimit())
          .mode(c.engine().async() ? dev.sparq.core.engine.Mode.ASYNC : dev.sparq.core.engine.Mode.SYNC)
          .inFlight(Components.inFlight(c))
          .listener(new SparqListener() {
            @Override
            public void onIteration(IterationEvent e) {
              dir.appendMetrics(MetricsRow.of(e));
            }
          });
      if (bar != null) {
        b.listener(bar);
      }
      comp.usage().forEach(b::usage);
      if (c.archive() != RunConfig.ArchiveKind.SKILLS) {
        // grid and CVT archives replace the variant's default; for skills the engine's own default is
        // right: skill-set niches of capacity T, or one cell of capacity T (top-T) for dynamic_uniform
        b.archive(comp.archive());
      }
      long steps = 0;
      try {
        try (SparqRun run = SparqRun.builder(dir.root(), b).checkpointEvery(c.checkpointEvery())
            .logOptions(dev.sparq.core.store.LogOptions.defaults()
                .withRolloutTexts(c.stages().logRolloutTexts())
                .withRecordsPerShard(c.stages().logRecordsPerShard()))
            .open()) {
          Sparq sparq = run.engine();
          stop.attach(sparq);
          // runs until the budget or Ctrl-C; the steady-state scheduler's iterations are groups of
          // batchSize finished candidates, checkpointed like synchronous ones. Stop.now() abandons the
          // work not finished, so the checkpoint below comes within moments whatever the servers do
          long before = sparq.iteration();
          try {
            sparq.run(t -> stop.requested());
          } catch (dev.sparq.core.engine.StalledRunException e) {
            // keep what the stalled iterations logged, then report the stall
            run.checkpoint();
            if (bar != null) {
              bar.finish();
            }
            throw e;
          }
          steps = sparq.iteration() - before;
          if (stop.beginCheckpoint()) {
            try {
              run.checkpoint();
            } finally {
              stop.endCheckpoint();
            }
          }
          if (bar != null) {
            bar.finish();
          }
          return new Result(sparq.totals(), steps, !budgetUsed(c, sparq.totals()),
              comp.usage().isEmpty() ? null : Traffic.of(comp.usage(), setupTokens));
        }
      } finally {
        // a run that failed (a model backend that gave up) ends the bar line before the error is printed
        if (bar != null) {
          bar.finish();
        }
      }
    }
  }

  /**
   * Whether a run with these totals has used its budget. The asynchronous mode counts an iteration
   * or candidate budget in parents (whole groups of batchSize): a group cut short by a failure is a
   * shorter iteration, and the run goes on until every parent the budget allows has run.
   */
  static boolean budgetUsed(RunConfig c, dev.sparq.core.engine.RunStats t) {
    return c.engine().async() ? c.budget().exhaustedByParents(t, c.batchSize()) : c.budget().exhausted(t);
  }

  /**
   * The budget key whose limit a run with these totals has reached, with the counts, for example
   * {@code budget.candidates (24 candidates of 20)}; null when none is (the rule of {@link
   * #budgetUsed}).
   */
  static String usedLimit(RunConfig c, dev.sparq.core.engine.RunStats t) {
    dev.sparq.core.engine.Budget b = c.budget();
    if (c.engine().async()) {
      int batch = c.batchSize();
      if (b.maxIterations() != Long.MAX_VALUE && t.candidates() >= b.parentCap(batch)
          && b.parentCap(batch) == b.withCandidates(Long.MAX_VALUE).parentCap(batch)) {
        return "budget.iterations (" + t.candidates() + " parents of the " + b.parentCap(batch) + " that "
            + b.maxIterations() + " iterations of batchSize " + batch + " allow)";
      }
      if (b.maxCandidates() != Long.MAX_VALUE && t.candidates() >= b.parentCap(batch)) {
        return "budget.candidates (" + t.candidates() + " candidates of " + b.maxCandidates() + ")";
      }
    } else {
      if (t.iterations() >= b.maxIterations()) {
        return "budget.iterations (" + t.iterations() + " iterations of " + b.maxIterations() + ")";
      }
      if (t.candidates() >= b.maxCandidates()) {
        return "budget.candidates (" + t.candidates() + " candidates of " + b.maxCandidates() + ")";
      }
    }
    if (t.rollouts() >= b.maxRollouts()) {
      return "budget.rollouts (" + t.rollouts() + " rollouts of " + b.maxRollouts() + ")";
    }
    if (t.tokens() >= b.maxTokens()) {
      return "budget.tokens (" + t.tokens() + " tokens of " + b.maxTokens() + ")";
    }
    return null;
  }

}
