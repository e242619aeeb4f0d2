package dev.sparq.bench.answer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * A companion to {@link AnswerCheckBenchmark} for shared, overloaded machines: the same workload
 * (every ported Math-Verify case, one thread) divided by the thread's CPU time rather than wall
 * time, printed next to the 10,000 comparisons/s target.
 *
 * <p>Run: {@code java -cp sparq-bench/target/benchmarks.jar
 * dev.sparq.bench.answer.AnswerCheckCpuTime [seconds per measurement, default 3]} from the
 * repository root.
 */
public final class AnswerCheckCpuTime {
  private static final double TARGET = 10_000;

  private AnswerCheckCpuTime() {}

  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    AnswerCheckBenchmark b = new AnswerCheckBenchmark();
    b.setup();
    run(b, mx, seconds); // warm-up
    double best = 0;
    for (int i = 0; i < 5; i++) {
      best = Math.max(best, run(b, mx, seconds));
    }
    System.out.printf(Locale.ROOT, "%-34s %14s %10s%n", "workload", "checks/cpu-s", "x target");
    System.out.printf(Locale.ROOT, "%-34s %14.0f %10.1f%n", "Math-Verify corpus (269 cases)", best,
        best / TARGET);
  }

  private static double run(AnswerCheckBenchmark b, ThreadMXBean mx, double seconds) {
    long budget = (long) (seconds * 1e9);
    long start = mx.getCurrentThreadCpuTime();
    long ops = 0;
    long sink = 0;
    while (mx.getCurrentThreadCpuTime() - start < budget) {
      sink += b.verifyAll();
      ops += AnswerCheckBenchmark.CASES;
    }
    long used = mx.getCurrentThreadCpuTime() - start;
    if (sink == 42) {
      System.out.print("");
    }
    return ops / (used / 1e9);
  }
}
