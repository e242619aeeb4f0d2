package dev.sparq.testkit.archive;

import dev.sparq.core.archive.AddResult;
import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.ArchiveStats;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.archive.Tessellation;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Elite;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import net.jqwik.api.Arbitrary;

/**
 * Contract suites over an archive with a planted bug, run by {@link ArchiveContractFeaturesTest}
 * through the JUnit Platform launcher (their names end in neither Test nor Properties, so Surefire
 * does not run them on their own).
 */
final class PlantedBugs {
  private PlantedBugs() {}

  /** Keeps two members per cell while claiming a capacity of one. */
  static final class LyingCapacityArchive implements Archive {
    private final CellArchive inner = CellArchive.builder()
        .tessellation(GridArchiveProperties.GRID).capacity(2).build();

    @Override public List<AddResult> add(List<Elite> candidates) {
      return inner.add(candidates);
    }
    @Override public int capacity() {
      return 1; // the bug: cells hold up to two
    }
    @Override public Tessellation tessellation() {
      return inner.tessellation();
    }
    @Override public int cellOf(Descriptor d) {
      return inner.cellOf(d);
    }
    @Override public List<Elite> cell(int c) {
      return inner.cell(c);
    }
    @Override public int[] occupiedCells() {
      return inner.occupiedCells();
    }
    @Override public List<Elite> members() {
      return inner.members();
    }
    @Override public int size() {
      return inner.size();
    }
    @Override public ArchiveStats stats() {
      return inner.stats();
    }
    @Override public Optional<Elite> sampleMember(RandomGenerator r) {
      return inner.sampleMember(r);
    }
    @Override public Optional<Elite> sampleByCell(RandomGenerator r) {
      return inner.sampleByCell(r);
    }
  }

  /** The whole contract (no {@link ArchiveFeatures}): the capacity property must fail. */
  static class LyingCapacitySuite extends ArchiveContract {
    @Override
    protected Archive newArchive() {
      return new LyingCapacityArchive();
    }

    @Override
    protected Arbitrary<Descriptor> descriptors() {
      return GridArchiveProperties.gridDescriptors();
    }

    @Override
    protected Archive roundTrip(Archive archive) {
      LyingCapacityArchive copy = new LyingCapacityArchive();
      copy.add(archive.members());
      return copy;
    }
  }

  /**
   * The same archive declaring only what it keeps: the properties that assume a capacity bound (and
   * persistence) are skipped, the rest must pass.
   */
  @ArchiveFeatures({ArchiveFeature.ELITIST_CELLS, ArchiveFeature.DUPLICATE_IDS_REJECTED,
      ArchiveFeature.THREAD_SAFE_ADDS})
  static final class LyingCapacityWithoutBoundSuite extends LyingCapacitySuite {}
}
