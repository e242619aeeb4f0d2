package dev.sparq.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.archive.ArchiveStats;
import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.IterationEvent;
import dev.sparq.core.engine.RunStats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private static IterationEvent event(long it, long rollouts) {
    RunStats t = new RunStats(it + 1, (it + 1) * 10, 0, 0, rollouts, 0, Map.of(),
        Map.of("generate/missing_problem_tag", it + 1, "estimate/disputed", 2L), 3 * it, 0);
    return new IterationEvent(it, new ArchiveStats(5, 3, -1, Double.NaN, 1.5, 0, 0.8, 0.5), t, 10, 10, 1, 100, 0);
  }

  private static String drive(Progress.Mode mode, long[] clock) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), mode, Budget.iterations(10),
        RunStats.empty(), 10_000, () -> clock[0]);
    for (int i = 0; i < 10; i++) {
      clock[0] += 2_000_000_000L; // two seconds per iteration
      p.onIteration(event(i, (i + 1) * 100L));
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void logModePrintsPeriodicLinesWithRateAndEta() {
    String out = drive(Progress.Mode.LOG, new long[] {0});
    String[] lines = out.strip().split("\n");
    // the first line, then one every 10 s (every 5th iteration), and always the last
    assertEquals(3, lines.length, out);
    assertTrue(lines[0].startsWith("progress  10%: it 1, 0.5 it/s, 50 rollouts/s, ETA 0:18"), lines[0]);
    assertTrue(lines[2].startsWith("progress 100%: it 10"), lines[2]);
    assertTrue(lines[2].contains("ETA 0:00"), lines[2]);
    // rejections (all stages) and duplicates show, so a run that rejects everything is visible
    assertTrue(lines[0].endsWith("3 rejected, 0 duplicates"), lines[0]);
    assertTrue(lines[2].endsWith("12 rejected, 27 duplicates"), lines[2]);
    assertTrue(!out.contains("\r"));
  }

  @Test
  void barModeRedrawsOneLine() {
    String out = drive(Progress.Mode.BAR, new long[] {0});
    assertTrue(out.contains("\r[" + "#".repeat(3) + ".".repeat(27) + "]  10% it 1"), out);
    assertTrue(out.contains("[##############################] 100% it 10"), out);
    assertTrue(out.endsWith("\n"));
    assertEquals(1, out.split("\n").length);
  }

  @Test
  void fractionUsesTheTightestLimit() {
    RunStats t = new RunStats(2, 100, 0, 0, 900, 0, Map.of(), Map.of());
    assertEquals(0.9, Progress.fraction(new Budget(10, Long.MAX_VALUE, 1000), t), 1e-12);
    assertEquals(0.2, Progress.fraction(Budget.iterations(10), t), 1e-12);
    RunStats withTokens = new RunStats(2, 100, 0, 0, 900, 0, Map.of(), Map.of(), 0, 7_500);
    assertEquals(0.75, Progress.fraction(Budget.tokens(10_000), withTokens), 1e-12);
    assertEquals("1:01:01", Progress.duration(3661));
  }
}
