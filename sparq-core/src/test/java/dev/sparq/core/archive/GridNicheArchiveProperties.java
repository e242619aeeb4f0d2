package dev.sparq.core.archive;

import dev.sparq.core.archive.testing.ArchiveContract;
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
