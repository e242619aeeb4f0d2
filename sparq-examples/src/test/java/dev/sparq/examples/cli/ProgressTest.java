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

  /** Totals after {@code iterations} iterations holding {@code candidates} parents. */
  private static IterationEvent asyncEvent(long iterations, long candidates, long tokens) {
    RunStats t = new RunStats(iterations, candidates, 0, 0, 0, 0, Map.of(), Map.of(), 0, tokens);
    return new IterationEvent(iterations - 1, new ArchiveStats(5, 3, -1, Double.NaN, 1.5, 0, 0.8, 0.5), t,
        10, 10, 1, 0, 0);
  }

  @Test
  void asyncProgressCountsParentsNotIterations() {
    // an asynchronous run of 10 iterations of 10 parents that failed once (a shorter iteration of 4)
    // and was resumed: 10 iterations are done with 94 of its 100 parents, and one more group follows
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    long[] clock = {0};
    Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), Progress.Mode.LOG,
        Budget.iterations(10), asyncEvent(5, 44, 0).totals(), 0, () -> clock[0], 10);
    clock[0] += 1_000_000_000L;
    p.onIteration(asyncEvent(6, 54, 0));
    clock[0] += 1_000_000_000L;
    p.onIteration(asyncEvent(10, 94, 0));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("progress  94%: it 10"), out);
    assertTrue(!out.contains("100%"), "not done yet: " + out);
    assertEquals(0.94, Progress.fraction(Budget.iterations(10), asyncEvent(10, 94, 0).totals(), 10), 1e-12);
    assertEquals(1.0, Progress.fraction(Budget.candidates(95), asyncEvent(10, 100, 0).totals(), 10), 1e-12);
  }

  @Test
  void asyncBarEndsOnceAfterTheWorkInFlightAndLogShowsTheLastIteration() {
    // a token budget is reached at iteration 6; the candidates in flight finish as iteration 7
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    long[] clock = {0};
    Progress bar = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), Progress.Mode.BAR,
        Budget.tokens(1_000), RunStats.empty(), 10_000, () -> clock[0], 10);
    for (int i = 1; i <= 7; i++) {
      clock[0] += 1_000_000_000L;
      bar.onIteration(asyncEvent(i, 10L * i, i < 6 ? 150L * i : 1_000 + 50L * i));
    }
    bar.finish();
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(1, out.split("\n").length, "one bar line: " + out);
    assertTrue(out.endsWith("\n"), out);
    assertTrue(out.substring(out.lastIndexOf('\r')).contains("100% it 7"), out);

    // LOG mode: the last iteration is shown by finish() even when the interval held it back
    bytes.reset();
    clock[0] = 0;
    Progress log = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), Progress.Mode.LOG,
        Budget.iterations(100), RunStats.empty(), 10_000, () -> clock[0], 10);
    log.onIteration(asyncEvent(1, 10, 0));
    clock[0] += 1_000_000_000L;
    log.onIteration(asyncEvent(2, 20, 0)); // stopped with Ctrl-C here
    log.finish();
    out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.strip().split("\n")[1].startsWith("progress   2%: it 2,"), out);
    assertEquals(2, out.strip().split("\n").length, out);
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
