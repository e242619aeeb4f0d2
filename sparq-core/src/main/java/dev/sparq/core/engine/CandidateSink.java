package dev.sparq.core.engine;

import dev.sparq.core.model.EvaluatedCandidate;
import java.util.List;

/**
 * Receives every evaluated candidate, one batch per iteration: SPARQ's archive A, which keeps every
 * generated pair whatever its quality. The candidate log of the storage layer implements it.
 */
public interface CandidateSink extends AutoCloseable {
  /** Accepts one iteration's candidates, in order. */
  void accept(long iteration, List<EvaluatedCandidate> candidates);

  /** Makes everything accepted so far durable (called at checkpoints). The default does nothing. */
  default void flush() {}

  @Override
  default void close() {}

  /** A sink that drops everything. */
  static CandidateSink discard() {
    return (iteration, candidates) -> {};
  }
}
