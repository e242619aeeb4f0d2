package dev.sparq.examples.cli;

import dev.sparq.core.engine.IterationEvent;

/**
 * One line of {@code metrics.jsonl}: the archive and the run totals after one iteration. Values
 * that are undefined (coverage of an unbounded archive, qualities of an empty one) are {@code null}.
 *
 * @param iteration the iteration that finished (0-based)
 * @param members archive members
 * @param occupiedCells occupied cells
 * @param cells cells when finite, else -1
 * @param coverage occupied / cells, or null
 * @param qdScore the archive's QD score
 * @param bestQuality best member quality, or null
 * @param meanQuality mean member quality, or null
 * @param candidates children attempted so far
 * @param evaluated children evaluated so far
 * @param added children that entered the archive so far
 * @param rollouts rollouts spent so far
 * @param rejected rejections so far (all stages)
 * @param elapsedMillis wall time of this iteration
 */
public record MetricsRow(long iteration, int members, int occupiedCells, int cells, Double coverage,
    double qdScore, Double bestQuality, Double meanQuality, long candidates, long evaluated, long added,
    long rollouts, long rejected, long elapsedMillis) {

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  /** The row for an engine event. */
  public static MetricsRow of(IterationEvent e) {
    var a = e.archive();
    var t = e.totals();
    return new MetricsRow(e.iteration(), a.members(), a.occupiedCells(), a.cells(), finite(a.coverage()),
        a.qdScore(), finite(a.bestQuality()), finite(a.meanQuality()), t.candidates(), t.evaluated(),
        t.added(), t.rollouts(), t.rejectedTotal(), e.elapsedNanos() / 1_000_000);
  }
}
