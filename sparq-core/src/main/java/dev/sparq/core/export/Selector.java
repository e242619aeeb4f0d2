package dev.sparq.core.export;

import dev.sparq.core.ConfigException;

/**
 * Which examples to keep when there are more than wanted. All selectors are deterministic for a
 * given export seed and log.
 *
 * <ul>
 *   <li>{@link #all()}: everything that passed the filters (one streaming pass).
 *   <li>{@link #random(int)}: a uniform sample of {@code n} (reservoir, memory O(n)).
 *   <li>{@link #gaussian(double, double, int)}: {@code n} examples drawn without replacement with
 *       probability proportional to a Gaussian density of their quality (weighted reservoir,
 *       memory O(n)).
 *   <li>{@link #diversity(int)}: skill sets are ordered by greedy skill coverage, the budget is spread
 *       evenly over the chosen sets and filled uniformly at random within each.
 *   <li>{@link #qualityDiversity(int)}: the same skill-set order and quotas, the highest-quality
 *       examples within each set.
 * </ul>
 * The last two keep a compact index of every candidate example (16 bytes each) before choosing.
 *
 * @param kind the rule
 * @param budget examples to keep (ignored by {@link Kind#ALL})
 * @param mean the Gaussian's mean quality
 * @param sd the Gaussian's standard deviation
 */
public record Selector(Kind kind, int budget, double mean, double sd) {
  /** The selection rules. */
  public enum Kind {
    /** Keep everything. */
    ALL,
    /** Uniform sample. */
    RANDOM,
    /** Quality-weighted sample with Gaussian weights. */
    GAUSSIAN,
    /** Greedy skill coverage, uniform within skill sets. */
    DIVERSITY,
    /** Greedy skill coverage, best quality within skill sets. */
    QUALITY_DIVERSITY
  }

  public Selector {
    if (kind != Kind.ALL && budget < 1) {
      throw ConfigException.forKey("selector.budget", "must be >= 1, was " + budget);
    }
    if (kind == Kind.GAUSSIAN && !(sd > 0)) {
      throw ConfigException.forKey("selector.sd", "must be > 0, was " + sd);
    }
  }

  public static Selector all() {
    return new Selector(Kind.ALL, 0, 0, 0);
  }

  public static Selector random(int n) {
    return new Selector(Kind.RANDOM, n, 0, 0);
  }

  public static Selector gaussian(double mean, double sd, int n) {
    return new Selector(Kind.GAUSSIAN, n, mean, sd);
  }

  public static Selector diversity(int n) {
    return new Selector(Kind.DIVERSITY, n, 0, 0);
  }

  public static Selector qualityDiversity(int n) {
    return new Selector(Kind.QUALITY_DIVERSITY, n, 0, 0);
  }

  /** Whether the selector needs a second pass over the log. */
  boolean twoPass() {
    return kind != Kind.ALL;
  }
}
