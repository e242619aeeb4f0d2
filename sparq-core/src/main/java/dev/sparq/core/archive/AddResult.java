package dev.sparq.core.archive;

import dev.sparq.core.model.AddStatus;
import java.util.Objects;

/**
 * The archive's answer for one candidate of a batch.
 *
 * @param status judged against the archive before the batch
 * @param value {@code quality} for {@link AddStatus#NEW}; otherwise {@code quality} minus the
 *     quality of the worst member of the (full) cell before the batch, so positive for
 *     {@link AddStatus#IMPROVED} and at most zero for {@link AddStatus#NOT_ADDED}; 0 when the
 *     candidate has no cell
 * @param cell the cell index, or -1 when the candidate has no cell (a bounded categorical archive
 *     that is full)
 * @param inserted whether the candidate is in the archive after the batch: an accepted candidate can
 *     lose its slot to a better candidate of the same batch
 * @param duplicate whether the candidate was refused because its problem id was already a member
 *     before the batch, or belonged to an earlier candidate of the same batch; a duplicate is
 *     {@link AddStatus#NOT_ADDED}, never inserted, has value 0, and its cell is the cell its
 *     descriptor maps to without creating one (-1 when none)
 */
public record AddResult(AddStatus status, double value, int cell, boolean inserted,
    boolean duplicate) {
  public AddResult {
    Objects.requireNonNull(status, "status");
    if (duplicate && (status != AddStatus.NOT_ADDED || inserted)) {
      throw new IllegalArgumentException("a duplicate is NOT_ADDED and not inserted, got " + status
          + (inserted ? ", inserted" : ""));
    }
  }

  /** A result for a candidate that is not a duplicate. */
  public AddResult(AddStatus status, double value, int cell, boolean inserted) {
    this(status, value, cell, inserted, false);
  }

  /** The result for a duplicate problem id in cell {@code cell} (-1 when none). */
  public static AddResult duplicateOf(int cell) {
    return new AddResult(AddStatus.NOT_ADDED, 0.0, cell, false, true);
  }

  /** Why a {@link AddStatus#NOT_ADDED} candidate was refused: {@code "duplicate"}, {@code
   * "no_cell"}, {@code "not_better"}, or {@code ""} for an accepted candidate. */
  public String reason() {
    if (duplicate) {
      return "duplicate";
    }
    if (status.accepted()) {
      return "";
    }
    return cell < 0 ? "no_cell" : "not_better";
  }
}
