package dev.sparq.core.engine;

/**
 * SPARQ's four variants (see SPARQ.md). Each is a selection rule plus a working-set rule plus a
 * default archive shape; {@link Sparq.Builder#variant(Variant)} applies one.
 */
public enum Variant {
  /** Uniform over the seed set, which never changes. The paper's best variant. */
  STATIC_UNIFORM(ParentSelector.uniform(), WorkingSet.STATIC, false),
  /** Uniform over the seed set's niches, then uniform within; the seed set never changes. */
  STATIC_DIVERSE(ParentSelector.byCell(), WorkingSet.STATIC, false),
  /** Uniform over the working set, which is the top-T by quality of everything generated. */
  DYNAMIC_UNIFORM(ParentSelector.uniform(), WorkingSet.DYNAMIC, true),
  /**
   * Uniform over niches, then within; children join their niche, at most T per niche, the lowest
   * quality evicted (quality-diversity).
   */
  DYNAMIC_DIVERSE(ParentSelector.byCell(), WorkingSet.DYNAMIC, false);

  private final ParentSelector selector;
  private final WorkingSet workingSet;
  private final boolean singleCell;

  Variant(ParentSelector selector, WorkingSet workingSet, boolean singleCell) {
    this.selector = selector;
    this.workingSet = workingSet;
    this.singleCell = singleCell;
  }

  public ParentSelector selector() {
    return selector;
  }

  public WorkingSet workingSet() {
    return workingSet;
  }

  /** Whether the default archive is one cell of capacity T (top-T overall) rather than per niche. */
  public boolean singleCell() {
    return singleCell;
  }
}
