package dev.sparq.bench;

import com.sun.management.ThreadMXBean;
import dev.sparq.core.model.AddStatus;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Lineage;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.model.Validity;
import dev.sparq.core.store.CandidateLog;
import dev.sparq.core.store.CandidateSummary;
import dev.sparq.core.store.LogOptions;
import dev.sparq.core.store.LogReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The candidate-log pass of {@code sparq report}, before and after, side by side in one run: the
 * report's solve-rate histogram and operator counts computed from every record decoded in full
 * ({@code LogReader.next()}, every rollout text turned into a {@code String}, as the report read the
 * log before) and from the records' scalar fields only ({@code LogReader.RecordView.summary()}, the
 * texts skipped undecoded, as it reads the log now). The two passes alternate for {@code --rounds}
 * rounds over the same log (in the page cache after the first read); for each the harness prints
 * wall time, the reading thread's CPU time and the bytes it allocated ({@code
 * ThreadMXBean.getThreadAllocatedBytes}), and checks that both give the same histogram and counts;
 * last, the time to find every record's line without parsing it (the floor of any log pass).
 *
 * <pre>
 * java -Xmx1g -cp sparq-bench/target/benchmarks.jar dev.sparq.bench.ReportLogPass \
 *     --dir /tmp/report-pass [--records 40000] [--rounds 3] [--log path/to/run/log]
 * </pre>
 * Without {@code --log} it writes (once; it is reused while {@code DIR/log} exists) a log of
 * {@code --records} records shaped like {@link ScaleRun}'s: a 300-character statement, a 2 KB
 * reference solution, K = 16 rollouts of 1.2 to 6 KB of text each (about 60 KB per record, so 40,000
 * records are about 2.4 GB; the paper's 320,000 candidates are about 20 GB), bimodal solve rates and
 * five operators.
 */
public final class ReportLogPass {
  private static final String FILLER = "We consider the quantities involved and rewrite the "
      + "expression step by step, checking each intermediate value against the constraints. ";
  private static final String[] OPERATORS = {"seed", "mutate", "crossover", "few_shot", "targeted"};
  private static final int K = 16;
  private static final int BINS = K + 1;

  private ReportLogPass() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> a = BenchArgs.parse(args);
    Path dir = Path.of(a.getOrDefault("dir", "/tmp/report-pass"));
    int records = Integer.parseInt(a.getOrDefault("records", "40000"));
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
    Path log = a.containsKey("log") ? Path.of(a.get("log")) : dir.resolve("log");
    if (!a.containsKey("log") && !Files.isDirectory(log)) {
      long t0 = System.nanoTime();
      generate(log, records);
      System.out.printf(Locale.ROOT, "wrote %,d records in %.1f s%n", records, (System.nanoTime() - t0) / 1e9);
    }
    long bytes = ScaleRun.size(log);
    System.out.printf(Locale.ROOT, "log %s: %,d MiB, java %s, %d processors, -Xmx %d MiB%n", log, bytes >> 20,
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    pass(log, true); // warm-up (and the page cache)
    pass(log, false);
    List<Result> full = new ArrayList<>();
    List<Result> lean = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      full.add(pass(log, true));
      lean.add(pass(log, false));
      Result f = full.get(r);
      Result l = lean.get(r);
      if (!Arrays.equals(f.hist, l.hist) || !f.ops.equals(l.ops)) {
        throw new IllegalStateException("the two passes disagree: " + Arrays.toString(f.hist) + " " + f.ops
            + " vs " + Arrays.toString(l.hist) + " " + l.ops);
      }
      System.out.printf(Locale.ROOT, "round %d: full decode %.2f s wall, %.2f s CPU, %,d MiB allocated | "
              + "scalar fields %.2f s wall, %.2f s CPU, %,d MiB allocated%n", r + 1, f.wall, f.cpu, f.alloc >> 20,
          l.wall, l.cpu, l.alloc >> 20);
    }
    Result f = best(full);
    Result l = best(lean);
    double floor = Double.MAX_VALUE;
    for (int r = 0; r < rounds; r++) {
      floor = Math.min(floor, linesOnly(log));
    }
    System.out.printf(Locale.ROOT, "%n%-34s %12s %12s %16s %14s %14s%n", "log pass (best of " + rounds + ")",
        "wall s", "CPU s", "MiB allocated", "records/s", "bytes/record");
    for (Result r : List.of(f, l)) {
      System.out.printf(Locale.ROOT, "%-34s %12.2f %12.2f %,16d %,14.0f %,14d%n",
          r.full ? "full decode (before)" : "scalar fields (after)", r.wall, r.cpu, r.alloc >> 20,
          r.records / r.wall, r.alloc / Math.max(1, r.records));
    }
    System.out.printf(Locale.ROOT, "%-34s %12.2f%n", "lines only, no parse (the floor)", floor);
    System.out.printf(Locale.ROOT, "speed-up %.1fx wall, %.1fx CPU; allocation / %.0f; %,d records, identical "
            + "histogram and operator counts%n", f.wall / l.wall, f.cpu / l.cpu, (double) f.alloc / Math.max(1, l.alloc),
        f.records);
    System.out.printf(Locale.ROOT, "at 20 GB (the paper's scale, ~320,000 records): %.0f s before, %.0f s after"
        + " (from the measured MiB/s)%n", 20e9 / (bytes / f.wall), 20e9 / (bytes / l.wall));
  }

  private record Result(boolean full, long records, double wall, double cpu, long alloc, long[] hist,
      Map<String, List<Long>> ops) {}

  private static Result best(List<Result> rs) {
    Result b = rs.get(0);
    for (Result r : rs) {
      if (r.wall < b.wall) {
        b = r;
      }
    }
    return b;
  }

  /** One pass over the log computing what the report computes from it. */
  private static Result pass(Path log, boolean full) {
    ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long[] hist = new long[BINS];
    TreeMap<String, long[]> ops = new TreeMap<>();
    long records = 0;
    System.gc();
    long id = Thread.currentThread().getId();
    long a0 = mx.getThreadAllocatedBytes(id);
    long c0 = mx.getThreadCpuTime(id);
    long t0 = System.nanoTime();
    try (LogReader r = LogReader.open(log)) {
      if (full) {
        while (r.hasNext()) {
          EvaluatedCandidate c = r.next().candidate();
          count(c.difficulty(), c.problem().lineage().operator(), hist, ops);
          records++;
        }
      } else {
        LogReader.RecordView v;
        while ((v = r.nextView()) != null) {
          CandidateSummary s = v.summary();
          count(s.difficulty(), s.operator(), hist, ops);
          records++;
        }
      }
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = (mx.getThreadCpuTime(id) - c0) / 1e9;
    long alloc = mx.getThreadAllocatedBytes(id) - a0;
    Map<String, List<Long>> o = new TreeMap<>();
    ops.forEach((k, v) -> o.put(k, List.of(v[0], v[1])));
    return new Result(full, records, wall, cpu, alloc, hist, o);
  }

  /** Seconds to frame every record (find its line) without parsing it: what any log pass pays. */
  private static double linesOnly(Path log) {
    long t0 = System.nanoTime();
    try (LogReader r = LogReader.open(log)) {
      while (r.nextView() != null) {
        // framing only
      }
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** The report's own arithmetic (HtmlReport.data in sparq-examples). */
  private static void count(Difficulty d, String operator, long[] hist, TreeMap<String, long[]> ops) {
    if (d.measured()) {
      int b = (int) Math.min(BINS - 1, Math.floor(d.solveRate() * (BINS - 1) + 1e-9));
      hist[b]++;
    }
    long[] o = ops.computeIfAbsent(operator, x -> new long[2]);
    o[0]++;
    if (d.quality() > 0) {
      o[1]++;
    }
  }

  private static String filler(SplittableRandom r, int len) {
    StringBuilder sb = new StringBuilder(len + FILLER.length());
    while (sb.length() < len) {
      sb.append(FILLER, r.nextInt(20), FILLER.length());
    }
    sb.setLength(len);
    return sb.toString();
  }

  /** Writes {@code records} records shaped like ScaleRun's (see the class comment). */
  static void generate(Path log, int records) throws IOException {
    SplittableRandom r = new SplittableRandom(11);
    try (CandidateLog out = CandidateLog.create(log, LogOptions.defaults().withFsync(false))) {
      for (int i = 0; i < records; i++) {
        double u = r.nextDouble();
        double p = u < 0.4 ? 0 : u < 0.8 ? 1 : 0.05 + 0.9 * r.nextDouble();
        long ans = r.nextLong(1_000_000);
        List<Rollout> rollouts = new ArrayList<>(K);
        int correct = 0;
        for (int k = 0; k < K; k++) {
          boolean ok = r.nextDouble() < p;
          correct += ok ? 1 : 0;
          String given = ok ? Long.toString(ans) : Long.toString(ans + 1 + r.nextInt(9));
          String text = filler(r, 1200 + r.nextInt(4800)) + " Therefore the answer is \\boxed{" + given + "}.";
          rollouts.add(new Rollout(text, given, ok, text.length() / 4));
        }
        double sr = (double) correct / K;
        double quality = sr >= 0.1 && sr <= 0.9 ? 1 - sr : 0;
        String operator = OPERATORS[r.nextInt(OPERATORS.length)];
        Problem problem = new Problem(null, "Problem " + i + ": " + filler(r, 300), filler(r, 2000),
            Long.toString(ans), new Lineage(List.of("p" + (i / 2)), operator, 1 + r.nextInt(20)), Map.of());
        out.append(new EvaluatedCandidate(i / 64, problem, rollouts, new Difficulty(correct, K, quality,
            Validity.VALID), new Descriptor(new double[0], List.of("skill " + r.nextInt(100))),
            quality > 0 ? AddStatus.NEW : AddStatus.NOT_ADDED, quality));
      }
    }
  }
}
