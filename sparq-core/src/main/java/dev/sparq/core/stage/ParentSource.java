package dev.sparq.core.stage;

import dev.sparq.core.model.Problem;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Draws extra parents from the engine's working set with its selection rule, for operators that need
 * more than the primary parent (crossover, few-shot). Draws use the random generator given, so they
 * are reproducible.
 */
@FunctionalInterface
public interface ParentSource {
  /** Draws {@code count} problems (with replacement). Empty when the working set is empty. */
  List<Problem> draw(int count, RandomGenerator random);

  /** A source with nothing in it. */
  static ParentSource empty() {
    return (count, random) -> List.of();
  }
}
