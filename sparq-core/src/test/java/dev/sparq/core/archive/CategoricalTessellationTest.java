package dev.sparq.core.archive;

import dev.sparq.core.model.AddStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.Problem;
import java.util.List;
import org.junit.jupiter.api.Test;

class CategoricalTessellationTest {

  private static Elite elite(String id, double quality, String... skills) {
    return new Elite(new Problem(id, "statement " + id, "", "", null, null),
        Difficulty.ofQuality(quality), Descriptor.ofLabels(skills), 0);
  }

  @Test
  void keysAreSortedLabelSetsNumberedInOrderOfCreation() {
    CategoricalTessellation t = new CategoricalTessellation();
    assertEquals(Tessellation.UNBOUNDED, t.cellCount());
    assertEquals(-1, t.cellOf(Descriptor.ofLabels("geometry"), false));
    assertEquals(0, t.existingCells());
    assertEquals(0, t.cellOf(Descriptor.ofLabels("geometry", "algebra"), true));
    assertEquals(1, t.cellOf(Descriptor.ofLabels("counting"), true));
    assertEquals(0, t.cellOf(Descriptor.ofLabels("algebra", "geometry", "algebra"), false));
    assertEquals("algebra|geometry", t.label(0));
    assertEquals(List.of("algebra|geometry", "counting"), t.keys());
  }

  @Test
  void boundedTessellationGivesNoCellToKeysBeyondItsBound() {
    CategoricalTessellation t = CategoricalTessellation.bounded(2);
    assertEquals(2, t.cellCount());
    assertEquals(0, t.cellOfKey("a", true));
    assertEquals(1, t.cellOfKey("b", true));
    assertEquals(-1, t.cellOfKey("c", true));
    assertEquals(2, t.existingCells());
    assertEquals(1, t.cellOfKey("b", true));
    assertEquals(0, t.cellOfKey("a", false));
  }

  @Test
  void boundedArchiveReportsNotAddedWithoutCellOnceFull() {
    CellArchive archive = CellArchive.builder()
        .tessellation(CategoricalTessellation.bounded(2)).capacity(2).build();
    List<AddResult> r = archive.add(List.of(elite("x", 1, "algebra"), elite("y", 5, "geometry"),
        elite("z", 9, "counting"), elite("w", 2, "algebra")));
    assertEquals(new AddResult(AddStatus.NEW, 1, 0, true), r.get(0));
    assertEquals(new AddResult(AddStatus.NEW, 5, 1, true), r.get(1));
    assertEquals(new AddResult(AddStatus.NOT_ADDED, 0, -1, false), r.get(2));
    assertEquals(new AddResult(AddStatus.NEW, 2, 0, true), r.get(3));
    assertEquals(3, archive.size());
    assertEquals(1.0, archive.stats().coverage());
    assertEquals(-1, archive.cellOf(Descriptor.ofLabels("counting")));
    // a new key still gets nothing, an existing key still competes
    assertEquals(AddStatus.NOT_ADDED, archive.add(elite("v", 100, "calculus")).status());
    AddResult better = archive.add(elite("u", 3, "algebra"));
    assertEquals(AddStatus.IMPROVED, better.status());
    assertEquals(2.0, better.value());
    assertEquals(List.of("u", "w"), archive.cell(0).stream().map(Elite::id).toList());
  }

  @Test
  void aFailedBatchCreatesNoCells() {
    CellArchive archive = CellArchive.builder()
        .tessellation(CategoricalTessellation.bounded(2)).build();
    List<Elite> batch = new java.util.ArrayList<>();
    batch.add(elite("a", 1, "algebra"));
    batch.add(null);
    assertThrows(NullPointerException.class, () -> archive.add(batch));
    assertEquals(0, archive.tessellation().existingCells());
    assertEquals(AddStatus.NEW, archive.add(elite("b", 1, "geometry")).status());
    assertEquals(AddStatus.NEW, archive.add(elite("c", 1, "counting")).status());
  }

  @Test
  void copiesAreIndependent() {
    CategoricalTessellation t = new CategoricalTessellation();
    t.cellOfKey("a", true);
    Tessellation copy = t.copy();
    t.cellOfKey("b", true);
    assertEquals(1, copy.existingCells());
    assertEquals(2, t.existingCells());
    assertFalse(copy.equals(t));
  }

  @Test
  void rejectsBadConfiguration() {
    assertThrows(IllegalArgumentException.class, () -> CategoricalTessellation.bounded(0));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new CategoricalTessellation(0, List.of("a", "a"))).getMessage().contains("duplicate"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new CategoricalTessellation(1, List.of("a", "b"))).getMessage().contains("exceed"));
  }
}
