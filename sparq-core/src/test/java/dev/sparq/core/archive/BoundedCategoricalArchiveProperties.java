package dev.sparq.core.archive;

import dev.sparq.core.archive.testing.ArchiveContract;
import dev.sparq.core.model.Descriptor;
import net.jqwik.api.Arbitrary;

/** A categorical archive bounded to 3 cells, capacity 1: later keys get no cell. */
class BoundedCategoricalArchiveProperties extends ArchiveContract {
  @Override
  protected Archive newArchive() {
    return CellArchive.builder()
        .tessellation(CategoricalTessellation.bounded(3)).build();
  }

  @Override
  protected Arbitrary<Descriptor> descriptors() {
    return CategoricalArchiveProperties.skillSets();
  }
}
