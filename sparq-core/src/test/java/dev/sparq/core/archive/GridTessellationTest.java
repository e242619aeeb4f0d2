package dev.sparq.core.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.Problem;
import java.util.List;
import org.junit.jupiter.api.Test;

class GridTessellationTest {
  // 4 bins over [0, 1] and 3 bins over [-3, 3]: 12 cells, last dimension fastest
  private final GridTessellation grid =
      new GridTessellation(new int[] {4, 3}, new double[] {0, -3}, new double[] {1, 3});

  private int cell(double x, double y) {
    return grid.cellOf(Descriptor.ofMeasures(x, y), false);
  }

  @Test
  void numbersCellsRowMajor() {
    assertEquals(12, grid.cellCount());
    assertEquals(0, cell(0.0, -3.0));
    assertEquals(1, cell(0.1, -0.5));
    assertEquals(2, cell(0.1, 1.5));
    assertEquals(3, cell(0.3, -2.9));
    assertEquals(3 * 2 + 1, cell(0.6, 0.0));
    assertArrayEquals(new int[] {2, 1}, grid.binsOf(7));
    assertEquals("2,1", grid.label(7));
  }

  @Test
  void clipsOutOfRangeValuesIntoEdgeBins() {
    assertEquals(cell(0.0, -3.0), cell(-5.0, -100.0));
    assertEquals(cell(0.99, 2.99), cell(7.0, 1e300));
    // the upper bound itself belongs to the last bin
    assertEquals(11, cell(1.0, 3.0));
    assertEquals(cell(0.0, 2.5), cell(-1e-9, 3.0000001));
    assertEquals(cell(0.99, -3.0), cell(1.5, -Double.MAX_VALUE));
  }

  @Test
  void aValueOnABinEdgeStartsTheBinAboveAsInPyribs() {
    // pyribs tests/archives/grid_archive_test.py test_values_go_to_correct_bin: 10 bins over [0, 0.1];
    // 0.01, 0.02, 0.04 and 0.08 used to fall into the bin below through rounding
    GridTessellation fine = new GridTessellation(new int[] {10}, new double[] {0}, new double[] {0.1});
    for (int i = 0; i < 10; i++) {
      double edge = i / 100.0;
      assertEquals(i, fine.cellOf(Descriptor.ofMeasures(edge), false), "value " + edge);
    }
    assertEquals(0, fine.cellOf(Descriptor.ofMeasures(-0.01), false));
    assertEquals(9, fine.cellOf(Descriptor.ofMeasures(0.1), false));
    assertEquals(9, fine.cellOf(Descriptor.ofMeasures(0.11), false));
    // just below an edge, by more than the epsilon, stays in the bin below
    assertEquals(3, fine.cellOf(Descriptor.ofMeasures(0.04 - 1e-6), false));
    // the epsilon is a fraction of a bin, so a narrow dimension keeps its bins (with pyribs' epsilon
    // in the measure's units, 1e-6 over a width of 1e-8 would move every value up by 1,000 bins)
    GridTessellation narrow = new GridTessellation(new int[] {10}, new double[] {0}, new double[] {1e-8});
    for (int i = 0; i < 10; i++) {
      assertEquals(i, narrow.cellOf(Descriptor.ofMeasures(i * 1e-9), false), "edge " + i);
      assertEquals(i, narrow.cellOf(Descriptor.ofMeasures(i * 1e-9 + 0.5e-9), false), "middle " + i);
    }
  }

  @Test
  void rejectsNanAndInfiniteMeasuresWithAClearMessage() {
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cell(0.5, bad));
      assertTrue(e.getMessage().contains("measure 1") && e.getMessage().contains("finite"),
          e.getMessage());
    }
  }

  @Test
  void rejectsDimensionMismatch() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> grid.cellOf(Descriptor.ofMeasures(0.5), false));
    assertTrue(e.getMessage().contains("2 dimensions") && e.getMessage().contains("1 measures"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> grid.cellOf(Descriptor.ofMeasures(0.1, 0.2, 0.3), true));
  }

  @Test
  void rejectsBadConfiguration() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new GridTessellation(
        new int[] {2, 0}, new double[] {0, 0}, new double[] {1, 1})).getMessage().contains("bins[1]"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new GridTessellation(
        new int[] {2}, new double[] {1}, new double[] {1})).getMessage().contains("dimension 0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new GridTessellation(
        new int[] {2, 2}, new double[] {0}, new double[] {1, 1})).getMessage().contains("same length"));
  }

  @Test
  void aBatchWithAnInvalidMeasureChangesNothing() {
    CellArchive archive = CellArchive.builder().tessellation(grid).build();
    archive.add(elite("a", 1.0, 0.5, 0.5));
    List<Elite> before = archive.members();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> archive.add(List.of(elite("b", 2.0, 0.1, 0.1), elite("c", 3.0, Double.NaN, 0.0))));
    assertTrue(e.getMessage().contains("measure 0"), e.getMessage());
    assertEquals(before, archive.members());
    assertEquals(1, archive.stats().occupiedCells());
  }

  static Elite elite(String id, double quality, double... measures) {
    return new Elite(new Problem(id, "statement " + id, "", "", null, null),
        Difficulty.ofQuality(quality), Descriptor.ofMeasures(measures), 0);
  }
}
