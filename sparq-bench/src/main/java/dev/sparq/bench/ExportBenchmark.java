package dev.sparq.bench;

import dev.sparq.core.model.AddStatus;
import dev.sparq.core.export.ExportFormat;
import dev.sparq.core.export.ExportReport;
import dev.sparq.core.export.Exporter;
import dev.sparq.core.export.FileFormat;
import dev.sparq.core.export.Selector;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Lineage;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.model.Validity;
import dev.sparq.core.store.CandidateLog;
import dev.sparq.core.store.LogOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Export throughput harness: writes a synthetic candidate log of N records, then exports it
 * (SPARQ rule, exact duplicate removal, TRL messages) as JSON Lines and as Parquet, and, optionally,
 * a Gaussian quality sample of a fixed budget (two passes), printing records per second against the 300,000 records/s target and
 * the peak heap used. Run it with {@code -Xmx256m} to check that export memory does not grow with
 * the log.
 *
 * <pre>
 * java -Xmx256m -cp sparq-bench/target/benchmarks.jar dev.sparq.bench.ExportBenchmark \
 *     --records 20000000 --dir /tmp/sparq-export-bench
 * </pre>
 * Options: {@code --records N} (default 20,000,000), {@code --dir D}, {@code --nonzero F} (share of
 * records with quality &gt; 0, default 0.3), {@code --gaussian B} (also run Gaussian selection with
 * budget B; 0 = skip, default 100,000), {@code --no-parquet} (skip the Parquet export), {@code --keep} (do not delete the files afterwards),
 * {@code --reuse} (export an existing log in D without writing it).
 */
public final class ExportBenchmark {
  static final double TARGET = 300_000;
  static final String[] SKILLS = {"algebra", "arithmetic", "combinatorics", "geometry",
      "number_theory", "probability", "inequalities", "sequences"};
  static final String[] WORDS = {"apples", "tickets", "marbles", "students", "coins", "books",
      "points", "cards", "boxes", "trees"};

  private ExportBenchmark() {}

