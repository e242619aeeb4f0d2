package dev.sparq.testkit.archive;

import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.CategoricalTessellation;
import dev.sparq.core.archive.CellArchive;
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
