package dev.sparq.core.engine;

/** SPARQ's working-set update rule U: where parents come from. */
public enum WorkingSet {
  /** Parents always come from the seed set; the working set never changes. */
  STATIC,
  /**
   * Parents come from the archive, which starts with the seeds (quality 0) and receives every
   * child; the archive's per-cell capacity decides who stays.
   */
  DYNAMIC
}
