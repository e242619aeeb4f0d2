package dev.sparq.examples;

import dev.sparq.core.engine.IterationEvent;
import dev.sparq.core.engine.SparqListener;

/** Prints one line every {@code every} iterations. */
final class ProgressPrinter implements SparqListener {
  private final int every;

  ProgressPrinter(int every) {
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
