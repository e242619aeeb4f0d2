package dev.sparq.testkit.archive;

import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.CategoricalTessellation;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.model.Descriptor;
import net.jqwik.api.Arbitrary;

/** A categorical archive bounded to 3 cells with capacity 2 and a QD offset of 0.25. */
class BoundedCategoricalNicheArchiveProperties extends ArchiveContract {
  @Override
  protected Archive newArchive() {
    return CellArchive.builder()
        .tessellation(CategoricalTessellation.bounded(3)).capacity(2).qdOffset(0.25).build();
  }

  @Override
  protected Arbitrary<Descriptor> descriptors() {
    return CategoricalArchiveProperties.skillSets();
  }
}
