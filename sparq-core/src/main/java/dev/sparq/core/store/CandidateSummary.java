package dev.sparq.core.store;

import dev.sparq.core.model.AddStatus;
import dev.sparq.core.model.Difficulty;
import java.util.Objects;

/**
 * The scalar fields of one candidate-log record, read without its texts ({@link
 * LogReader.RecordView#summary()}): no problem statement, reference solution, answer or rollout
 * text is turned into a {@code String} (only the short {@code attributes} string is decoded, so that
 * a record whose attributes the full decode refuses is refused here too). A reader that needs only these fields (the run
 * report's solve-rate histogram and operator counts) reads a log of long rollout texts several times
 * faster than through {@link LogReader#next()}, and allocates almost nothing per record. Every value
 * equals the one of the fully decoded record ({@link LoggedCandidate}).
 *
 * @param seq position of the record in the run's log
 * @param iteration the iteration that produced the candidate
 * @param difficulty correct and spent rollouts, quality and validity, as in the full record
 * @param status the archive's verdict
 * @param duplicate whether the candidate was flagged as a duplicate
 * @param value the archive value
 * @param operator the operator that made the problem ({@code ""} when not recorded)
 * @param generation the problem's generation
 */
public record CandidateSummary(long seq, long iteration, Difficulty difficulty, AddStatus status,
    boolean duplicate, double value, String operator, int generation) {
  public CandidateSummary {
    Objects.requireNonNull(difficulty, "difficulty");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(operator, "operator");
  }
}