  public static void main(String[] args) throws IOException {
    long records = 20_000_000;
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sparq-export-bench");
    double nonzero = 0.3;
    int gaussian = 100_000;
    boolean keep = false;
    boolean reuse = false;
    boolean parquet = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--records" -> records = Long.parseLong(args[++i].replace("_", ""));
        case "--dir" -> dir = Path.of(args[++i]);
        case "--nonzero" -> nonzero = Double.parseDouble(args[++i]);
        case "--gaussian" -> gaussian = Integer.parseInt(args[++i].replace("_", ""));
        case "--keep" -> keep = true;
        case "--reuse" -> reuse = true;
        case "--no-parquet" -> parquet = false;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf(Locale.ROOT, "java %s, max heap %d MiB, %d cpus, %,d records, nonzero %.2f%n",
        System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20,
        Runtime.getRuntime().availableProcessors(), records, nonzero);
    Path log = dir.resolve("log");
    if (!reuse) {
      deleteTree(dir);
      long t0 = System.nanoTime();
      write(log, records, nonzero);
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "write:  %,d records in %.1f s = %,.0f records/s, %,d MiB on disk%n",
          records, s, records / s, size(log) >> 20);
    }
    try {
      resetPeaks();
      long c0 = cpuNanos();
      long t0 = System.nanoTime();
      ExportReport r = Exporter.builder().log(log).output(dir.resolve("out-all"))
          .format(ExportFormat.MESSAGES).seed(1).build().run();
      double s = (System.nanoTime() - t0) / 1e9;
      report("export (SPARQ rule, exact dedup, messages, JSON Lines)", r, s, cpuNanos() - c0);

      if (parquet) {
        resetPeaks();
        c0 = cpuNanos();
        t0 = System.nanoTime();
        ExportReport pq = Exporter.builder().log(log).output(dir.resolve("out-parquet"))
            .format(ExportFormat.MESSAGES).fileFormat(FileFormat.PARQUET).seed(1).build().run();
        s = (System.nanoTime() - t0) / 1e9;
        report("export (SPARQ rule, exact dedup, messages, Parquet)", pq, s, cpuNanos() - c0);
      }

      if (gaussian > 0) {
        resetPeaks();
        c0 = cpuNanos();
        t0 = System.nanoTime();
        ExportReport g = Exporter.builder().log(log).output(dir.resolve("out-gaussian"))
            .format(ExportFormat.MESSAGES).selector(Selector.gaussian(0.5, 0.15, gaussian)).seed(1)
            .build().run();
        s = (System.nanoTime() - t0) / 1e9;
        report("export (Gaussian sample " + gaussian + ", two passes)", g, s, cpuNanos() - c0);
      }
    } finally {
      if (!keep) {
        deleteTree(dir);
      }
    }
  }

  /** CPU time of the whole process (all threads, GC and JIT included). */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static void report(String name, ExportReport r, double seconds, long cpu) {
    double rate = r.recordsRead() / seconds;
    double cpuRate = r.recordsRead() / (cpu / 1e9);
    System.out.printf(Locale.ROOT, "%s: %,d records in %.1f s wall = %,.0f records/s (%.2fx the "
            + "%,.0f target); process CPU %.1f s = %,.0f records per CPU second (%.2fx); %,d rows "
            + "written, peak heap %d MiB (sum of pool peaks)%n",
        name, r.recordsRead(), seconds, rate, rate / TARGET, TARGET, cpu / 1e9, cpuRate,
        cpuRate / TARGET, r.examplesWritten(), peakHeap() >> 20);
    System.out.println("  removed: " + r.removed());
    try {
      System.out.printf(Locale.ROOT, "  data file %s: %,d MiB%n", r.data().getFileName(),
          Files.size(r.data()) >> 20);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void write(Path log, long n, double nonzero) {
    SplittableRandom random = new SplittableRandom(42);
    try (CandidateLog out = CandidateLog.create(log, LogOptions.defaults().withFsync(false))) {
      for (long i = 0; i < n; i++) {
        out.append(synthetic(i, random, nonzero));
      }
    }
  }

  /** A record shaped like a real one: statement, solution, 4 rollouts, labels and measures. */
  static EvaluatedCandidate synthetic(long i, SplittableRandom r, double nonzero) {
    int a = 2 + r.nextInt(500);
    int b = 2 + r.nextInt(500);
    String w = WORDS[r.nextInt(WORDS.length)];
    String statement = "Problem " + i + ": A shop has " + a + " " + w + " and receives " + b
        + " more each day for " + (1 + r.nextInt(9)) + " days. How many " + w + " does it have?";
    String answer = Integer.toString(a + b);
    int k = 4;
    int correct;
    if (r.nextDouble() < nonzero) {
      correct = 1 + r.nextInt(k - 1);
    } else {
      correct = r.nextBoolean() ? 0 : k;
    }
    List<Rollout> rollouts = new ArrayList<>(k);
    for (int j = 0; j < k; j++) {
      boolean ok = j < correct;
      String ans = ok ? answer : Integer.toString(a + b + 1 + j);
      rollouts.add(new Rollout("Attempt " + j + ": " + a + " + " + b + " gives \\boxed{" + ans + "}.",
          ans, ok, 20 + j));
    }
    double sr = correct / (double) k;
    double quality = correct > 0 && correct < k ? 1 - sr : 0.0;
    List<String> skills = List.of(SKILLS[r.nextInt(SKILLS.length)], SKILLS[r.nextInt(SKILLS.length)]);
    Problem p = new Problem(null, statement, "Add them: \\boxed{" + answer + "}", answer,
        new Lineage(List.of("p" + (i / 64)), "mutate", 1 + (int) (i % 5)), Map.of());
    return new EvaluatedCandidate(i / 64, p, rollouts,
        new Difficulty(correct, k, quality, Validity.VALID),
        new Descriptor(new double[] {r.nextDouble()}, skills), AddStatus.NOT_ADDED, 0.0);
  }

  /** Collects garbage and resets the peak usage of every memory pool. */
  static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      p.resetPeakUsage();
    }
  }

  /** The sum of the heap pools' peak usage since {@link #resetPeaks()} (an upper bound of the peak heap). */
  static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
