package com.example.archive;

import dev.sparq.core.archive.Archive;
import dev.sparq.core.model.Descriptor;
import dev.sparq.testkit.archive.ArchiveContract;
import dev.sparq.testkit.archive.ArchiveFeature;
import dev.sparq.testkit.archive.ArchiveFeatures;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** The archive contract, minus persistence (PairArchive has none). */
@ArchiveFeatures({ArchiveFeature.BOUNDED_CAPACITY, ArchiveFeature.ELITIST_CELLS,
    ArchiveFeature.DUPLICATE_IDS_REJECTED, ArchiveFeature.THREAD_SAFE_ADDS})
class PairArchiveProperties extends ArchiveContract {
  @Override
  protected Archive newArchive() {
    return new PairArchive();
  }

  @Override
  protected Arbitrary<Descriptor> descriptors() {
    return Arbitraries.doubles().between(0, 1).list().ofSize(2)
        .map(m -> Descriptor.ofMeasures(m.get(0), m.get(1)));
  }
}
