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
  void lastRowNamesEachFilledCellByItsColumn() {
    ReportTable t = new ReportTable("device", "batch", "tok/s", "note");
    assertThrows(IllegalStateException.class, t::lastRow);
    t.row("CPU", "64", "-", "skipped: over budget");
    assertEquals("device CPU, batch 64, note skipped: over budget", t.lastRow());
    t.row("CUDA", "1", "812.5", "");
    assertEquals("device CUDA, batch 1, tok/s 812.5", t.lastRow());
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

  @Test
  void fullRunEstimateIsTheProbesPrefillPlusItsStepTimeForEachLaterToken() {
    // probe: 3 s in all, 2 s of it in 2 decode steps -> prefill 1 s, 1 s a step; 32 tokens -> 1 + 31.
    assertEquals(32.0, GpuCheck.estimateSeconds(3.0, 2.0, 2, 32), 1e-9);
    assertEquals(1.0, GpuCheck.estimateSeconds(3.0, 2.0, 2, 1), 1e-9);
  }
}
