package dev.sparq.core.engine;

import dev.sparq.core.model.EvaluatedCandidate;
import java.util.ArrayList;
import java.util.List;

/**
 * A sink that keeps every evaluated candidate in memory, in order: the engine's default, so a
 * library user can inspect or export a run without a run directory. It holds the rollouts too, so
 * for long runs write to a {@code CandidateLog} (or {@link CandidateSink#discard()}) instead.
 */
public final class InMemorySink implements CandidateSink {
  private final List<EvaluatedCandidate> candidates = new ArrayList<>();

  @Override
  public synchronized void accept(long iteration, List<EvaluatedCandidate> batch) {
    candidates.addAll(batch);
  }

  /** A copy of the candidates accepted so far, in order. */
  public synchronized List<EvaluatedCandidate> candidates() {
    return List.copyOf(candidates);
  }

  /** Number of candidates accepted so far. */
  public synchronized int size() {
    return candidates.size();
  }
}
