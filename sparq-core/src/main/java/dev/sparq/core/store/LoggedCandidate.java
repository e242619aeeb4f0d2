package dev.sparq.core.store;

import dev.sparq.core.model.EvaluatedCandidate;
import java.util.Objects;

/**
 * One record of the candidate log: the candidate and its sequence number (0-based, contiguous over
 * the whole run, across shards and resumes).
 *
 * @param seq position of the record in the run's log
 * @param candidate the evaluated candidate
 */
public record LoggedCandidate(long seq, EvaluatedCandidate candidate) {
  public LoggedCandidate {
    Objects.requireNonNull(candidate, "candidate");
  }
}
