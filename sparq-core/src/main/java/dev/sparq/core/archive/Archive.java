package dev.sparq.core.archive;

import dev.sparq.core.model.AddStatus;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Elite;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * A quality-diversity archive: cells found by a tessellation, each holding up to
 * {@link #capacity()} members ranked by quality.
 *
 * <h2>Batch add</h2>
 * {@link #add(List)} follows pyribs: every candidate is judged against the archive as it was
 * <em>before</em> the batch; only strictly greater quality displaces a member; among candidates of
 * one batch competing for the same slot the better wins and ties go to the earlier candidate (and
 * members already stored win ties against candidates). See {@link AddStatus} and {@link AddResult}.
 *
 * <h2>Threads</h2>
 * Implementations must be safe for concurrent use; concurrent adds must end in a state that some
 * sequential order of the same batches would produce.
 *
 * <p>The contract is checked by the property suite {@code ArchiveContract} of the
 * {@code sparq-testkit} module, which any implementation can run (src-docs/archives.md); an
 * implementation that does not promise every property opts out per {@code ArchiveFeature}.
 */
public interface Archive {

  /** Adds a batch; returns one result per candidate, in order. */
  List<AddResult> add(List<Elite> candidates);

  /** Adds one candidate (a batch of one). */
  default AddResult add(Elite candidate) {
    return add(List.of(candidate)).get(0);
  }

  /** The most members a cell holds. */
  int capacity();

  /** The tessellation that finds cells. */
  Tessellation tessellation();

  /** The cell a descriptor maps to, without creating one; -1 when it has none. */
  int cellOf(Descriptor descriptor);

  /** Members of one cell, best first (empty for an unknown or empty cell). */
  List<Elite> cell(int cell);

  /** Indices of the occupied cells, in order of first occupation. */
  int[] occupiedCells();

  /** All members, in the archive's internal order (stable for a given history of adds). */
  List<Elite> members();

  /** Number of members. */
  int size();

  default boolean isEmpty() {
    return size() == 0;
  }

  /** Statistics of the current contents. */
  ArchiveStats stats();

  /** A member drawn uniformly over all members; empty when the archive is empty. */
  Optional<Elite> sampleMember(RandomGenerator random);

  /**
   * A member drawn uniformly over occupied cells, then uniformly within the cell; empty when the
   * archive is empty.
   */
  Optional<Elite> sampleByCell(RandomGenerator random);
}
