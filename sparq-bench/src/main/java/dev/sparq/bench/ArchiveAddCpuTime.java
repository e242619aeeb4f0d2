package dev.sparq.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * A companion to {@link ArchiveAddBenchmark} for shared, overloaded machines: runs the same
 * workloads but divides by the thread's CPU time rather than wall time, so time spent waiting for a
 * core does not count. Prints solutions per CPU-second and the ratio to the pyribs 0.7.1 reference
 * (10.5 thousand/s at batch 1, 670 thousand/s at batch 100).
 *
 * <p>Run: {@code java -cp sparq-bench/target/benchmarks.jar dev.sparq.bench.ArchiveAddCpuTime
 * [seconds per measurement, default 3]}.
 */
public final class ArchiveAddCpuTime {
  private static final double PYRIBS_BATCH1 = 10_500;
  private static final double PYRIBS_BATCH100 = 670_000;

  private ArchiveAddCpuTime() {}

  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    System.out.printf(Locale.ROOT, "%-14s %6s %16s %10s%n", "archive", "batch", "solutions/cpu-s",
        "x pyribs");
    for (String name : new String[] {"grid64x64", "cvt1000", "categorical", "categoricalT8"}) {
      for (int batch : new int[] {1, 100}) {
        ArchiveAddBenchmark b = new ArchiveAddBenchmark();
        b.archive = name;
        b.setup();
        // warm-up, then three measurements; report the best (least disturbed) one
        run(b, batch, mx, seconds / 2);
        double best = 0;
        for (int i = 0; i < 3; i++) {
          best = Math.max(best, run(b, batch, mx, seconds));
        }
        double ref = batch == 1 ? PYRIBS_BATCH1 : PYRIBS_BATCH100;
        System.out.printf(Locale.ROOT, "%-14s %6d %16.0f %10.1f%n", name, batch, best, best / ref);
      }
    }
  }

  private static double run(ArchiveAddBenchmark b, int batch, ThreadMXBean mx, double seconds) {
    long budget = (long) (seconds * 1e9);
    long start = mx.getCurrentThreadCpuTime();
    long ops = 0;
    long sink = 0;
    while (mx.getCurrentThreadCpuTime() - start < budget) {
      for (int i = 0; i < 1_000; i++) {
        if (batch == 1) {
          sink += b.addBatch1().cell();
        } else {
          sink += b.addBatch100().size();
        }
      }
      ops += 1_000L * batch;
    }
    long used = mx.getCurrentThreadCpuTime() - start;
    if (sink == 42) {
      System.out.print("");
    }
    return ops / (used / 1e9);
  }
}
