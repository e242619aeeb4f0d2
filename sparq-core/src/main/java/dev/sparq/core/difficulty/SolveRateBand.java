package dev.sparq.core.difficulty;

import dev.sparq.core.ConfigException;

/**
 * SPARQ's quality band: a problem solved at rate {@code sr} with {@code lower <= sr <= upper} has
 * quality {@code 1 - sr}; outside the band (impossible, invalid or trivial problems) quality is 0.
 *
 * @param lower lowest solve rate in the band (paper: 0.1)
 * @param upper highest solve rate in the band (paper: 0.9)
 */
public record SolveRateBand(double lower, double upper) {
  /** The paper's band [0.1, 0.9]. */
  public static final SolveRateBand PAPER = new SolveRateBand(0.1, 0.9);

  public SolveRateBand {
    if (!(lower >= 0 && upper <= 1 && lower <= upper)) {
      throw ConfigException.forKey("difficulty.band",
          "need 0 <= lower <= upper <= 1, got [" + lower + ", " + upper + "]");
    }
  }

  /** Whether a solve rate lies in the band (ends included, with a tolerance for rounding). */
  public boolean contains(double solveRate) {
    return solveRate >= lower - 1e-12 && solveRate <= upper + 1e-12;
  }

  /** Whether {@code correct} out of {@code k} lies in the band. */
  public boolean contains(int correct, int k) {
    return k > 0 && contains((double) correct / k);
  }

  /** {@code 1 - sr} inside the band, else 0. */
  public double quality(int correct, int k) {
    return contains(correct, k) ? 1.0 - (double) correct / k : 0.0;
  }

  /** The smallest number of correct rollouts out of {@code k} that is in the band. */
  public int minCorrect(int k) {
    for (int c = 0; c <= k; c++) {
      if (contains(c, k)) {
        return c;
      }
    }
    return k + 1;
  }

  /** The largest number of correct rollouts out of {@code k} that is in the band. */
  public int maxCorrect(int k) {
    for (int c = k; c >= 0; c--) {
      if (contains(c, k)) {
        return c;
      }
    }
    return -1;
  }
}
