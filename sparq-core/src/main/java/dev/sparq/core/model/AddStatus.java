package dev.sparq.core.model;

/**
 * How an archive received a candidate, judged against the archive as it was before the batch, as in
 * pyribs. Ordered: {@code NOT_ADDED < IMPROVED < NEW}, so {@code status.ordinal()} can be used as a
 * score (as CMA-ME style emitters do).
 */
public enum AddStatus {
  /** The candidate did not beat the worst member of its full cell (or had no cell). */
  NOT_ADDED,
  /** The cell was full and the candidate beat its worst member. */
  IMPROVED,
  /** The cell had a free slot (for capacity 1: the cell was empty). */
  NEW;

  /** True for {@link #IMPROVED} and {@link #NEW}. */
  public boolean accepted() {
    return this != NOT_ADDED;
  }
}
