package dev.sparq.testkit.archive;

/**
 * The optional properties of the {@link ArchiveContract}: what an archive may or may not promise.
 * A test class declares the features its archive supports with {@link ArchiveFeatures}; every
 * property that assumes a feature the archive does not declare is skipped, and the skip, with the
 * missing feature, shows in the test report. Two properties need no feature and always run: an
 * inserted candidate is retrievable from its cell, and {@code stats()} agrees with the contents.
 */
public enum ArchiveFeature {
  /**
   * No cell holds more than {@code capacity()} members, each cell is sorted best first, and no
   * reported cell is empty (property {@code membersNeverExceedCapacityPerCell}).
   */
  BOUNDED_CAPACITY,
  /**
   * Elitism: the k-th best quality of a cell never decreases and an occupied cell never empties
   * (property {@code cellQualityNeverDecreases}).
   */
  ELITIST_CELLS,
  /**
   * Batch add follows the pyribs rule (each candidate judged against the archive as it was before
   * the batch, best wins, ties to the earlier one, statuses and values as pyribs reports them),
   * checked against a reference model for distinct and for tied qualities (properties
   * {@code batchAddFollowsPyribsRuleForDistinctQualities} and
   * {@code batchAddFollowsPyribsRuleWithTies}).
   */
  PYRIBS_BATCH_ADD,
  /**
   * No two members share a problem id; a duplicate is {@code NOT_ADDED} with reason
   * {@code duplicate} (property {@code noTwoMembersShareAProblemId}).
   */
  DUPLICATE_IDS_REJECTED,
  /**
   * Persistence through {@link ArchiveContract#roundTrip} is exact: members, order, statistics,
   * samples and later adds (property {@code roundTripIsExact}).
   */
  EXACT_ROUND_TRIP,
  /**
   * Batches added from several threads at once end as some sequential order of them would
   * (property {@code concurrentAddsMatchSomeSequentialOrder}).
   */
  THREAD_SAFE_ADDS
}
