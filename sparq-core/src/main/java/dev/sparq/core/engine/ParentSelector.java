package dev.sparq.core.engine;

import dev.sparq.core.archive.Archive;
import dev.sparq.core.model.Elite;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * SPARQ's selection rule C: how a parent is drawn from the working set.
 */
@FunctionalInterface
public interface ParentSelector {
  /** Draws one member; empty when the pool is empty. */
  Optional<Elite> select(Archive pool, RandomGenerator random);

  /** Uniform over all members of the working set. */
  static ParentSelector uniform() {
    return Archive::sampleMember;
  }

  /** Uniform over occupied cells (niches), then uniform within the cell. */
  static ParentSelector byCell() {
    return Archive::sampleByCell;
  }
}
