package dev.sparq.core.difficulty;

import dev.sparq.core.ConfigException;
import java.util.Arrays;

/**
 * A prior over solve rates on the grid {@code 0, 1/G, ..., 1}, learned from problems already
 * evaluated (empirical Bayes). It starts from a base distribution with extra mass at exactly 0 and 1
 * (most generated problems are never or always solved) and, after each observation of {@code c}
 * correct out of {@code n}, adds that problem's posterior over the grid to the learned counts (one step
 * of online expectation-maximisation). The prior is {@code (strength * base + counts) / (strength + N)}.
 *
 * <p>Deterministic: the same observations in the same order give the same prior. Its state is a plain
 * record ({@link #state()}, {@link #fromState}) for checkpoints. Not thread-safe; the
 * {@link AdaptiveEstimator} guards it.
 */
public final class SolveRatePrior {
  private final int grid;
  private final double strength;
  private final double[] base;
  private final double[] counts;
  private long observations;

  private SolveRatePrior(int grid, double strength, double[] base, double[] counts, long observations) {
    this.grid = grid;
    this.strength = strength;
    this.base = base;
    this.counts = counts;
    this.observations = observations;
  }

  /**
   * A fresh prior.
   *
   * @param grid G, the number of grid intervals (points are {@code i / G})
   * @param massAtZero base probability of solve rate exactly 0
   * @param massAtOne base probability of solve rate exactly 1
   * @param strength weight of the base, in problems
   */
  public static SolveRatePrior initial(int grid, double massAtZero, double massAtOne, double strength) {
    if (grid < 2 || grid > 10_000) {
      throw ConfigException.forKey("adaptive.prior.grid", "must be in [2, 10000], was " + grid);
    }
    if (!(massAtZero >= 0 && massAtOne >= 0 && massAtZero + massAtOne < 1)) {
      throw ConfigException.forKey("adaptive.prior.mass",
          "need masses >= 0 with a sum < 1, got " + massAtZero + " and " + massAtOne);
    }
    if (!(strength > 0) || Double.isInfinite(strength)) {
      throw ConfigException.forKey("adaptive.prior.strength", "must be > 0, was " + strength);
    }
    double[] base = new double[grid + 1];
    base[0] = massAtZero;
    base[grid] = massAtOne;
    double interior = (1 - massAtZero - massAtOne) / (grid - 1);
    for (int i = 1; i < grid; i++) {
      base[i] = interior;
    }
    return new SolveRatePrior(grid, strength, base, new double[grid + 1], 0);
  }

  /** A prior restored from {@link #state()}. */
  public static SolveRatePrior fromState(State s) {
    if (s.base().length != s.grid() + 1 || s.counts().length != s.grid() + 1) {
      throw ConfigException.forKey("adaptive.prior", "state arrays must have grid + 1 entries");
    }
    return new SolveRatePrior(s.grid(), s.strength(), s.base().clone(), s.counts().clone(),
        s.observations());
  }

  /** The grid point {@code i / G}. */
  public double point(int i) {
    return (double) i / grid;
  }

  public int grid() {
    return grid;
  }

  /** The current prior probabilities of the grid points. */
  public double[] probabilities() {
    double[] p = new double[grid + 1];
    double total = strength + observations;
    for (int i = 0; i <= grid; i++) {
      p[i] = (strength * base[i] + counts[i]) / total;
    }
    return p;
  }

  /** The posterior over the grid after {@code correct} of {@code n} rollouts. */
  public double[] posterior(int correct, int n) {
    return posterior(probabilities(), correct, n);
  }

  double[] posterior(double[] prior, int correct, int n) {
    double[] post = new double[grid + 1];
    double sum = 0;
    for (int i = 0; i <= grid; i++) {
      double p = point(i);
      double like = Math.pow(p, correct) * Math.pow(1 - p, n - correct);
      post[i] = prior[i] * like;
      sum += post[i];
    }
    if (sum <= 0) {
      Arrays.fill(post, 1.0 / (grid + 1));
      return post;
    }
    for (int i = 0; i <= grid; i++) {
      post[i] /= sum;
    }
    return post;
  }

  /** Learns from one evaluated problem. */
  public void observe(int correct, int n) {
    if (n <= 0) {
      return;
    }
    double[] post = posterior(correct, n);
    for (int i = 0; i <= grid; i++) {
      counts[i] += post[i];
    }
    observations++;
  }

  /** Problems learned from. */
  public long observations() {
    return observations;
  }

  /** A copy of the state, for checkpoints. */
  public State state() {
    return new State(grid, strength, base.clone(), counts.clone(), observations);
  }

  /**
   * The exportable state of a {@link SolveRatePrior}.
   *
   * @param grid grid intervals
   * @param strength weight of the base distribution
   * @param base the base distribution ({@code grid + 1} entries)
   * @param counts the learned posterior mass per grid point
   * @param observations problems learned from
   */
  public record State(int grid, double strength, double[] base, double[] counts, long observations) {
    public State {
      base = base.clone();
      counts = counts.clone();
    }

    @Override
    public double[] base() {
      return base.clone();
    }

    @Override
    public double[] counts() {
      return counts.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof State s && grid == s.grid && strength == s.strength
          && observations == s.observations && Arrays.equals(base, s.base)
          && Arrays.equals(counts, s.counts);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(counts) * 31 + Long.hashCode(observations);
    }

    @Override
    public String toString() {
      return "State[grid=" + grid + ", observations=" + observations + "]";
    }
  }
}
