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
 * <p>Each rule is its own record holding only its own parameters ({@link Gaussian} alone has a
 * mean and a standard deviation; {@link All} has no budget), so callers can switch over the sealed
 * set of rules.
 */
public sealed interface Selector
    permits Selector.All, Selector.Budgeted {

  /** The rule's name in reports and dataset cards: {@code all}, {@code random}, {@code gaussian},
   * {@code diversity} or {@code quality_diversity}. */
  String rule();

  /** A rule that keeps at most {@link #budget()} examples and so needs a second pass over the log. */
  sealed interface Budgeted extends Selector permits Random, Gaussian, Diversity, QualityDiversity {
    /** Examples to keep, at least 1. */
    int budget();
  }

  /** Keep everything that passed the filters. */
  record All() implements Selector {
    @Override
    public String rule() {
      return "all";
    }
  }

  /**
   * A uniform sample.
   *
   * @param budget examples to keep
   */
  record Random(int budget) implements Budgeted {
    /** Checks the budget. */
    public Random {
      checkBudget(budget);
    }

    @Override
    public String rule() {
      return "random";
    }
  }

  /**
   * A quality-weighted sample with Gaussian weights.
   *
   * @param mean the Gaussian's mean quality
   * @param sd the Gaussian's standard deviation, above 0
   * @param budget examples to keep
   */
  record Gaussian(double mean, double sd, int budget) implements Budgeted {
    /** Checks the budget and the standard deviation. */
    public Gaussian {
      checkBudget(budget);
      if (!(sd > 0)) {
        throw ConfigException.forKey("selector.sd", "must be > 0, was " + sd);
      }
    }

    @Override
    public String rule() {
      return "gaussian";
    }
  }

  /**
   * Greedy skill coverage, uniform within skill sets.
   *
   * @param budget examples to keep
   */
  record Diversity(int budget) implements Budgeted {
    /** Checks the budget. */
    public Diversity {
      checkBudget(budget);
    }

    @Override
    public String rule() {
      return "diversity";
    }
  }

  /**
   * Greedy skill coverage, best quality within skill sets.
   *
   * @param budget examples to keep
   */
  record QualityDiversity(int budget) implements Budgeted {
    /** Checks the budget. */
    public QualityDiversity {
      checkBudget(budget);
    }

    @Override
    public String rule() {
      return "quality_diversity";
    }
  }

  /** Keep everything. */
  static Selector all() {
    return new All();
  }

  /** A uniform sample of {@code n}. */
  static Selector random(int n) {
    return new Random(n);
  }

  /** {@code n} examples, weighted by a Gaussian density of their quality. */
  static Selector gaussian(double mean, double sd, int n) {
    return new Gaussian(mean, sd, n);
  }

  /** {@code n} examples spread over skill sets, uniform within each. */
  static Selector diversity(int n) {
    return new Diversity(n);
  }

  /** {@code n} examples spread over skill sets, best quality within each. */
  static Selector qualityDiversity(int n) {
    return new QualityDiversity(n);
  }

  private static void checkBudget(int budget) {
    if (budget < 1) {
      throw ConfigException.forKey("selector.budget", "must be >= 1, was " + budget);
    }
  }
}
