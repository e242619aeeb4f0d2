package dev.sparq.bench.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU check runs end to end on a machine without a GPU (CI has none): every section is
 * reported, both generation paths are measured on the CPU, and each row is printed as a progress
 * line the moment it is measured, so a check stopped by its time limit still shows its numbers.
 */
class GpuCheckEndToEndTest {

  @Test
  void cpuOnlyMachineGetsEverySectionAndBothPathsMeasured(@TempDir Path dir) throws Exception {
    PrintStream saved = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      GpuCheck.main(new String[] {"--model", "tiny", "--batches", "1,3", "--tokens", "12",
          "--prompt", "5", "--budget-s", "120", "--dir", dir.toString()});
    } finally {
      System.setOut(saved);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    saved.print(out);
    for (String section : new String[] {"== CUDA provider", "verdict: ",
        "== Greedy parity, GPU vs CPU", "== Decode tokens/s", "== Host<->device bytes per decode step",
        "== done in "}) {
      assertTrue(out.contains(section), "missing " + section);
    }
    // No GPU here: parity is skipped with the reason, not silently.
    assertTrue(out.contains("skipped: no GPU"), out);
    for (String path : new String[] {"java-loop", "in-graph"}) {
      for (int batch : new int[] {1, 3}) {
        Matcher m = Pattern.compile("\\[\\s*\\d+ s\\] device CPU, path " + path + ", batch " + batch
            + ", tok/s ([0-9.]+), decode tok/s ([0-9.]+)").matcher(out);
        assertTrue(m.find(), "no progress line for " + path + " batch " + batch + " in\n" + out);
        assertTrue(Double.parseDouble(m.group(1)) > 0 && Double.parseDouble(m.group(2)) > 0);
      }
    }
    // The in-graph path moves only token ids between host and device.
    assertTrue(Pattern.compile("in-graph\\s+3\\s+by construction").matcher(out).find(), out);
  }

  /**
   * The in-graph decode time is the difference of two calls; when noise makes it vanish, the
   * table says so instead of printing a rate of 0 (the CI machine once produced exactly that).
   */
  @Test
  void aDecodeTimeLostInNoiseIsReportedAsUnknownNotZero() {
    GpuCheck.Run lost = new GpuCheck.Run(0.002, 0, 0, 12, 1);
    assertTrue(Double.isNaN(lost.decodeTps()));
    GpuCheck.Run measured = new GpuCheck.Run(0.002, 0.001, 0.001, 12, 1);
    assertEquals(11_000, measured.decodeTps(), 1e-6);
  }
}
