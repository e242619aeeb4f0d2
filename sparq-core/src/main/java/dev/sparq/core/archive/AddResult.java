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
 */
public record AddResult(AddStatus status, double value, int cell, boolean inserted) {
  public AddResult {
    Objects.requireNonNull(status, "status");
  }
}
