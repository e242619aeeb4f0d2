package dev.sparq.core.stage;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * What the engine gives a stage for one chunk of a batch: a random generator derived from the run
 * seed, the iteration and the chunk (never shared between chunks, so results do not depend on how
 * many threads run the chunks), the iteration number, and a source of extra parents.
 *
 * @param random the chunk's random generator; use it for every random choice
 * @param iteration the engine iteration (0-based; -1 while describing seeds)
 * @param parents extra parents for multi-parent operators
 */
public record StageContext(RandomGenerator random, long iteration, ParentSource parents) {
  public StageContext {
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(parents, "parents");
  }

  /**
   * The seed for the next model request of this chunk: the next value of {@link #random()} reduced
   * to the non-negative 31-bit range {@code [0, 2^31 - 1]}, so that servers reading {@code seed} as
   * a 32-bit signed integer accept it. Draws exactly one {@code nextLong()}, so the random stream,
   * and with it the run, stays reproducible whatever the thread count.
   */
  public long nextRequestSeed() {
    return random.nextLong() >>> 33;
  }

  /** A context for a standalone call (tests, tools): the given random, iteration 0, no parents. */
  public static StageContext of(RandomGenerator random) {
    return new StageContext(random, 0, ParentSource.empty());
  }
}
