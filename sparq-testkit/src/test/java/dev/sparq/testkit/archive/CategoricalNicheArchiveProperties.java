package dev.sparq.testkit.archive;

import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.model.Descriptor;
import net.jqwik.api.Arbitrary;

/** An unbounded categorical archive keyed by skill sets with SPARQ's per-niche cap (capacity 3). */
class CategoricalNicheArchiveProperties extends ArchiveContract {
  @Override
  protected Archive newArchive() {
    return CellArchive.categorical(3);
  }

  @Override
  protected Arbitrary<Descriptor> descriptors() {
    return CategoricalArchiveProperties.skillSets();
  }
}
