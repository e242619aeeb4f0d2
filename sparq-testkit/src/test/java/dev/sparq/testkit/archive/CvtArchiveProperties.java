package dev.sparq.testkit.archive;

import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.CvtTessellation;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.model.Descriptor;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** A 2-D CVT archive with 12 cells over [0, 1]^2 and capacity 1. */
class CvtArchiveProperties extends ArchiveContract {
  static final CvtTessellation CVT =
      CvtTessellation.build(12, new double[] {0, 0}, new double[] {1, 1}, 400, 10, 
          new SplittableRandom(7));

  /** Points in and around the unit square. */
  static Arbitrary<Descriptor> cvtDescriptors() {
    return Arbitraries.doubles().between(-0.5, 1.5).list().ofSize(2)
        .map(m -> Descriptor.ofMeasures(m.get(0), m.get(1)));
  }

  @Override
  protected Archive newArchive() {
    return CellArchive.builder()
        .tessellation(CVT).build();
  }

  @Override
  protected Arbitrary<Descriptor> descriptors() {
    return CvtArchiveProperties.cvtDescriptors();
  }
}
