package dev.sparq.core.answer;

/**
 * A deterministic work budget for one answer check. Every parse and evaluation step spends one unit;
 * when the budget is spent the check stops with {@link Exceeded}. Together with the caps on input
 * length, nesting depth and exponent size this bounds the time of every check without reading a
 * clock, so verdicts never depend on machine load.
 */
final class StepBudget {
  private final long maxSteps;
  private long steps;

  StepBudget(long maxSteps) {
    this.maxSteps = maxSteps;
  }

  void step() {
    if (++steps > maxSteps) {
      throw new Exceeded("work budget of " + maxSteps + " steps spent");
    }
  }

  long spent() {
    return steps;
  }

  /** Thrown when a check hits one of its limits. Carries no stack trace (it is control flow). */
  static final class Exceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Exceeded(String message) {
      super(message, null, false, false);
    }
  }
}
