package dev.sparq.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness's {@code -Dharness.schedules} rows: parsed as documented, malformed ones refused. */
class ArchiveAwareScheduleTest {

  @Test
  void schedulesParseIntoRoundsAndDepth() {
    List<ArchiveAwareAllocationHarness.Variant> v =
        ArchiveAwareAllocationHarness.schedules(" 2+1, 3+2d8 ,");
    assertEquals(2, v.size());
    assertEquals(new ArchiveAwareAllocationHarness.Variant("aware i2+1", 2, 0.01, 1, 2), v.get(0));
    assertEquals(new ArchiveAwareAllocationHarness.Variant("aware i3+2d8", 8, 0.01, 2, 3), v.get(1));
    assertTrue(ArchiveAwareAllocationHarness.schedules("").isEmpty());
  }

  @Test
  void aMalformedScheduleNamesItself() {
    for (String bad : List.of("2", "2+", "0+1", "2+1d", "a+b", "2+1x4")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ArchiveAwareAllocationHarness.schedules(bad));
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }
}
