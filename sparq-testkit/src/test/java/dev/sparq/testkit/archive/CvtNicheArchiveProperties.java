package dev.sparq.testkit.archive;

import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.model.Descriptor;
import net.jqwik.api.Arbitrary;

/** The CVT of {@link CvtArchiveProperties} with capacity 4 and a QD offset of 2. */
class CvtNicheArchiveProperties extends ArchiveContract {
  @Override
  protected Archive newArchive() {
    return CellArchive.builder()
        .tessellation(CvtArchiveProperties.CVT).capacity(4).qdOffset(2).build();
  }

  @Override
  protected Arbitrary<Descriptor> descriptors() {
    return CvtArchiveProperties.cvtDescriptors();
  }
}
