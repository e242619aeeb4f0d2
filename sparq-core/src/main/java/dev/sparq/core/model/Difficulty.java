package dev.sparq.core.model;

import java.util.Objects;

/**
 * How hard a problem is for the solver, as measured from its rollouts.
 *
 * @param correct rollouts whose answer matched the intended answer
 * @param rollouts rollouts spent ({@code 0} means not measured, as for seeds)
 * @param quality the fitness used by the archive; in SPARQ {@code 1 - solveRate} inside the band,
 *     else 0
 * @param validity whether the rollouts support the intended answer
 */
public record Difficulty(int correct, int rollouts, double quality, Validity validity) {
  public Difficulty {
    Objects.requireNonNull(validity, "validity");
    if (rollouts < 0 || correct < 0 || correct > rollouts) {
      throw new IllegalArgumentException(
          "need 0 <= correct <= rollouts, got " + correct + "/" + rollouts);
    }
    if (!Double.isFinite(quality)) {
      throw new IllegalArgumentException("quality must be finite, was " + quality);
    }
  }

  /** A difficulty with only a quality (no rollouts): for seeds, tests and benchmarks. */
  public static Difficulty ofQuality(double quality) {
    return new Difficulty(0, 0, quality, Validity.VALID);
  }

  /** The difficulty of an unmeasured seed: quality 0, no rollouts. */
  public static Difficulty unmeasured() {
    return ofQuality(0.0);
  }

  /** The solve rate {@code correct / rollouts}, or NaN when nothing was measured. */
  public double solveRate() {
    return rollouts == 0 ? Double.NaN : (double) correct / rollouts;
  }

  public boolean measured() {
    return rollouts > 0;
  }
}
