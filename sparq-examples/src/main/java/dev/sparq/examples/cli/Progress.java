package dev.sparq.examples.cli;

import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.IterationEvent;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.SparqListener;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Shows how far a run is through its budget. On a terminal it redraws one line: a bar, the
 * percentage, the iteration rate, the rollout rate, the estimated time left and the archive's size;
 * elsewhere (a pipe, a file, CI logs) it prints a plain line every {@code logIntervalMillis}, and
 * always for the last iteration.
 */
public final class Progress implements SparqListener {
  /** How progress is shown. */
  public enum Mode {
    /** A bar when {@code System.console()} is present, log lines otherwise. */
    AUTO,
    /** A bar redrawn in place. */
    BAR,
    /** Plain periodic lines. */
    LOG,
    /** Nothing. */
    NONE
  }

  private static final int WIDTH = 30;

  private final PrintStream out;
  private final Mode mode;
  private final Budget budget;
  private final long logIntervalMillis;
  private final LongSupplier clock;
  private final long startNanos;
  private final RunStats start;
  private final int asyncBatchSize;
  private long lastDraw = Long.MIN_VALUE;
  private boolean drewBar;
  /** The latest event not yet shown (LOG mode), printed by {@link #finish()}. */
  private IterationEvent unshown;

  /**
   * @param out where to write (usually {@code System.err})
   * @param mode {@link Mode#AUTO} picks BAR on a terminal and LOG otherwise
   * @param budget the run's budget (progress is the largest fraction of any of its limits)
   * @param start the totals when this process started (non-zero when resuming)
   * @param logIntervalMillis the gap between log lines
   * @param clock nanosecond clock (tests pass a fake one)
   */
  public Progress(PrintStream out, Mode mode, Budget budget, RunStats start, long logIntervalMillis,
      LongSupplier clock) {
    this(out, mode, budget, start, logIntervalMillis, clock, 0);
  }

  /**
   * As {@link #Progress(PrintStream, Mode, Budget, RunStats, long, LongSupplier)}, for a run in the
   * asynchronous mode when {@code asyncBatchSize > 0}: its iteration and candidate limits count
   * parents ({@link Budget#parentCap}, {@link Budget#exhaustedByParents}), so a run resumed after a
   * shorter iteration is not shown as done one group early, and the candidates in flight when the
   * budget is reached still finish after it, so the bar is ended by {@link #finish()}.
   *
   * @param asyncBatchSize the run's batch size in the asynchronous mode, 0 for the synchronous mode
   */
  public Progress(PrintStream out, Mode mode, Budget budget, RunStats start, long logIntervalMillis,
      LongSupplier clock, int asyncBatchSize) {
    if (asyncBatchSize < 0) {
      throw new IllegalArgumentException("asyncBatchSize must be >= 0, was " + asyncBatchSize);
    }
    this.asyncBatchSize = asyncBatchSize;
    this.out = out;
    this.mode = mode == Mode.AUTO ? (System.console() != null ? Mode.BAR : Mode.LOG) : mode;
    this.budget = budget;
    this.start = start;
    this.logIntervalMillis = logIntervalMillis;
    this.clock = clock;
    this.startNanos = clock.getAsLong();
  }

  /** The mode in effect after resolving {@link Mode#AUTO}. */
  public Mode mode() {
    return mode;
  }

  /** The fraction of the budget used by {@code t}, in [0, 1]. */
  public static double fraction(Budget b, RunStats t) {
    double f = 0;
    f = Math.max(f, ratio(t.iterations(), b.maxIterations()));
    f = Math.max(f, ratio(t.candidates(), b.maxCandidates()));
    f = Math.max(f, ratio(t.rollouts(), b.maxRollouts()));
    f = Math.max(f, ratio(t.tokens(), b.maxTokens()));
    return Math.min(1.0, f);
  }

  /**
   * The fraction of the budget used by {@code t} in the asynchronous mode with this batch size, in
   * [0, 1]: iterations and candidates are counted in parents against {@link Budget#parentCap}.
   */
  public static double fraction(Budget b, RunStats t, int asyncBatchSize) {
    if (asyncBatchSize == 0) {
      return fraction(b, t);
    }
    double f = ratio(t.candidates(), b.parentCap(asyncBatchSize));
    f = Math.max(f, ratio(t.rollouts(), b.maxRollouts()));
    f = Math.max(f, ratio(t.tokens(), b.maxTokens()));
    return Math.min(1.0, f);
  }

  private boolean exhausted(RunStats t) {
    return asyncBatchSize > 0 ? budget.exhaustedByParents(t, asyncBatchSize) : budget.exhausted(t);
  }

  private static double ratio(long used, long max) {
    return max == Long.MAX_VALUE || max <= 0 ? 0 : (double) used / max;
  }

  @Override
  public void onIteration(IterationEvent e) {
    if (mode == Mode.NONE) {
      return;
    }
    long now = clock.getAsLong();
    double f = fraction(budget, e.totals(), asyncBatchSize);
    double fStart = fraction(budget, start, asyncBatchSize);
    boolean last = exhausted(e.totals());
    double secs = Math.max(1e-9, (now - startNanos) / 1e9);
    long its = e.totals().iterations() - start.iterations();
    long rolls = e.totals().rollouts() - start.rollouts();
    double itRate = its / secs;
    double rollRate = rolls / secs;
    double done = f - fStart;
    String eta = done > 0 && !last ? duration(secs * (1 - f) / done) : last ? "0:00" : "--:--";
    String stats = String.format(Locale.ROOT, "it %d, %.1f it/s, %.0f rollouts/s, ETA %s, %d members in %d cells, QD %.2f, %d rejected, %d duplicates",
        e.totals().iterations(), itRate, rollRate, eta, e.archive().members(), e.archive().occupiedCells(),
        e.archive().qdScore(), e.totals().rejectedTotal(), e.totals().duplicates());
    if (mode == Mode.BAR) {
      if (!last && lastDraw != Long.MIN_VALUE && now - lastDraw < 100_000_000L) {
        unshown = e;
        return;
      }
      unshown = null;
      int filled = (int) Math.round(f * WIDTH);
      out.print("\r[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
          + String.format(Locale.ROOT, "%3.0f%% ", f * 100) + stats + "   ");
      drewBar = true;
      if (last && asyncBatchSize == 0) {
        out.println();
        drewBar = false;
      }
      out.flush();
    } else {
      if (!last && lastDraw != Long.MIN_VALUE && now - lastDraw < logIntervalMillis * 1_000_000L) {
        unshown = e;
        return;
      }
      unshown = null;
      out.println(String.format(Locale.ROOT, "progress %3.0f%%: ", f * 100) + stats);
    }
    lastDraw = now;
  }

  /**
   * Ends the display when the run returns: ends a bar line left open (a run stopped before its
   * budget, or an asynchronous run whose candidates in flight finished after it), and in LOG mode
   * prints the last iteration's line when the interval had held it back, so the last line shown
   * agrees with the run's totals.
   */
  public void finish() {
    if (unshown != null) {
      IterationEvent e = unshown;
      unshown = null;
      lastDraw = Long.MIN_VALUE;
      onIteration(e);
    }
    if (drewBar) {
      out.println();
      drewBar = false;
    }
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
