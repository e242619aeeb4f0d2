package com.example.archive;

import dev.sparq.core.archive.AddResult;
import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.ArchiveStats;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.archive.GridTessellation;
import dev.sparq.core.archive.Tessellation;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Elite;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * An archive over a 4x4 grid that means to keep one member per cell but keeps two: the planted
 * bug the contract must catch.
 */
public final class PairArchive implements Archive {
  private final CellArchive cells = CellArchive.builder()
      .tessellation(new GridTessellation(new int[] {4, 4}, new double[] {0, 0}, new double[] {1, 1}))
      .capacity(2)
      .build();

  @Override public List<AddResult> add(List<Elite> candidates) {
    return cells.add(candidates);
  }
  @Override public int capacity() {
    return 1;
  }
  @Override public Tessellation tessellation() {
    return cells.tessellation();
  }
  @Override public int cellOf(Descriptor descriptor) {
    return cells.cellOf(descriptor);
  }
  @Override public List<Elite> cell(int cell) {
    return cells.cell(cell);
  }
  @Override public int[] occupiedCells() {
    return cells.occupiedCells();
  }
  @Override public List<Elite> members() {
    return cells.members();
  }
  @Override public int size() {
    return cells.size();
  }
  @Override public ArchiveStats stats() {
    return cells.stats();
  }
  @Override public Optional<Elite> sampleMember(RandomGenerator random) {
    return cells.sampleMember(random);
  }
  @Override public Optional<Elite> sampleByCell(RandomGenerator random) {
    return cells.sampleByCell(random);
  }
}
