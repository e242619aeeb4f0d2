package dev.sparq.testkit.archive;

import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.model.Descriptor;
import net.jqwik.api.Arbitrary;

/** The 5x4 grid of {@link GridArchiveProperties} with capacity 3 and a QD offset of -1.5. */
class GridNicheArchiveProperties extends ArchiveContract {
  @Override
  protected Archive newArchive() {
    return CellArchive.builder()
        .tessellation(GridArchiveProperties.GRID).capacity(3).qdOffset(-1.5).build();
  }

  @Override
  protected Arbitrary<Descriptor> descriptors() {
    return GridArchiveProperties.gridDescriptors();
  }
}
