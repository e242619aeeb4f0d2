package dev.sparq.testkit.archive;

import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.GridTessellation;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.model.Descriptor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** A 5x4 grid over [-1, 1] x [0, 10] with capacity 1 (classic MAP-Elites). */
class GridArchiveProperties extends ArchiveContract {
  static final GridTessellation GRID =
      new GridTessellation(new int[] {5, 4}, new double[] {-1, 0}, new double[] {1, 10});

  /** Two measures drawn beyond the bounds too, so clipping into edge bins is exercised. */
  static Arbitrary<Descriptor> gridDescriptors() {
    return Combinators.combine(Arbitraries.doubles().between(-1.5, 1.5),
        Arbitraries.doubles().between(-2, 12)).as(Descriptor::ofMeasures);
  }

  @Override
  protected Archive newArchive() {
    return CellArchive.builder()
        .tessellation(GridArchiveProperties.GRID).build();
  }

  @Override
  protected Arbitrary<Descriptor> descriptors() {
    return GridArchiveProperties.gridDescriptors();
  }
}
