package dev.sparq.core.archive;

import dev.sparq.core.model.AddStatus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.Problem;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CellArchiveTest {
  private static Elite elite(String text, double quality, double x) {
    return new Elite(Problem.of(text, "", "1"), Difficulty.ofQuality(quality), Descriptor.ofMeasures(x), 0);
  }

  @Test
  void copyKeepsTheOrderInWhichCellsWereFirstOccupied() {
    CellArchive a = CellArchive.grid(new int[] {10}, new double[] {0}, new double[] {10});
    a.add(elite("a", 0.1, 5.5)); // cell 5, first occupied
    a.add(elite("b", 0.1, 3.5)); // cell 3
    a.add(elite("c", 0.9, 5.5)); // replaces a: members are now [b, c], cells still [5, 3]
    assertArrayEquals(new int[] {5, 3}, a.occupiedCells());
    CellArchive copy = a.copy();
    assertArrayEquals(a.occupiedCells(), copy.occupiedCells());
    assertEquals(a.members(), copy.members());
    for (long seed = 0; seed < 20; seed++) {
      assertEquals(a.sampleByCell(new SplittableRandom(seed)), copy.sampleByCell(new SplittableRandom(seed)));
    }
  }

  @Test
  void archivesWithAHugeCapacityRoundTripWithoutPreallocatingIt() {
    CellArchive a = CellArchive.builder().tessellation(new CategoricalTessellation())
        .capacity(Integer.MAX_VALUE).build();
    a.add(List.of(
        new Elite(Problem.of("x", "", "1"), Difficulty.ofQuality(0.5), Descriptor.ofLabels("algebra"), 0),
        new Elite(Problem.of("y", "", "2"), Difficulty.ofQuality(0.7), Descriptor.ofLabels("algebra"), 0)));
    CellArchive back = ArchiveJson.fromJson(ArchiveJson.toJson(a));
    assertEquals(ArchiveJson.toJson(a), ArchiveJson.toJson(back));
    assertEquals(2, back.cell(0).size());
    assertEquals(AddStatus.NEW, back.add(
        new Elite(Problem.of("z", "", "3"), Difficulty.ofQuality(0.1), Descriptor.ofLabels("algebra"), 0)).status());
  }

  @Test
  void singleAddAgreesWithABatchOfOne() {
    CellArchive single = CellArchive.builder().tessellation(new CategoricalTessellation()).capacity(2).build();
    CellArchive batch = single.copy();
    double[] qualities = {0.3, 0.3, 0.5, 0.1, 0.5, 0.9, 0.2};
    for (int i = 0; i < qualities.length; i++) {
      Elite e = new Elite(Problem.of("p" + i, "", "1"), Difficulty.ofQuality(qualities[i]),
          Descriptor.ofLabels("k"), i);
      assertEquals(batch.add(List.of(e)).get(0), single.add(e), "candidate " + i);
    }
    assertEquals(ArchiveJson.toJson(batch), ArchiveJson.toJson(single));
  }
}
