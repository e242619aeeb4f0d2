package dev.sparq.bench.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ReportTableTest {

  @Test
  void columnsAlignAndTrailingSpacesAreTrimmed() {
    String t = new ReportTable("device", "batch", "tok/s")
        .row("CUDA", "1024", "81234.5")
        .row("CPU", "1", "")
        .render();
    assertEquals("device  batch  tok/s\n"
        + "CUDA    1024   81234.5\n"
        + "CPU     1\n", t);
  }

  @Test
  void aRowOfTheWrongWidthIsRefused() {
    ReportTable t = new ReportTable("a", "b");
    assertThrows(IllegalArgumentException.class, () -> t.row("only one"));
  }

  @Test
  void firstDifferenceOfTwoTexts() {
    assertEquals(2, GpuCheck.firstDifference("abc", "abd"));
    assertEquals(2, GpuCheck.firstDifference("ab", "abc"));
    assertEquals(3, GpuCheck.firstDifference("abc", "abc"));
  }
}
