package dev.sparq.examples;

import dev.sparq.core.engine.IterationEvent;
import dev.sparq.core.engine.SparqListener;

/**
 * Prints one progress line to standard output every {@code every} iterations (members, niches, QD
 * score, rollouts), as the quick start's snippets do.
 */
public final class ProgressPrinter implements SparqListener {
  private final int every;

  /**
   * @param every print after every {@code every}-th iteration (at least 1)
   */
  public ProgressPrinter(int every) {
    if (every < 1) {
      throw new IllegalArgumentException("every must be >= 1, was " + every);
    }
    this.every = every;
  }

  @Override
  public void onIteration(IterationEvent e) {
    if ((e.iteration() + 1) % every == 0) {
      System.out.printf("iteration %4d: members %5d, niches %4d, QD score %8.2f, rollouts %7d%n",
          e.iteration() + 1, e.archive().members(), e.archive().occupiedCells(), e.archive().qdScore(),
          e.totals().rollouts());
    }
  }
}
