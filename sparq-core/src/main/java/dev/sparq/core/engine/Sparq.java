package dev.sparq.core.engine;

import dev.sparq.core.ConfigException;
import dev.sparq.core.Outcome;
import dev.sparq.core.Rejection;
import dev.sparq.core.SparqException;
import dev.sparq.core.archive.AddResult;
import dev.sparq.core.model.AddStatus;
import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.CategoricalTessellation;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.archive.SingleCellTessellation;
import dev.sparq.core.archive.Tessellation;
import dev.sparq.core.llm.TokenUsage;
import dev.sparq.core.llm.UsageReporting;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Evaluation;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.AdmissionAwareEstimator;
import dev.sparq.core.stage.DifficultyEstimator;
import dev.sparq.core.stage.DiversityDescriptor;
import dev.sparq.core.stage.Generator;
import dev.sparq.core.stage.ParentSource;
import dev.sparq.core.stage.Solver;
import dev.sparq.core.stage.StageContext;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SPARQ engine: a MAP-Elites style loop that, each iteration, draws a batch of parents from the
 * working set, generates one child per parent, estimates each child's difficulty from solver
 * rollouts, describes it, offers the batch to the archive, and hands every evaluated child to the
 * {@link CandidateSink}.
 *
 * <pre>{@code
 * try (Sparq sparq = Sparq.builder()
 *     .generator(generator).estimator(estimator).solver(solver).descriptor(descriptor)
 *     .seeds(seeds)
 *     .variant(Variant.DYNAMIC_DIVERSE).nicheCapacity(8)
 *     .batchSize(64).budget(Budget.iterations(100)).seed(42)
 *     .build()) {
 *   RunStats totals = sparq.run();
 *   ArchiveStats stats = sparq.archive().stats();
 * }
 * }</pre>
 *
 * <h2>Determinism</h2>
 * Every random choice uses a generator derived from the run seed, the iteration number, the stage and
 * the chunk index. Batches are cut into chunks of {@link Builder#chunkSize(int)} items whatever the
 * thread count, so a run gives the same archive on 1 or 8 threads provided the components are
 * deterministic functions of their inputs and random generator. Components must be thread-safe when
 * {@link Builder#threads(int)} is above 1.
 *
 * <h2>Duplicates</h2>
 * A child whose problem id was already evaluated in this run is not solved again: the first
 * evaluation (difficulty and descriptor) is reused, the child is handed to the sink marked
 * {@link EvaluatedCandidate#duplicate()} with no rollouts, and it is not offered to the archive. A
 * child whose id is an archive member that was never evaluated (a seed) is evaluated and then
 * refused by the archive as a duplicate.
 *
 * <h2>Stall guard</h2>
 * A run ends with a {@link StalledRunException} after {@link Builder#stallLimit(int)} consecutive
 * iterations that evaluate no new problem (every child rejected or a duplicate), whatever the
 * budget kind, so a broken generator cannot spin for ever under a rollout or token budget.
 *
 * <h2>Throughput mode</h2>
 * With {@link Builder#mode(Mode) mode(Mode.ASYNC)}, {@link #run()} keeps {@link Builder#inFlight(int)}
 * candidates in flight instead of running barriers (see {@link Mode#ASYNC}): budgets, {@link #stop()},
 * the until condition, the stall guard and duplicate handling work per group of
 * {@link Builder#batchSize(int)} finished candidates (the stall guard waits for children still being
 * evaluated before it ends the run, since rejections finish first), and a checkpoint taken at the end of such a
 * group holds no in-flight work (a resumed run generates it again). {@link #step()}, {@link #ask()}
 * and {@link #tell} always run one synchronous iteration.
 *
 * <h2>Stopping</h2>
 * {@link #stop()} ends {@link #run()} after the work in progress (nothing started is wasted);
 * {@link #stopNow()} ends it at once, abandoning the unfinished work, which a resumed run redoes
 * (for a shutdown hook: the {@code sparq} command line calls it on Ctrl-C). Either way the run returns
 * normally and its state is that of the last complete iteration.
 *
 * <h2>Resuming</h2>
 * {@link #state()} and {@link #archive()} capture the run; {@link Builder#resume(EngineState,
 * Archive)} continues it exactly.
 */
public final class Sparq implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sparq.class);

  static final int STAGE_SELECT = 1;
  static final int STAGE_GENERATE = 2;
  static final int STAGE_ESTIMATE = 3;
  static final int STAGE_DESCRIBE = 4;
  static final int STAGE_SEEDS = 5;

  private final Generator generator;
  private final Solver solver;
  private final DifficultyEstimator estimator;
  private final DiversityDescriptor descriptor;
  private final ParentSelector selector;
  private final WorkingSet workingSet;
  private final Archive archive;
  private final Archive seedPool;
  private final int batchSize;
  private final int chunkSize;
  private final int threads;
  private final Budget budget;
  private final long seed;
  private final List<SparqListener> listeners;
  private final CandidateSink sink;
  private final int stallLimit;
  private final Predicate<? super RunStats> until;
  private final Mode mode;
  private final int inFlight;
  private volatile boolean stopRequested;
  /** {@link #stopNow()} was called: stage calls in progress are interrupted, no new one starts. */
  private volatile boolean stopNowRequested;
  /** Guards {@link #stageThread} and {@link #interruptedByStop}. */
  private final Object stageLock = new Object();
  /** The thread running the stages of a {@link #step()} right now, or null (guarded by stageLock). */
  private Thread stageThread;
  /** Whether {@link #stopNow()} interrupted {@link #stageThread} (guarded by stageLock). */
  private boolean interruptedByStop;
  /** The steady-state scheduler of a {@link Mode#ASYNC} run in progress, or null. */
  private volatile SteadyState steadyState;
  private Pending pending;
  private final ExecutorService executor;
  private final List<UsageReporting> usageSources;
  private final TokenUsage usageStart;
  private TokenUsage usageSeen;

  private long iteration;
  private long candidates;
  private long generated;
  private long evaluated;
  private long rollouts;
  private long added;
  private long duplicates;
  private long tokens;
  private int stalled;
  /** First evaluation of every problem id evaluated in this run. */
  private final EvaluatedIds seen = new EvaluatedIds();
  private final EnumMap<AddStatus, Long> statusCounts = new EnumMap<>(AddStatus.class);
  private final TreeMap<String, Long> rejections = new TreeMap<>();

  Sparq(Builder b) {
    this.generator = b.generator;
    this.solver = b.solver;
    this.estimator = b.estimator;
    this.descriptor = b.descriptor;
    this.selector = b.selector != null ? b.selector : b.variant.selector();
    this.workingSet = b.workingSet != null ? b.workingSet : b.variant.workingSet();
    this.batchSize = b.batchSize;
    this.chunkSize = b.chunkSize;
    this.threads = b.threads;
    this.budget = b.budget;
    this.seed = b.resumeState != null ? b.resumeState.seed() : b.seed;
    this.listeners = List.copyOf(b.listeners);
    this.sink = b.sink != null ? b.sink : b.sinkFactory.get();
    this.stallLimit = b.stallLimit;
    this.until = b.until;
    this.mode = b.mode;
    this.inFlight = b.inFlight;
    this.usageSources = List.copyOf(b.usageSources);
    this.usageStart = readUsage();
    this.executor = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "sparq-stage");
      t.setDaemon(true);
      return t;
    }) : null;

    try {
      Archive a = b.archive != null ? b.archive
          : b.archiveFactory != null ? Objects.requireNonNull(b.archiveFactory.get(), "archive factory")
          : null;
      if (a == null) {
        Tessellation t = b.variant.singleCell() ? new SingleCellTessellation() : new CategoricalTessellation();
        a = CellArchive.builder().tessellation(t).capacity(b.nicheCapacity).build();
      }
      if (b.resumeArchive != null) {
        a = b.resumeArchive;
      }
      this.archive = a;

      // describe the seeds once: they form the static pool, or the initial dynamic archive
      Tessellation poolTessellation = archive.tessellation() instanceof CategoricalTessellation
          ? new CategoricalTessellation() : archive.tessellation();
      CellArchive pool = CellArchive.builder().tessellation(poolTessellation)
          .capacity(Integer.MAX_VALUE).build();
      List<Elite> seedElites = describeSeeds(b.seeds);
      pool.add(seedElites);
      this.seedPool = pool;

      if (b.resumeState != null) {
        RunStats t = b.resumeState.totals();
        iteration = t.iterations();
        candidates = t.candidates();
        generated = t.generated();
        evaluated = t.evaluated();
        rollouts = t.rollouts();
        added = t.added();
        duplicates = t.duplicates();
        tokens = t.tokens();
        seen.addAll(b.resumeState.evaluated());
        stalled = b.resumeState.stalled();
        t.statusCounts().forEach((k, v) -> statusCounts.put(AddStatus.valueOf(k), v));
        rejections.putAll(t.rejections());
      } else if (workingSet == WorkingSet.DYNAMIC) {
        archive.add(seedElites);
      }
      if (workingSet == WorkingSet.STATIC ? seedPool.isEmpty() : archive.isEmpty()) {
        throw new ConfigException("the working set is empty: no seed problem could be described ("
            + b.seeds.size() + " seeds given)");
      }
    } catch (RuntimeException e) {
      if (executor != null) {
        executor.shutdownNow();
      }
      throw e;
    }
    this.usageSeen = readUsage();
  }

  /**
   * The children of one iteration to evaluate, from {@link #ask()}.
   *
   * @param iteration the iteration they belong to
   * @param parents the parents drawn
   * @param children the generated children whose problem id was never evaluated in this run, each
   *     id once, in generation order
   */
  public record Ask(long iteration, List<Problem> parents, List<Problem> children) {
    public Ask {
      parents = List.copyOf(parents);
      children = List.copyOf(children);
    }
  }

  /**
   * The context {@link #step()} gives the estimator for chunk {@code chunk} (items
   * {@code chunk * chunkSize} onwards) of {@code ask}'s children: an ask/tell caller that evaluates
   * with it in chunks of {@link #chunkSize()} reproduces {@code step()} exactly.
   */
  public StageContext estimateContext(Ask ask, int chunk) {
    return contextFor(ask, STAGE_ESTIMATE, chunk);
  }

  /**
   * The context {@link #step()} gives the descriptor for chunk {@code chunk} of the children whose
   * evaluation was not rejected.
   */
  public StageContext describeContext(Ask ask, int chunk) {
    return contextFor(ask, STAGE_DESCRIBE, chunk);
  }

  private StageContext contextFor(Ask ask, int stage, int chunk) {
    if (pending == null || pending.ask != ask) {
      throw new IllegalStateException("no pending ask() for this object");
    }
    return new StageContext(new SplittableRandom(RandomSeeds.derive(seed, ask.iteration(), stage,
        chunk)), ask.iteration(), pending.source);
  }

  /** Items per stage call (see {@link Builder#chunkSize(int)}). */
  public int chunkSize() {
    return chunkSize;
  }

  /** What {@link #tell} needs besides the {@link Ask}. */
  /**
   * An asked iteration awaiting its tell; the generator's rejections are reported at tell, so an
   * ask abandoned by a failed {@link #step()} and asked again counts them once.
   */
  private record Pending(Ask ask, List<Problem> children, ParentSource source, long start,
      List<RejectionEvent> generateRejections) {}

  private List<Elite> describeSeeds(List<Problem> seeds) {
    List<Outcome<Descriptor>> described = runChunked(seeds, STAGE_SEEDS, -1, ParentSource.empty(),
        (chunk, ctx) -> descriptor.describe(chunk, ctx), "describe (seeds)");
    List<Elite> out = new ArrayList<>(seeds.size());
    for (int i = 0; i < seeds.size(); i++) {
      Outcome<Descriptor> d = described.get(i);
      if (d.isPresent()) {
        out.add(new Elite(seeds.get(i), Difficulty.unmeasured(), d.value(), -1));
      } else {
        reject(-1, "seed", seeds.get(i).id(), d.rejection());
      }
    }
    return out;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The current sum of the registered usage sources. */
  private TokenUsage readUsage() {
    TokenUsage sum = TokenUsage.NONE;
    for (UsageReporting u : usageSources) {
      sum = sum.plus(u.tokenUsage());
    }
    return sum;
  }

  /**
   * The run's tokens counted so far plus those the registered models have reported since the last
   * iteration (work in flight included): what the steady-state scheduler checks a token budget
   * against before it starts a candidate.
   */
  long liveTokens() {
    return usageSources.isEmpty() ? tokens : tokens + readUsage().since(usageSeen).totalTokens();
  }

  /**
   * Tokens the models registered with {@link Builder#usage(UsageReporting)} processed from the
   * start of this engine object's construction (seed descriptions included) to the end of the last
   * iteration; a resumed run counts from the resume.
   */
  public TokenUsage tokenUsage() {
    return usageSeen.since(usageStart);
  }

  /**
   * Runs iterations until the budget is exhausted, the {@link Builder#until(Predicate)} condition
   * holds or {@link #stop()} is called; returns the totals. The sink is flushed at the end.
   */
  public RunStats run() {
    return run(t -> false);
  }

  /**
   * As {@link #run()}, also stopping as soon as {@code until} holds for the totals (checked before
   * every iteration, so a run whose totals already satisfy it runs no iteration).
   */
  public RunStats run(Predicate<? super RunStats> until) {
    Objects.requireNonNull(until, "until");
    Throwable failure = null;
    try {
      if (mode == Mode.ASYNC) {
        SteadyState s = new SteadyState(this, inFlight);
        steadyState = s;
        try {
          s.run(t -> this.until.test(t) || until.test(t));
        } finally {
          steadyState = null;
        }
      } else {
        while (true) {
          RunStats t = totals();
          if (stopRequested || budget.exhausted(t) || this.until.test(t) || until.test(t)) {
            break;
          }
          try {
            step();
          } catch (IterationAbandonedException e) {
            // stopNow(): the iteration in progress is dropped, the totals are the last complete one's
            break;
          }
        }
      }
    } catch (Throwable t) {
      failure = t;
      throw t;
    } finally {
      flushSink(failure);
    }
    return totals();
  }

  /**
   * Flushes the sink at the end of a run. After a failure the flush is still tried (the records of
   * finished iterations should reach the disk when a model server went down), but a flush that fails
   * too is attached to the first failure instead of replacing it: on a full disk the user reads the
   * write that failed, not the flush that could not repeat it.
   */
  private void flushSink(Throwable failure) {
    if (failure == null) {
      sink.flush();
      return;
    }
    try {
      sink.flush();
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Asks a running {@link #run()} to stop after the iteration in progress: nothing started is
   * wasted, but against model servers the wait can be minutes (a synchronous iteration is a whole
   * batch of generations and rollouts; an asynchronous run first finishes every candidate in flight
   * and launches more until the group in progress is whole). Safe to call from any thread (a
   * shutdown hook, a listener, a UI); the run returns normally with its totals. To end a run within
   * moments whatever the models do, use {@link #stopNow()}.
   */
  public void stop() {
    stopRequested = true;
  }

  /**
   * Stops a running {@link #run()} at once, abandoning the work that has not finished instead of
   * waiting for it; the run returns normally with the totals of what was completed, so that a
   * checkpoint written then holds exactly the finished work and a resumed run redoes the rest. Safe
   * to call from any thread (a shutdown hook on Ctrl-C, a UI); later calls do nothing more.
   *
   * <ul>
   *   <li>{@link Mode#SYNC}: the stage calls of the iteration in progress are interrupted (the
   *       calling thread of {@link #step()} and, with {@link Builder#threads(int)} above 1, the stage
   *       threads) and the iteration is abandoned exactly as when a stage fails: nothing of it reaches
   *       the archive, the totals, the sink or the listeners. {@code step()} throws
   *       {@link IterationAbandonedException}, which {@code run()} catches. A run resumed from the
   *       state after the last complete iteration asks the same iteration again with the same random
   *       streams, so it ends with the archive and log an uninterrupted run has. If the stages had
   *       all returned before the interrupt took effect, the iteration is completed normally.</li>
   *   <li>{@link Mode#ASYNC}: the candidates already finished are committed as a last, shorter
   *       iteration (budgets count parents, so a resumed run still runs every parent the budget
   *       allows); the candidates in flight are dropped, their stage calls interrupted, and none of
   *       them reaches the archive or the sink (a resumed run draws new parents in their place).</li>
   * </ul>
   *
   * <p>Prompt only as far as the stage calls honour interruption: the OpenAI-compatible client
   * cancels its requests at once; a model that computes in-process without checking the interrupt
   * finishes its current call first. The interrupt flag this method sets on the thread running
   * {@code run()} or {@code step()} is cleared before they return. Stage calls a caller of
   * {@link #ask()} and {@link #tell} makes itself are not interrupted. After {@code stopNow()},
   * {@code run()} returns at once and {@code step()} throws {@link IterationAbandonedException}:
   * continue the run from a checkpoint, with a new engine object.
   */
  public void stopNow() {
    stopRequested = true;
    synchronized (stageLock) {
      stopNowRequested = true;
      if (stageThread != null && !interruptedByStop) {
        interruptedByStop = true;
        stageThread.interrupt();
      }
    }
    SteadyState s = steadyState;
    if (s != null) {
      s.wake();
    }
  }

  /** Whether {@link #stop()} or {@link #stopNow()} was called. */
  public boolean stopRequested() {
    return stopRequested;
  }

  /** Whether {@link #stopNow()} was called. */
  public boolean stopNowRequested() {
    return stopNowRequested;
  }

  /**
   * Registers the current thread as running stages, so that {@link #stopNow()} can interrupt it;
   * refuses when a stop-now request came first.
   */
  private void enterStages() {
    synchronized (stageLock) {
      if (stopNowRequested) {
        throw new IterationAbandonedException(iteration, null);
      }
      stageThread = Thread.currentThread();
      interruptedByStop = false;
    }
  }

  /**
   * Ends the stage phase of a step: no later {@link #stopNow()} interrupts this thread (the sink
   * and the checkpoint write files, and an interrupt would close their channels), and an interrupt
   * {@code stopNow()} sent is cleared. Returns whether there was one.
   */
  private boolean leaveStages() {
    synchronized (stageLock) {
      stageThread = null;
      boolean byStop = interruptedByStop;
      interruptedByStop = false;
      if (byStop) {
        Thread.interrupted();
      }
      return byStop;
    }
  }

  /**
   * Runs one iteration and returns its event: {@link #ask()}, the engine's own stages, {@link #tell}.
   * When a stage throws (a model server error), the exception propagates and the iteration is
   * abandoned: nothing of it reaches the archive, the totals or the sink, and the next call asks
   * the same iteration again with the same random streams.
   *
   * @throws IterationAbandonedException when {@link #stopNow()} interrupted the iteration's stages,
   *     or was called before this step
   */
  public IterationEvent step() {
    enterStages();
    Ask ask = null;
    Evaluated result;
    try {
      ask = ask();
      if (estimator instanceof AdmissionAwareEstimator aware && aware.admissionAware()) {
        result = stepDescribingFirst(ask, aware);
      } else {
        result = stepInOrder(ask);
      }
    } catch (RuntimeException | Error e) {
      boolean byStop = leaveStages();
      // a stage failed before tell (a model server error, or the interrupt of stopNow()): abandon
      // the ask, so that the next step() asks the same iteration again, with the same random streams
      if (ask != null && pending != null && pending.ask == ask) {
        pending = null;
      }
      if (byStop) {
        IterationAbandonedException a = new IterationAbandonedException(iteration, e);
        LOG.debug("{}", a.getMessage());
        throw a;
      }
      throw e;
    }
    // the stages are done (an interrupt that came too late is dropped): the iteration is complete
    leaveStages();
    return tell(ask, result.evaluations(), result.descriptors());
  }

  /** What the stages of one step produced, for {@link #tell}. */
  private record Evaluated(List<Outcome<Evaluation>> evaluations, List<Outcome<Descriptor>> descriptors) {}

  private Evaluated stepInOrder(Ask ask) {
    long it = ask.iteration();
    List<Problem> fresh = ask.children();
    List<Outcome<Evaluation>> est = runChunked(fresh, STAGE_ESTIMATE, it, pending.source,
        (chunk, ctx) -> estimator.estimate(chunk, solver, ctx), "estimate");
    List<Problem> measured = new ArrayList<>();
    for (int i = 0; i < est.size(); i++) {
      if (est.get(i).isPresent()) {
        measured.add(fresh.get(i));
      }
    }
    List<Outcome<Descriptor>> described = runChunked(measured, STAGE_DESCRIBE, it, pending.source,
        descriptor::describe, "describe");
    List<Outcome<Descriptor>> desc = new ArrayList<>(fresh.size());
    int k = 0;
    for (int i = 0; i < est.size(); i++) {
      desc.add(est.get(i).isPresent() ? described.get(k++) : null);
    }
    return new Evaluated(est, desc);
  }

  /**
   * Archive-aware order: describe every child, find the quality it must beat in its niche, then
   * estimate with those thresholds.
   */
  private Evaluated stepDescribingFirst(Ask ask, AdmissionAwareEstimator aware) {
    long it = ask.iteration();
    List<Problem> fresh = ask.children();
    List<Outcome<Descriptor>> desc = runChunked(fresh, STAGE_DESCRIBE, it, pending.source,
        descriptor::describe, "describe");
    List<Problem> described = new ArrayList<>();
    List<double[]> niches = new ArrayList<>();
    for (int i = 0; i < fresh.size(); i++) {
      if (desc.get(i).isPresent()) {
        described.add(fresh.get(i));
        niches.add(fullNiche(desc.get(i).value()));
      }
    }
    List<Outcome<Evaluation>> measured = runChunked(indexed(described), STAGE_ESTIMATE, it,
        pending.source, (chunk, ctx) -> {
          List<Problem> problems = new ArrayList<>(chunk.size());
          double[][] qualities = new double[chunk.size()][];
          for (int j = 0; j < chunk.size(); j++) {
            int index = chunk.get(j);
            problems.add(described.get(index));
            qualities[j] = niches.get(index);
          }
          return aware.estimateInNiches(problems, qualities, solver, ctx);
        }, "estimate");
    List<Outcome<Evaluation>> est = new ArrayList<>(fresh.size());
    int k = 0;
    for (int i = 0; i < fresh.size(); i++) {
      if (desc.get(i).isPresent()) {
        est.add(measured.get(k++));
      } else {
        // rejected by the descriptor: counted under describe, never estimated
        est.add(Outcome.of(new Evaluation(Difficulty.unmeasured(), List.of())));
      }
    }
    return new Evaluated(est, desc);
  }

  private static List<Integer> indexed(List<?> items) {
    List<Integer> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(i);
    }
    return out;
  }

  /**
   * The member qualities of the niche a candidate with this descriptor would enter, when that niche
   * is full (a candidate must strictly exceed the worst to enter); null when it has a free slot.
   */
  private double[] fullNiche(Descriptor d) {
    int c = archive.cellOf(d);
    if (c < 0) {
      return null;
    }
    List<Elite> members = archive.cell(c);
    if (members.size() < archive.capacity()) {
      return null;
    }
    double[] q = new double[members.size()];
    for (int i = 0; i < q.length; i++) {
      q[i] = members.get(i).quality();
    }
    return q;
  }

  /**
   * The children of the next iteration, for a caller that evaluates them itself (the ask half of
   * an ask/tell loop, as in pyribs' schedulers). Selects the parents and runs the generator with the
   * same random streams as {@link #step()}. {@link Ask#children()} holds only problem ids never
   * evaluated in this run, each once; children that repeat an id are kept by the engine and reuse
   * the first evaluation at {@link #tell}. Call {@link #tell} with the same object before asking
   * again. The generator's rejections are counted and reported to the listeners at {@link #tell}
   * (so an iteration that {@link #step()} abandons after a failed stage and asks again counts them
   * once).
   */
  public Ask ask() {
    if (pending != null) {
      throw new IllegalStateException("ask() was called twice without tell() for iteration "
          + pending.ask.iteration());
    }
    long start = System.nanoTime();
    long it = iteration;
    Archive pool = workingSet == WorkingSet.STATIC ? seedPool : archive;

    // 1. select parents (single-threaded, one generator per iteration)
    RandomGenerator selectRandom = new SplittableRandom(RandomSeeds.derive(seed, it, STAGE_SELECT, 0));
    List<Problem> parents = new ArrayList<>(batchSize);
    for (int i = 0; i < batchSize; i++) {
      Optional<Elite> p = selector.select(pool, selectRandom);
      if (p.isEmpty()) {
        break;
      }
      parents.add(p.get().problem());
    }
    ParentSource source = (count, random) -> {
      List<Problem> extra = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        selector.select(pool, random).ifPresent(e -> extra.add(e.problem()));
      }
      return extra;
    };

    // 2. generate
    List<Outcome<Problem>> gen = runChunked(parents, STAGE_GENERATE, it, source,
        generator::generate, "generate");
    List<Problem> children = new ArrayList<>();
    List<RejectionEvent> genRejections = new ArrayList<>();
    for (int i = 0; i < gen.size(); i++) {
      if (gen.get(i).isPresent()) {
        children.add(gen.get(i).value());
      } else {
        genRejections.add(new RejectionEvent(it, "generate", parents.get(i).id(), gen.get(i).rejection()));
      }
    }

    // 3. only children whose id was not evaluated before (in this run or earlier in this batch)
    // are evaluated; the others reuse the first evaluation
    List<Problem> fresh = new ArrayList<>(children.size());
    HashSet<String> batchIds = new HashSet<>();
    for (Problem c : children) {
      if (!seen.containsKey(c.id()) && batchIds.add(c.id())) {
        fresh.add(c);
      }
    }
    Ask ask = new Ask(it, parents, fresh);
    pending = new Pending(ask, children, source, start, List.copyOf(genRejections));
    return ask;
  }

  /**
   * Records the evaluation of the children of {@code ask} and finishes the iteration: offers the
   * described children to the archive as one batch, hands every evaluated child (and every
   * duplicate) to the sink and the listeners, and applies the stall guard.
   *
   * @param ask the object the last {@link #ask()} returned
   * @param evaluations one outcome per {@link Ask#children() child}, in order: its evaluation or why
   *     it was rejected (counted under stage {@code estimate})
   * @param descriptors one outcome per child, in order: its descriptor or why it was rejected
   *     (counted under stage {@code describe}); ignored, and may be null, where the evaluation was
   *     rejected
   */
  public IterationEvent tell(Ask ask, List<Outcome<Evaluation>> evaluations,
      List<Outcome<Descriptor>> descriptors) {
    if (pending == null || pending.ask != ask) {
      throw new IllegalStateException("tell() needs the object returned by the last ask()");
    }
    int n = ask.children().size();
    if (evaluations.size() != n || descriptors.size() != n) {
      throw new IllegalArgumentException("tell(): " + n + " children, " + evaluations.size()
          + " evaluations and " + descriptors.size() + " descriptors; give one of each per child");
    }
    // refused before anything is counted, so the caller can tell again with corrected lists
    for (int i = 0; i < n; i++) {
      Outcome<Evaluation> e = Objects.requireNonNull(evaluations.get(i), "evaluation " + i);
      if (e.isPresent()) {
        Objects.requireNonNull(descriptors.get(i), "descriptor " + i);
      }
    }
    Pending pend = pending;
    pending = null;
    for (RejectionEvent r : pend.generateRejections()) {
      reject(r.iteration(), r.stage(), r.problemId(), r.rejection());
    }
    long start = pend.start;
    long it = ask.iteration();
    List<Problem> parents = ask.parents();
    List<Problem> children = pend.children;
    List<Problem> fresh = ask.children();
    List<Outcome<Evaluation>> est = evaluations;
    List<Problem> measured = new ArrayList<>();
    List<Evaluation> measuredEval = new ArrayList<>();
    List<Outcome<Descriptor>> desc = new ArrayList<>();
    long iterationRollouts = 0;
    for (int i = 0; i < est.size(); i++) {
      Outcome<Evaluation> e = Objects.requireNonNull(est.get(i), "evaluation " + i);
      if (e.isPresent()) {
        measured.add(fresh.get(i));
        measuredEval.add(e.value());
        desc.add(Objects.requireNonNull(descriptors.get(i), "descriptor " + i));
        iterationRollouts += e.value().rollouts().size();
      } else {
        reject(it, "estimate", fresh.get(i).id(), e.rejection());
      }
    }

    // 4. describe
    List<Elite> offered = new ArrayList<>();
    List<Evaluation> offeredEval = new ArrayList<>();
    for (int i = 0; i < desc.size(); i++) {
      if (desc.get(i).isPresent()) {
        Elite e = new Elite(measured.get(i), measuredEval.get(i).difficulty(), desc.get(i).value(), it);
        offered.add(e);
        offeredEval.add(measuredEval.get(i));
        seen.add(e.id(), new EngineState.Evaluated(e.difficulty(), e.descriptor()));
      } else {
        reject(it, "describe", measured.get(i).id(), desc.get(i).rejection());
      }
    }
    // children already evaluated (earlier or in this batch) reuse that evaluation; a duplicate of a
    // child rejected in this batch is rejected with it
    List<Elite> repeated = new ArrayList<>();
    HashSet<String> freshIds = new HashSet<>();
    for (Problem f : fresh) {
      freshIds.add(f.id());
    }
    HashSet<String> firstSeen = new HashSet<>();
    for (Problem c : children) {
      if (freshIds.contains(c.id()) && firstSeen.add(c.id())) {
        continue;
      }
      EngineState.Evaluated ev = seen.get(c.id());
      if (ev == null) {
        reject(it, "estimate", c.id(), Rejection.of("duplicate_of_rejected",
            "an earlier child of this batch with the same problem id was rejected"));
      } else {
        repeated.add(new Elite(c, ev.difficulty(), ev.descriptor(), it));
      }
    }

    // 5. add to the archive as one batch
    List<AddResult> results = offered.isEmpty() ? List.of() : archive.add(offered);
    List<EvaluatedCandidate> out = new ArrayList<>(offered.size() + repeated.size());
    int iterationAdded = 0;
    int iterationDuplicates = 0;
    for (int i = 0; i < offered.size(); i++) {
      Elite e = offered.get(i);
      AddResult r = results.get(i);
      statusCounts.merge(r.status(), 1L, Long::sum);
      if (r.inserted()) {
        iterationAdded++;
      }
      if (r.duplicate()) {
        iterationDuplicates++;
      } else if (r.cell() < 0) {
        reject(it, "archive", e.id(), Rejection.of("no_cell", "the archive has no cell for "
            + e.descriptor()));
      }
      out.add(new EvaluatedCandidate(it, e.problem(), offeredEval.get(i).rollouts(), e.difficulty(),
          e.descriptor(), r.status(), r.value(), r.duplicate()));
    }
    for (Elite e : repeated) {
      statusCounts.merge(AddStatus.NOT_ADDED, 1L, Long::sum);
      iterationDuplicates++;
      out.add(new EvaluatedCandidate(it, e.problem(), List.of(), e.difficulty(), e.descriptor(),
          AddStatus.NOT_ADDED, 0.0, true));
    }

    // 6. record
    sink.accept(it, out);
    candidates += parents.size();
    generated += children.size();
    evaluated += offered.size() + repeated.size();
    duplicates += iterationDuplicates;
    rollouts += iterationRollouts;
    added += iterationAdded;
    iteration++;
    for (EvaluatedCandidate c : out) {
      for (SparqListener l : listeners) {
        l.onCandidate(c);
      }
    }
    TokenUsage iterationTokens = TokenUsage.NONE;
    if (!usageSources.isEmpty()) {
      TokenUsage now = readUsage();
      iterationTokens = now.since(usageSeen);
      usageSeen = now;
      tokens += iterationTokens.totalTokens();
    }
    IterationEvent event = new IterationEvent(it, archive.stats(), totals(), parents.size(),
        offered.size() + repeated.size(), iterationAdded, iterationRollouts,
        System.nanoTime() - start, iterationTokens);
    for (SparqListener l : listeners) {
      l.onIteration(event);
    }
    LOG.debug("iteration {}: {} parents, {} evaluated, {} duplicates, {} added", it, parents.size(),
        offered.size(), repeated.size(), iterationAdded);
    stalled = measured.isEmpty() ? stalled + 1 : 0;
    if (stallLimit > 0 && stalled >= stallLimit) {
      RunStats t = totals();
      throw new StalledRunException(stalled, "the run stalled: " + stalled
          + " consecutive iterations (up to iteration " + it + ") evaluated no new problem; "
          + parents.size() + " parents, " + children.size() + " children generated, "
          + repeated.size() + " duplicates in the last one; rejections so far " + t.rejections()
          + ". Check the generator and solver (model, prompt, parser), or raise stallLimit (0 = off)");
    }
    return event;
  }

  // ---- hooks of the steady-state scheduler (same package) ----

  Generator generatorStage() {
    return generator;
  }

  Solver solverStage() {
    return solver;
  }

  DifficultyEstimator estimatorStage() {
    return estimator;
  }

  DiversityDescriptor descriptorStage() {
    return descriptor;
  }

  ParentSelector selector() {
    return selector;
  }

  Budget budget() {
    return budget;
  }

  int batchSize() {
    return batchSize;
  }

  /** The working set parents are drawn from. */
  Archive pool() {
    return workingSet == WorkingSet.STATIC ? seedPool : archive;
  }

  /** The first evaluation of {@code id} in this run, or null. */
  EngineState.Evaluated evaluation(String id) {
    return seen.get(id);
  }

  /** Records the first evaluation of a problem id (the steady-state scheduler's archive owner). */
  void recordEvaluation(String id, EngineState.Evaluated e) {
    seen.add(id, e);
  }

  /** The member qualities of the full niche a candidate with descriptor {@code d} would enter now, or null. */
  double[] niche(Descriptor d) {
    return fullNiche(d);
  }

  /** Counts a rejection and tells the listeners. */
  void rejected(long it, String stage, String id, Rejection r) {
    reject(it, stage, id, r);
  }

  /**
   * Finishes one iteration of the steady-state scheduler: the candidates were already offered to the
   * archive one by one; hands them to the sink and the listeners, updates the totals and applies the
   * stall guard, exactly as {@link #tell} does for a synchronous iteration, except that with {@code
   * deferStall} (children still being evaluated, which finish after the rejections that ended this
   * group) reaching the stall limit does not throw: the scheduler decides once they are done (see
   * {@link #stallLimitReached()}).
   */
  IterationEvent commitRound(int parents, int children, List<EvaluatedCandidate> out,
      int roundAdded, int roundDuplicates, long roundRollouts, boolean anyMeasured, long start,
      boolean deferStall) {
    long it = iteration;
    for (EvaluatedCandidate c : out) {
      statusCounts.merge(c.status(), 1L, Long::sum);
    }
    sink.accept(it, out);
    candidates += parents;
    generated += children;
    evaluated += out.size();
    duplicates += roundDuplicates;
    rollouts += roundRollouts;
    added += roundAdded;
    iteration++;
    for (EvaluatedCandidate c : out) {
      for (SparqListener l : listeners) {
        l.onCandidate(c);
      }
    }
    TokenUsage roundTokens = TokenUsage.NONE;
    if (!usageSources.isEmpty()) {
      TokenUsage now = readUsage();
      roundTokens = now.since(usageSeen);
      usageSeen = now;
      tokens += roundTokens.totalTokens();
    }
    IterationEvent event = new IterationEvent(it, archive.stats(), totals(), parents, out.size(),
        roundAdded, roundRollouts, System.nanoTime() - start, roundTokens);
    for (SparqListener l : listeners) {
      l.onIteration(event);
    }
    stalled = anyMeasured ? 0 : stalled + 1;
    if (!deferStall && stallLimitReached()) {
      throw stallFailure(children, roundDuplicates);
    }
    return event;
  }

  /** Whether the stall guard is on and as many groups in a row as it allows evaluated nothing new. */
  boolean stallLimitReached() {
    return stallLimit > 0 && stalled >= stallLimit;
  }

  /** The error of a stalled asynchronous run; {@code children} and {@code duplicates} of its last group. */
  StalledRunException stallFailure(int children, int roundDuplicates) {
    RunStats t = totals();
    return new StalledRunException(stalled, "the run stalled: " + stalled
        + " consecutive groups of " + batchSize + " candidates (up to iteration " + (iteration - 1)
        + ") evaluated no new problem; " + children + " children generated, " + roundDuplicates
        + " duplicates in the last one; rejections so far " + t.rejections()
        + ". Check the generator and solver (model, prompt, parser), or raise stallLimit (0 = off)");
  }

  private void reject(long it, String stage, String id, Rejection r) {
    rejections.merge(stage + "/" + r.reason(), 1L, Long::sum);
    RejectionEvent event = new RejectionEvent(it, stage, id, r);
    for (SparqListener l : listeners) {
      l.onRejection(event);
    }
  }

  /**
   * Cuts {@code items} into fixed chunks, runs {@code stage} on each (in parallel when threads > 1)
   * with a random generator derived from (seed, iteration, stage, chunk), and concatenates results.
   */
  private <I, O> List<O> runChunked(List<I> items, int stageId, long it, ParentSource source,
      BiFunction<List<I>, StageContext, List<O>> stage, String name) {
    if (items.isEmpty()) {
      return List.of();
    }
    int chunks = (items.size() + chunkSize - 1) / chunkSize;
    List<List<O>> parts = new ArrayList<>(chunks);
    if (executor == null || chunks == 1) {
      for (int c = 0; c < chunks; c++) {
        parts.add(runChunk(items, c, stageId, it, source, stage, name));
      }
    } else {
      List<Future<List<O>>> futures = new ArrayList<>(chunks);
      ChunkCalls calls = new ChunkCalls(chunks);
      for (int c = 0; c < chunks; c++) {
        final int chunk = c;
        futures.add(executor.submit(() -> calls.run(
            () -> runChunk(items, chunk, stageId, it, source, stage, name))));
      }
      for (int i = 0; i < futures.size(); i++) {
        try {
          parts.add(futures.get(i).get());
        } catch (InterruptedException e) {
          // stopNow() (or the caller) interrupted this thread: interrupt the chunks still running,
          // skip those not started, and wait until none runs, so that no call of the abandoned
          // iteration goes on behind the caller's back (into a checkpoint, or a resumed run)
          calls.abandon();
          Thread.currentThread().interrupt();
          throw new SparqException("interrupted during stage " + name, e);
        } catch (ExecutionException e) {
          // the first failure in chunk order is thrown, once the other chunks have finished: no
          // call of the failed iteration runs on while the next step() retries it
          awaitQuietly(futures.subList(i + 1, futures.size()));
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException re) {
            throw re;
          }
          throw new SparqException("stage " + name + " failed: " + cause, cause);
        }
      }
    }
    List<O> out = new ArrayList<>(items.size());
    parts.forEach(out::addAll);
    return out;
  }

  /**
   * The chunk calls of one stage on the stage threads, for {@link #stopNow()}: which threads run
   * one now, and how many have not ended (started or not).
   */
  private static final class ChunkCalls {
    private final java.util.Set<Thread> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.CountDownLatch ended;
    private volatile boolean abandoned;

    ChunkCalls(int chunks) {
      this.ended = new java.util.concurrent.CountDownLatch(chunks);
    }

    <O> O run(java.util.concurrent.Callable<O> call) throws Exception {
      Thread self = Thread.currentThread();
      running.add(self);
      try {
        if (abandoned) {
          throw new java.util.concurrent.CancellationException("the iteration was abandoned");
        }
        return call.call();
      } finally {
        running.remove(self);
        ended.countDown();
      }
    }

    /**
     * Interrupts the chunk calls running, makes those not started end at once, and waits until
     * every one has ended (a call that ignores the interrupt is waited for). The pool clears a
     * stray interrupt before its thread's next task.
     */
    void abandon() {
      abandoned = true;
      for (Thread t : running) {
        t.interrupt();
      }
      boolean interrupted = false;
      while (true) {
        try {
          ended.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits for {@code futures} to finish, ignoring their results and failures. */
  private static void awaitQuietly(List<? extends Future<?>> futures) {
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        futures.forEach(x -> x.cancel(true));
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | java.util.concurrent.CancellationException e) {
        // dropped: the first failure is the one reported
      }
    }
  }

  private <I, O> List<O> runChunk(List<I> items, int c, int stageId, long it, ParentSource source,
      BiFunction<List<I>, StageContext, List<O>> stage, String name) {
    List<I> chunk = items.subList(c * chunkSize, Math.min(items.size(), (c + 1) * chunkSize));
    StageContext ctx = new StageContext(new SplittableRandom(RandomSeeds.derive(seed, it, stageId, c)), it, source);
    return checkStageOutput(name, stage.apply(List.copyOf(chunk), ctx), chunk.size(),
        c * chunkSize);
  }

  /**
   * {@code out} when it holds exactly one non-null result per input; otherwise a
   * {@link SparqException} naming the stage and, for a null result, the input's position in the
   * batch ({@code first} is the position of the chunk's first input).
   */
  static <O> List<O> checkStageOutput(String name, List<O> out, int inputs, int first) {
    if (out == null || out.size() != inputs) {
      throw new SparqException("stage " + name + " returned " + (out == null ? "null" : out.size())
          + " results for " + inputs + " input" + (inputs == 1 ? "" : "s")
          + "; it must return exactly one per input");
    }
    for (int i = 0; i < inputs; i++) {
      if (out.get(i) == null) {
        throw new SparqException("stage " + name + " returned null for input " + (first + i)
            + " of the batch; return a result for every input (an Outcome.rejected(...) for one it"
            + " cannot handle)");
      }
    }
    return out;
  }

  /** The sink this run hands its candidates to. */
  public CandidateSink sink() {
    return sink;
  }

  /**
   * Every candidate this run evaluated, in order, when its sink is the default
   * {@link InMemorySink}: enough to inspect or export a run without a run directory.
   *
   * @throws IllegalStateException when another sink was configured
   */
  public List<EvaluatedCandidate> candidates() {
    if (sink instanceof InMemorySink m) {
      return m.candidates();
    }
    throw new IllegalStateException("this run's sink is " + sink.getClass().getName()
        + ", which does not keep candidates in memory; read them where that sink writes them");
  }

  /** The archive the engine fills (for dynamic variants, also the working set). */
  public Archive archive() {
    return archive;
  }

  /** The described seed set (all seeds, any capacity), the working set of static variants. */
  public Archive seedPool() {
    return seedPool;
  }

  /** Run totals so far. */
  public RunStats totals() {
    Map<String, Long> st = new TreeMap<>();
    statusCounts.forEach((k, v) -> st.put(k.name(), v));
    return new RunStats(iteration, candidates, generated, evaluated, rollouts, added, st, rejections,
        duplicates, tokens);
  }

  /** The state to save with the archive for an exact resume. */
  public EngineState state() {
    return new EngineState(seed, totals(), seen.snapshot(), stalled);
  }

  /** The next iteration to run. */
  public long iteration() {
    return iteration;
  }

  /** How {@link #run()} schedules the stages ({@link Builder#mode(Mode)}). */
  public Mode mode() {
    return mode;
  }

  /**
   * The most candidates {@link Builder#inFlight(int)} allows: in {@link Mode#ASYNC} each holds one
   * platform thread of the engine while its stage call runs (Java 17 has no virtual threads). 4,096
   * threads start in about 3 s and 180 MB on a 2-core machine; about 32,400 was where a 24 GiB
   * machine could start no more ("unable to create native thread").
   */
  public static final int MAX_IN_FLIGHT = 4096;

  /** Candidates kept in flight in {@link Mode#ASYNC} ({@link Builder#inFlight(int)}). */
  public int inFlight() {
    return inFlight;
  }

  /** The run seed. */
  public long randomSeed() {
    return seed;
  }

  public WorkingSet workingSet() {
    return workingSet;
  }

  /** Whether problem id {@code id} has been evaluated in this run (its evaluation is reused). */
  public boolean evaluatedBefore(String id) {
    return seen.containsKey(id);
  }

  /** Stops the stage threads and closes the sink. Does not close the model components. */
  @Override
  public void close() {
    if (executor != null) {
      executor.shutdownNow();
    }
    sink.close();
  }

  /** Builder of {@link Sparq}. Required: generator, solver, estimator, descriptor, seeds. */
  public static final class Builder {
    private Generator generator;
    private Solver solver;
    private DifficultyEstimator estimator;
    private DiversityDescriptor descriptor;
    private List<Problem> seeds;
    private Variant variant = Variant.STATIC_UNIFORM;
    private ParentSelector selector;
    private WorkingSet workingSet;
    private Archive archive;
    private Supplier<? extends Archive> archiveFactory;
    private int nicheCapacity = 10;
    private int batchSize = 64;
    private int chunkSize = 16;
    private int threads = 1;
    private Budget budget = Budget.iterations(100);
    private long seed = 0;
    private final List<SparqListener> listeners = new ArrayList<>();
    private CandidateSink sink;
    private Supplier<? extends CandidateSink> sinkFactory = InMemorySink::new;
    private Predicate<? super RunStats> until = t -> false;
    private int stallLimit = 5;
    private Mode mode = Mode.SYNC;
    private int inFlight = 64;
    private EngineState resumeState;
    private Archive resumeArchive;
    private final List<UsageReporting> usageSources = new ArrayList<>();

    private Builder() {}

    /** An independent copy: changing either builder later does not change the other. */
    public Builder copy() {
      Builder c = new Builder();
      c.generator = generator;
      c.solver = solver;
      c.estimator = estimator;
      c.descriptor = descriptor;
      c.seeds = seeds;
      c.variant = variant;
      c.selector = selector;
      c.workingSet = workingSet;
      c.archive = archive;
      c.archiveFactory = archiveFactory;
      c.nicheCapacity = nicheCapacity;
      c.batchSize = batchSize;
      c.chunkSize = chunkSize;
      c.threads = threads;
      c.budget = budget;
      c.seed = seed;
      c.listeners.addAll(listeners);
      c.sink = sink;
      c.sinkFactory = sinkFactory;
      c.until = until;
      c.stallLimit = stallLimit;
      c.mode = mode;
      c.inFlight = inFlight;
      c.resumeState = resumeState;
      c.resumeArchive = resumeArchive;
      c.usageSources.addAll(usageSources);
      return c;
    }

    /** The generator, solver, estimator and descriptor (some may be null before validation). */
    List<Object> components() {
      List<Object> out = new ArrayList<>(4);
      for (Object o : new Object[] {generator, solver, estimator, descriptor}) {
        if (o != null) {
          out.add(o);
        }
      }
      return out;
    }

    /**
     * The settings a resumed run must share with the run that wrote its checkpoint, as text by
     * name: the random seed, variant, mode, batch size, niche capacity and the seed set (its size
     * and a SHA-256 over each seed's id, statement and answer). The budget is not among them, so a
     * resumed run may be given a larger one.
     */
    Map<String, String> resumeSettings() {
      Map<String, String> out = new java.util.LinkedHashMap<>();
      out.put("randomSeed", Long.toString(seed));
      out.put("variant", variant.name());
      out.put("mode", mode.name());
      out.put("batchSize", Integer.toString(batchSize));
      out.put("nicheCapacity", Integer.toString(nicheCapacity));
      if (seeds != null) {
        java.security.MessageDigest md;
        try {
          md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        for (Problem p : seeds) {
          for (String f : new String[] {p.id(), p.statement(), p.answer()}) {
            md.update(String.valueOf(f).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md.update((byte) 0);
          }
        }
        out.put("seeds", seeds.size() + " problems, sha256 "
            + java.util.HexFormat.of().formatHex(md.digest()).substring(0, 16));
      }
      return out;
    }

    /** The archive instance given to {@link #archive(Archive)}, if any. */
    Archive archiveInstance() {
      return archive;
    }

    /** The archive factory given to {@link #archive(Supplier)}, if any. */
    Supplier<? extends Archive> archiveFactory() {
      return archiveFactory;
    }

    /** The sink instance given to {@link #sink(CandidateSink)}, if any. */
    CandidateSink sinkInstance() {
      return sink;
    }

    /**
     * An immutable snapshot of this configuration that can start runs ({@link SparqConfig#start()})
     * one after the other; later changes to this builder do not affect it.
     */
    public SparqConfig config() {
      validate();
      return new SparqConfig(copy());
    }

    /**
     * Reports the tokens {@code model} processes in each {@link IterationEvent#tokens()} and in
     * {@link Sparq#tokenUsage()}. Register each model once, even if several stages share it; a
     * {@link dev.sparq.core.llm.LanguageModel} that implements {@link UsageReporting} (the OpenAI
     * and ONNX backends do) can be passed directly.
     */
    public Builder usage(UsageReporting model) {
      this.usageSources.add(Objects.requireNonNull(model, "model"));
      return this;
    }

    /**
     * Required. Writes child problems from parent problems (the mutation operator), for example
     * {@link dev.sparq.core.generate.LlmGenerator}; output it cannot parse is counted as a rejection,
     * never fatal.
     */
    public Builder generator(Generator generator) {
      this.generator = generator;
      return this;
    }

    /**
     * Required. Samples K solutions per problem from the student model, for example
     * {@link dev.sparq.core.solve.LlmSolver}; the estimator decides how many it asks for.
     */
    public Builder solver(Solver solver) {
      this.solver = solver;
      return this;
    }

    /**
     * Required. Turns rollouts into a solve rate and a quality (1 - SR inside the band), for example
     * {@link dev.sparq.core.difficulty.FixedKEstimator} (the paper's K = 16) or
     * {@link dev.sparq.core.difficulty.AdaptiveEstimator} (fewer rollouts).
     */
    public Builder estimator(DifficultyEstimator estimator) {
      this.estimator = estimator;
      return this;
    }

    /**
     * Required. Places a problem in a niche of the archive: skill labels
     * ({@link dev.sparq.core.describe.SkillDescriptor}), cheap measures, or an embedding.
     */
    public Builder descriptor(DiversityDescriptor descriptor) {
      this.descriptor = descriptor;
      return this;
    }

    /** The seed set D (at least one problem). */
    public Builder seedProblems(List<Problem> seeds) {
      if (seeds == null) {
        throw ConfigException.forKey("seeds", "seedProblems(null): give a list of seed problems");
      }
      for (int i = 0; i < seeds.size(); i++) {
        if (seeds.get(i) == null) {
          throw ConfigException.forKey("seeds", "seed problem " + i + " of " + seeds.size()
              + " is null");
        }
      }
      this.seeds = List.copyOf(seeds);
      return this;
    }

    /** One of SPARQ's four variants (default {@link Variant#STATIC_UNIFORM}). */
    public Builder variant(Variant variant) {
      this.variant = Objects.requireNonNull(variant, "variant");
      return this;
    }

    /** Overrides the variant's selection rule. */
    public Builder selector(ParentSelector selector) {
      this.selector = selector;
      return this;
    }

    /** Overrides the variant's working-set rule. */
    public Builder workingSet(WorkingSet workingSet) {
      this.workingSet = workingSet;
      return this;
    }

    /**
     * The archive to fill. Default: a categorical archive keyed by the descriptor's labels with
     * capacity {@link #nicheCapacity(int)}, or for {@link Variant#DYNAMIC_UNIFORM} one cell of that
     * capacity (top-T overall).
     */
    public Builder archive(Archive archive) {
      this.archive = archive;
      this.archiveFactory = null;
      return this;
    }

    /**
     * A fresh archive for every run started from this configuration (what {@link SparqConfig}
     * needs to start several runs with a custom archive).
     */
    public Builder archive(Supplier<? extends Archive> factory) {
      this.archiveFactory = Objects.requireNonNull(factory, "factory");
      this.archive = null;
      return this;
    }

    /** SPARQ's T: members per niche in the default archive (default 10; the paper leaves it open). */
    public Builder nicheCapacity(int t) {
      this.nicheCapacity = t;
      return this;
    }

    /** Parents per iteration, b (default 64 as in the paper). */
    public Builder batchSize(int b) {
      this.batchSize = b;
      return this;
    }

    /**
     * Items per work unit (default 16). Stages receive chunks of this size; the chunking, not the
     * thread count, fixes the random streams, so results do not depend on {@link #threads(int)}.
     * Use the batch size for backends that want whole batches (one GPU call).
     */
    public Builder chunkSize(int c) {
      this.chunkSize = c;
      return this;
    }

    /**
     * How {@link Sparq#run()} schedules the stages (default {@link Mode#SYNC}, bit-reproducible).
     * {@link Mode#ASYNC} keeps {@link #inFlight(int)} candidates going so that inference servers
     * stay full; it is valid but not bit-reproducible, and needs thread-safe components.
     */
    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * {@link Mode#ASYNC} only: candidates in flight at once (default 64). Each holds one stage call
     * at a time (its generation, its rollouts, or its description), each of one item, so for an
     * HTTP backend this is the number of requests in flight; give the model's own concurrency limit
     * at least this much. At most {@link Sparq#MAX_IN_FLIGHT} ({@link #build()} refuses more).
     * Ignored in {@link Mode#SYNC}.
     */
    public Builder inFlight(int n) {
      this.inFlight = n;
      return this;
    }

    /** Threads that run chunks of a stage concurrently (default 1). */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /**
     * Ends the run with a {@link StalledRunException} after {@code n} consecutive iterations that
     * evaluate no new problem (default 5; 0 turns the guard off).
     */
    public Builder stallLimit(int n) {
      this.stallLimit = n;
      return this;
    }

    /** When to stop (default 100 iterations). */
    public Builder budget(Budget budget) {
      this.budget = Objects.requireNonNull(budget, "budget");
      return this;
    }

    /** The run seed (default 0). */
    /**
     * The random seed of the run (default 0): with the same seed and the same model outputs the
     * archive is the same on any number of threads. Not to be confused with
     * {@link #seedProblems(List)}.
     */
    public Builder randomSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Adds a listener of iterations, evaluated candidates and rejections. */
    public Builder listener(SparqListener listener) {
      this.listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** Calls {@code action} after every iteration (a listener written as a lambda). */
    public Builder onIteration(Consumer<? super IterationEvent> action) {
      return listener(SparqListener.onIteration(action));
    }

    /** Calls {@code action} for every evaluated candidate (a listener written as a lambda). */
    public Builder onCandidate(Consumer<? super EvaluatedCandidate> action) {
      return listener(SparqListener.onCandidate(action));
    }

    /** Calls {@code action} for every rejection (a listener written as a lambda). */
    public Builder onRejection(Consumer<? super RejectionEvent> action) {
      return listener(SparqListener.onRejection(action));
    }

    /**
     * Also stops {@link Sparq#run()} as soon as {@code condition} holds for the totals (checked
     * before every iteration), for example {@code t -> t.added() >= 1000}.
     */
    public Builder until(Predicate<? super RunStats> condition) {
      this.until = Objects.requireNonNull(condition, "condition");
      return this;
    }

    /**
     * Where every evaluated candidate goes. Default: a new {@link InMemorySink} per run, read with
     * {@link Sparq#candidates()}. The run closes its sink, so an instance serves one run; give
     * {@link #sink(Supplier)} to start several runs from one {@link SparqConfig}.
     */
    public Builder sink(CandidateSink sink) {
      this.sink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /** A new sink for every run started from this configuration. */
    public Builder sink(Supplier<? extends CandidateSink> factory) {
      this.sinkFactory = Objects.requireNonNull(factory, "factory");
      this.sink = null;
      return this;
    }

    /**
     * Continues a saved run: the totals and seed from {@code state}, the archive from
     * {@code archive} (which replaces {@link #archive(Archive)} and is not re-seeded).
     */
    public Builder resume(EngineState state, Archive archive) {
      this.resumeState = Objects.requireNonNull(state, "state");
      this.resumeArchive = Objects.requireNonNull(archive, "archive");
      return this;
    }

    /** Builds one run (the same as {@code config().start()}, without the snapshot). */
    public Sparq build() {
      validate();
      return new Sparq(copy());
    }

    private void validate() {
      if (generator == null) {
        throw ConfigException.forKey("generator", "is required");
      }
      if (solver == null) {
        throw ConfigException.forKey("solver", "is required");
      }
      if (estimator == null) {
        throw ConfigException.forKey("estimator", "is required");
      }
      if (descriptor == null) {
        throw ConfigException.forKey("descriptor", "is required");
      }
      if (seeds == null || seeds.isEmpty()) {
        throw ConfigException.forKey("seeds", "at least one seed problem is required");
      }
      if (batchSize < 1) {
        throw ConfigException.forKey("batchSize", "must be >= 1, was " + batchSize);
      }
      if (chunkSize < 1) {
        throw ConfigException.forKey("chunkSize", "must be >= 1, was " + chunkSize);
      }
      if (threads < 1) {
        throw ConfigException.forKey("threads", "must be >= 1, was " + threads);
      }
      if (inFlight < 1 || inFlight > MAX_IN_FLIGHT) {
        throw ConfigException.forKey("inFlight", "must be between 1 and " + MAX_IN_FLIGHT
            + " (each candidate in flight holds one engine thread), was " + inFlight);
      }
      if (stallLimit < 0) {
        throw ConfigException.forKey("stallLimit", "must be >= 0, was " + stallLimit);
      }
      if (budget.limitsTokens() && usageSources.isEmpty()) {
        throw ConfigException.forKey("budget", "a token budget needs at least one model registered"
            + " with usage(...) to count tokens");
      }
      if (nicheCapacity < 1) {
        throw ConfigException.forKey("nicheCapacity", "must be >= 1, was " + nicheCapacity);
      }
    }
  }
}
