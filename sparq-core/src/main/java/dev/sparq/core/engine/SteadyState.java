package dev.sparq.core.engine;

import dev.sparq.core.Outcome;
import dev.sparq.core.Rejection;
import dev.sparq.core.SparqException;
import dev.sparq.core.archive.AddResult;
import dev.sparq.core.archive.Archive;
import dev.sparq.core.model.AddStatus;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Evaluation;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.AdmissionAwareEstimator;
import dev.sparq.core.stage.ParentSource;
import dev.sparq.core.stage.StageContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The steady-state scheduler of {@link Mode#ASYNC}. The thread that calls {@link #run} owns the
 * archive, the working set and the engine's bookkeeping: it draws parents, reads admission
 * thresholds, offers evaluated candidates to the archive and commits iterations. Stage calls (one
 * item each) run on a pool of {@code inFlight} worker threads and post their results back to the
 * owner through a queue, so no component ever touches the archive concurrently.
 *
 * <p>A candidate ("job") goes generate, then estimate and describe (describe first for an
 * archive-aware estimator, as in the synchronous order, with the full niche's qualities read by
 * the owner), then the archive. Every
 * {@code batchSize} finished jobs form one iteration, committed through
 * {@link Sparq#commitRound}; at that moment every candidate offered to the archive so far has been
 * handed to the sink, so a checkpoint written by an iteration listener is consistent and holds no
 * in-flight work.
 */
final class SteadyState {
  // stage coordinates of the random streams, apart from the synchronous ones
  static final int STAGE_SELECT = 11;
  static final int STAGE_GENERATE = 12;
  static final int STAGE_ESTIMATE = 13;
  static final int STAGE_DESCRIBE = 14;
  /** Extra parents drawn at launch for operators that combine parents (the worker never reads the archive). */
  static final int MATES = 4;

  private final Sparq sparq;
  private final int inFlight;
  private final int batchSize;
  private final long seed;
  private final AdmissionAwareEstimator aware;
  private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
  /** Jobs evaluating a problem id right now, by id (later children with that id wait on them). */
  private final HashMap<String, Job> active = new HashMap<>();

  private long firstSeq;
  private long launched;
  private int open;
  private int busy;
  /**
   * The stall limit was reached while children were still being evaluated: no candidate starts
   * until one of them is measured (the run goes on) or all are done without one (the run stalls).
   */
  private boolean holding;
  private Round round = new Round();
  /** The run ended by {@link Sparq#stopNow()}, with candidates possibly dropped in flight. */
  private boolean stoppedNow;

  SteadyState(Sparq sparq, int inFlight) {
    this.sparq = sparq;
    this.inFlight = inFlight;
    this.batchSize = sparq.batchSize();
    this.seed = sparq.randomSeed();
    this.aware = sparq.estimatorStage() instanceof AdmissionAwareEstimator a && a.admissionAware() ? a : null;
  }

  /** One candidate on its way through the stages. */
  private static final class Job {
    final long seq;
    final Problem parent;
    final List<Problem> mates;
    Problem child;
    Outcome<Evaluation> evaluation;
    Outcome<Descriptor> descriptor;
    double[] niche;
    boolean measured;
    long rollouts;
    final List<Job> waiters = new ArrayList<>();

    Job(long seq, Problem parent, List<Problem> mates) {
      this.seq = seq;
      this.parent = parent;
      this.mates = mates;
    }
  }

  /** The finished jobs of the iteration being filled. */
  private static final class Round {
    final long start = System.nanoTime();
    int parents;
    int children;
    int added;
    int duplicates;
    long rollouts;
    boolean measured;
    final List<EvaluatedCandidate> out = new ArrayList<>();
  }

  /**
   * Runs until the budget, {@code until} or a stop request ends launching and in-flight work drains.
   *
   * <p>A stop request or {@code until} finishes the group in progress: candidates are still
   * launched until the parents started fill whole groups of {@code batchSize}, so a stopped run
   * ends on an iteration boundary, as in the synchronous mode, and a resumed run's iterations are
   * whole groups again. An iteration or candidate budget counts parents (whole groups), so a run
   * resumed after a shorter group (a rollout or token budget, a failure) still runs every parent the
   * budget allows. A stage (or {@code until}, or a listener) that throws ends the run with its
   * exception, after the candidates that finished before it were committed as a last, shorter
   * iteration: the log then holds everything
   * the archive was given.
   *
   * <p>{@link Sparq#stopNow()} ends the run at once: the candidates finished so far are committed as
   * a last, shorter group, and those in flight are dropped before they touch the archive or the
   * sink (they were never offered), so a resumed run neither loses nor repeats a logged candidate.
   */
  void run(Predicate<? super RunStats> until) {
    ExecutorService workers = Executors.newFixedThreadPool(inFlight, r -> {
      Thread t = new Thread(r, "sparq-async");
      t.setDaemon(true);
      return t;
    });
    try {
      long cap = sparq.budget().parentCap(batchSize);
      firstSeq = sparq.totals().candidates();
      Budget budget = sparq.budget();
      boolean ending = false;
      long closeAt = Long.MAX_VALUE;
      while (true) {
        if (sparq.stopNowRequested()) {
          // stopNow(): the finished candidates are committed below as a shorter group; those in
          // flight are dropped (their stage calls are interrupted as the workers shut down)
          stoppedNow = true;
          break;
        }
        RunStats t = sparq.totals();
        long committed = t.candidates();
        if (!ending) {
          ending = budget.exhaustedByParents(t, batchSize);
        }
        if (closeAt == Long.MAX_VALUE && (sparq.stopRequested() || until.test(t))) {
          // finish the group in progress (and the one the work in flight spills into)
          long started = round.parents + open;
          closeAt = committed + (started + batchSize - 1) / batchSize * batchSize;
        }
        long limit = Math.min(cap, closeAt);
        // a finished stage waiting in the queue goes first: with thousands in flight, launching them
        // all before any result is read left the budget projections and the commits blind meanwhile
        while (events.isEmpty() && !ending && !holding && busy < inFlight
            && committed + round.parents + open < limit && !rolloutsCommitted(t) && !tokensCommitted(t)) {
          if (!launch(workers)) {
            break;
          }
        }
        if (open == 0) {
          break;
        }
        Runnable event = events.poll(1, TimeUnit.SECONDS);
        if (event != null) {
          event.run();
        }
      }
      if (round.parents > 0) {
        commit();
      }
      if (holding && sparq.stallLimitReached() && !stoppedNow) {
        throw sparq.stallFailure(0, 0);
      }
    } catch (StageFailure f) {
      throw salvage(f.failure);
    } catch (RuntimeException e) {
      // an until predicate or a component called on this thread threw; a commit that threw has
      // already started a new, empty group
      throw salvage(e);
    } catch (Error e) {
      throw salvage(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SparqException("interrupted while running the asynchronous engine", e);
    } finally {
      workers.shutdownNow();
      if (stoppedNow) {
        // no stage call of a dropped candidate goes on once run() has returned (into a checkpoint,
        // or a resumed run on the same components); calls that honour the interrupt end at once
        awaitWorkers(workers);
      }
    }
  }

  /** Waits until the workers have ended, whatever interrupts this thread meanwhile (kept for later). */
  private static void awaitWorkers(ExecutorService workers) {
    boolean interrupted = false;
    while (true) {
      try {
        if (workers.awaitTermination(1, TimeUnit.DAYS)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Wakes the owner thread waiting for a stage result, so that it sees a {@link Sparq#stopNow()}. */
  void wake() {
    events.add(() -> { });
  }

  /**
   * The candidates finished before a failure are in the archive: commits them as a last, shorter
   * iteration, so the log holds everything the archive was given, and returns {@code e} to throw
   * (with a failure of that commit attached as suppressed).
   */
  private <T extends Throwable> T salvage(T e) {
    if (round.parents > 0) {
      try {
        commit();
      } catch (RuntimeException | Error c) {
        e.addSuppressed(c);
      }
    }
    return e;
  }

  /** A stage call that threw on a worker, carried to the owner thread. */
  private static final class StageFailure extends RuntimeException {
    final RuntimeException failure;

    StageFailure(RuntimeException failure) {
      super(failure.getMessage(), failure, false, false);
      this.failure = failure;
    }
  }

  /**
   * Whether the work in flight will probably use up a rollout budget: the rollouts so far plus, for
   * each open candidate, the mean rollouts per finished candidate. Keeps the overshoot of a rollout
   * budget near one candidate's worth instead of everything in flight.
   */
  private boolean rolloutsCommitted(RunStats t) {
    long max = sparq.budget().maxRollouts();
    long finished = t.candidates() + round.parents;
    if (max == Long.MAX_VALUE || finished == 0) {
      return false;
    }
    long done = t.rollouts() + round.rollouts;
    double mean = (double) done / finished;
    return done + mean * open >= max;
  }

  /**
   * Whether the work in flight will probably use up a token budget: the tokens reported so far
   * (including those of stages already done by candidates in flight) plus, for each open candidate,
   * the mean so far per finished candidate. The budget is otherwise checked only when a group is
   * committed, so every candidate started until then, a group and all in flight, would overshoot it.
   */
  private boolean tokensCommitted(RunStats t) {
    long max = sparq.budget().maxTokens();
    if (max == Long.MAX_VALUE) {
      return false;
    }
    long spent = sparq.liveTokens();
    long finished = t.candidates() + round.parents;
    if (spent >= max || finished == 0) {
      return spent >= max;
    }
    double mean = (double) spent / finished;
    return spent + mean * open >= max;
  }

  /** Draws a parent from the archive as it is now and starts its generation; false when the pool is empty. */
  private boolean launch(ExecutorService workers) {
    long seq = firstSeq + launched;
    SplittableRandom random = new SplittableRandom(RandomSeeds.derive(seed, seq, STAGE_SELECT, 0));
    Archive pool = sparq.pool();
    Optional<Elite> parent = sparq.selector().select(pool, random);
    if (parent.isEmpty()) {
      return false;
    }
    List<Problem> mates = new ArrayList<>(MATES);
    for (int i = 0; i < MATES; i++) {
      sparq.selector().select(pool, random).ifPresent(e -> mates.add(e.problem()));
    }
    Job job = new Job(seq, parent.get().problem(), List.copyOf(mates));
    launched++;
    open++;
    submit(workers, job, STAGE_GENERATE, "generate",
        ctx -> sparq.generatorStage().generate(List.of(job.parent), ctx),
        out -> generated(workers, job, out));
    return true;
  }

  /** Runs one stage call of one item on a worker; its result is handled on the owner thread. */
  private <O> void submit(ExecutorService workers, Job job, int stage, String name,
      Function<StageContext, List<O>> call, Consumer<O> then) {
    busy++;
    List<Problem> mates = job.mates;
    ParentSource source = (count, random) -> mates.subList(0, Math.min(count, mates.size()));
    StageContext ctx = new StageContext(new SplittableRandom(RandomSeeds.derive(seed, job.seq, stage, 0)),
        sparq.iteration(), source);
    workers.execute(() -> {
      Runnable result;
      try {
        O value = Sparq.checkStageOutput(name, call.apply(ctx), 1, 0).get(0);
        result = () -> {
          busy--;
          then.accept(value);
        };
      } catch (RuntimeException e) {
        result = () -> {
          throw new StageFailure(e);
        };
      } catch (Error e) {
        result = () -> {
          throw new StageFailure(new SparqException("stage " + name + " failed: " + e, e));
        };
      }
      events.add(result);
    });
  }

  private void generated(ExecutorService workers, Job job, Outcome<Problem> out) {
    long it = sparq.iteration();
    if (!out.isPresent()) {
      sparq.rejected(it, "generate", job.parent.id(), out.rejection());
      finish(job);
      return;
    }
    job.child = out.value();
    String id = job.child.id();
    EngineState.Evaluated before = sparq.evaluation(id);
    if (before != null) {
      repeat(job, before);
      return;
    }
    Job first = active.get(id);
    if (first != null) {
      first.waiters.add(job);
      return;
    }
    active.put(id, job);
    if (aware != null) {
      describe(workers, job);
    } else {
      estimate(workers, job);
    }
  }

  private void estimate(ExecutorService workers, Job job) {
    submit(workers, job, STAGE_ESTIMATE, "estimate", ctx -> aware != null
            ? aware.estimateInNiches(List.of(job.child), new double[][] {job.niche}, sparq.solverStage(), ctx)
            : sparq.estimatorStage().estimate(List.of(job.child), sparq.solverStage(), ctx),
        out -> estimated(workers, job, out));
  }

  private void describe(ExecutorService workers, Job job) {
    submit(workers, job, STAGE_DESCRIBE, "describe",
        ctx -> sparq.descriptorStage().describe(List.of(job.child), ctx),
        out -> described(workers, job, out));
  }

  private void estimated(ExecutorService workers, Job job, Outcome<Evaluation> out) {
    job.evaluation = out;
    if (!out.isPresent()) {
      sparq.rejected(sparq.iteration(), "estimate", job.child.id(), out.rejection());
      failed(job);
      return;
    }
    job.measured = true;
    job.rollouts = out.value().rollouts().size();
    if (aware != null) {
      offer(job);
    } else {
      describe(workers, job);
    }
  }

  private void described(ExecutorService workers, Job job, Outcome<Descriptor> out) {
    job.descriptor = out;
    if (!out.isPresent()) {
      if (aware != null) {
        // rejected by the descriptor before any rollout, as in the synchronous archive-aware order
        job.measured = true;
      }
      sparq.rejected(sparq.iteration(), "describe", job.child.id(), out.rejection());
      failed(job);
      return;
    }
    if (aware != null) {
      job.niche = sparq.niche(out.value());
      estimate(workers, job);
    } else {
      offer(job);
    }
  }

  /** Offers an evaluated, described child to the archive (owner thread only) and finishes it. */
  private void offer(Job job) {
    long it = sparq.iteration();
    Evaluation ev = job.evaluation.value();
    Elite e = new Elite(job.child, ev.difficulty(), job.descriptor.value(), it);
    sparq.recordEvaluation(e.id(), new EngineState.Evaluated(e.difficulty(), e.descriptor()));
    AddResult r = sparq.archive().add(List.of(e)).get(0);
    if (r.inserted()) {
      round.added++;
    }
    if (r.duplicate()) {
      round.duplicates++;
    } else if (r.cell() < 0) {
      sparq.rejected(it, "archive", e.id(), Rejection.of("no_cell", "the archive has no cell for "
          + e.descriptor()));
    }
    round.out.add(new EvaluatedCandidate(it, e.problem(), ev.rollouts(), e.difficulty(), e.descriptor(),
        r.status(), r.value(), r.duplicate()));
    active.remove(job.child.id());
    List<Job> waiters = List.copyOf(job.waiters);
    finish(job);
    EngineState.Evaluated evaluated = sparq.evaluation(job.child.id());
    for (Job w : waiters) {
      repeat(w, evaluated);
    }
  }

  /** A child whose evaluation or description was rejected; children waiting on its id are rejected too. */
  private void failed(Job job) {
    active.remove(job.child.id());
    List<Job> waiters = List.copyOf(job.waiters);
    finish(job);
    for (Job w : waiters) {
      sparq.rejected(sparq.iteration(), "estimate", w.child.id(), Rejection.of("duplicate_of_rejected",
          "an earlier child with the same problem id was rejected"));
      finish(w);
    }
  }

  /** A child whose id was evaluated before: reuses that evaluation, never solved again. */
  private void repeat(Job job, EngineState.Evaluated ev) {
    round.duplicates++;
    round.out.add(new EvaluatedCandidate(sparq.iteration(), job.child, List.of(), ev.difficulty(),
        ev.descriptor(), AddStatus.NOT_ADDED, 0.0, true));
    finish(job);
  }

  /** One more parent done; commits the iteration when it holds a batch. */
  private void finish(Job job) {
    open--;
    round.parents++;
    if (job.child != null) {
      round.children++;
    }
    if (job.measured) {
      round.measured = true;
      holding = false;
    }
    round.rollouts += job.rollouts;
    if (round.parents >= batchSize) {
      commit();
    }
  }

  private void commit() {
    Round r = round;
    round = new Round();
    // Rejected children finish at once while good ones are still being solved, so with many in
    // flight the first groups to fill can hold nothing but rejections: the stall guard waits for the
    // children being evaluated before it ends the run
    boolean evaluating = !active.isEmpty();
    sparq.commitRound(r.parents, r.children, r.out, r.added, r.duplicates, r.rollouts, r.measured, r.start,
        evaluating);
    holding = evaluating && sparq.stallLimitReached();
  }
}
