package dev.sparq.testkit.archive;

import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.model.Descriptor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** An unbounded categorical archive keyed by skill sets, capacity 1. */
class CategoricalArchiveProperties extends ArchiveContract {
  /** Sets of up to three of five skills (26 keys, including the empty set). */
  static Arbitrary<Descriptor> skillSets() {
    return Arbitraries.of("algebra", "geometry", "counting", "number-theory", "calculus")
        .set().ofMaxSize(3).map(Descriptor::ofLabels);
  }

  @Override
  protected Archive newArchive() {
    return CellArchive.categorical(1);
  }

  @Override
  protected Arbitrary<Descriptor> descriptors() {
    return CategoricalArchiveProperties.skillSets();
  }
}
