package dev.sparq.bench;

import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.SparqListener;
import dev.sparq.core.engine.Variant;
import dev.sparq.core.export.ExportFormat;
import dev.sparq.core.export.ExportReport;
import dev.sparq.core.export.Exporter;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.FinishReason;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.model.Problem;
import dev.sparq.core.preset.PaperPreset;
import dev.sparq.core.store.LogOptions;
import dev.sparq.core.store.SparqRun;
import dev.sparq.testkit.llm.SeededReplies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The cost of a run at the SPARQ paper's scale, measured with a fast fake model that writes texts of
 * realistic length: the paper's preset (batch 64, K = 16 rollouts, skill-set niches, dynamic diverse)
 * through {@code SparqRun}, run in stages; at the end of each stage the harness prints the candidate
 * log's bytes per candidate, the heap in use after a full GC, milliseconds per iteration over the
 * stage, the checkpoint's size and write time, and the time to reopen (resume) the run directory.
 * At the end it exports the whole log (SPARQ rule, messages) and prints time and peak heap.
 *
 * <pre>
 * java -Xmx2g -cp sparq-bench/target/benchmarks.jar dev.sparq.bench.ScaleRun \
 *     --dir /tmp/scale-runs/a --stages 50,200,400 [--rollouts all|correct|exportable|none] [--gzip]
 *     [--compare-checkpoint] [--seeds 7500] [--no-export]
 * </pre>
 * {@code --stages} lists the iteration counts at which a stage ends (the run is closed and resumed
 * between stages); {@code --rollouts} is {@code LogOptions.withRolloutTexts}; {@code
 * --compare-checkpoint} also writes each stage's checkpoint as before (a JSON tree turned into
 * bytes) beside the streamed write and prints time and peak heap of both.
 *
 * <p>The fake model: a problem statement of about 300 characters and a reference solution of about
 * 2 KB; each rollout is 1.2 to 6 KB of text (about 300 to 1,500 tokens) ending with a boxed answer,
 * correct with a per-problem probability drawn so that most problems are solved always or never
 * (the paper's bimodal solve rates); the labeller names one of 5,000 fixed skill sets (3 of 100
 * skills), the child keeping its parent's set half of the time.
 */
public final class ScaleRun {
  private static final int SKILL_SETS = 5000;
  private static final Pattern TAG = Pattern.compile("\\[set (\\d+) p (\\d+) ans (\\d+)\\]");
  private static final String FILLER = "We consider the quantities involved and rewrite the "
      + "expression step by step, checking each intermediate value against the constraints. ";

  private ScaleRun() {}

  /** The fake model (thread-safe, deterministic in the sampling seed and the prompt). */
  static final class FakeModel implements LanguageModel {
    private final String[][] sets = new String[SKILL_SETS][];

    FakeModel() {
      SplittableRandom r = new SplittableRandom(7);
      for (int s = 0; s < SKILL_SETS; s++) {
        java.util.TreeSet<String> t = new java.util.TreeSet<>();
        while (t.size() < 3) {
          t.add(String.format(Locale.ROOT, "skill %02d", r.nextInt(100)));
        }
        sets[s] = t.toArray(new String[0]);
      }
    }

    @Override
    public List<List<Completion>> complete(List<ChatRequest> reqs, SamplingParams params) {
      return SeededReplies.complete(reqs, params, 1L, this::reply);
    }

    private Completion reply(String prompt, SplittableRandom r) {
      Matcher m = TAG.matcher(prompt);
      int set = 0;
      int p = 50;
      long ans = 1;
      if (m.find()) {
        set = Integer.parseInt(m.group(1));
        p = Integer.parseInt(m.group(2));
        ans = Long.parseLong(m.group(3));
      }
      if (prompt.contains("<problem>")) {
        int childSet = r.nextBoolean() ? set : r.nextInt(SKILL_SETS);
        double u = r.nextDouble();
        int childP = u < 0.4 ? 0 : u < 0.8 ? 100 : 5 + r.nextInt(91);
        long childAns = r.nextLong(1_000_000);
        String statement = problemText(r.nextLong(), childSet, childP, childAns);
        String text = "<problem>\n" + statement + "\n</problem>\n<solution>\n" + filler(r, 2000)
            + " So the answer is $\\boxed{" + childAns + "}$.\n</solution>";
        return new Completion(text, 600, 700, FinishReason.STOP);
      }
      if (prompt.contains("skills")) {
        StringBuilder sb = new StringBuilder();
        for (String s : sets[set]) {
          sb.append(s).append('\n');
        }
        return Completion.of(sb.toString());
      }
      boolean ok = r.nextInt(100) < p;
      int len = 1200 + r.nextInt(4800);
      String text = filler(r, len) + " Therefore the answer is \\boxed{" + (ok ? ans : ans + 1 + r.nextInt(5))
          + "}.";
      return new Completion(text, 300, len / 4, FinishReason.STOP);
    }
  }

  static String problemText(long nonce, int set, int p, long ans) {
    return "Problem " + Long.toHexString(nonce) + " [set " + set + " p " + p + " ans " + ans + "]: "
        + FILLER + FILLER + "Find the value described above.";
  }

  private static String filler(SplittableRandom r, int len) {
    StringBuilder sb = new StringBuilder(len + 80);
    while (sb.length() < len) {
      sb.append(FILLER).append(r.nextInt(1000)).append(". ");
    }
    return sb.toString();
  }

  static List<Problem> seeds(int n) {
    SplittableRandom r = new SplittableRandom(11);
    List<Problem> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long ans = r.nextLong(1000);
      out.add(Problem.of(problemText(i, r.nextInt(SKILL_SETS), 50, ans),
          filler(r, 1500) + " \\boxed{" + ans + "}", Long.toString(ans)));
    }
    return out;
  }

  public static void main(String[] args) throws IOException {
    Path dir = Path.of("/tmp/scale-runs/scale");
    List<Long> stages = List.of(50L, 200L);
    String rollouts = "all";
    boolean gzip = false;
    boolean export = true;
    boolean compare = false;
    int seedCount = 7500;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dir" -> dir = Path.of(args[++i]);
        case "--stages" -> {
          List<Long> s = new ArrayList<>();
          for (String x : args[++i].split(",")) {
            s.add(Long.parseLong(x));
          }
          stages = s;
        }
        case "--rollouts" -> rollouts = args[++i];
        case "--gzip" -> gzip = true;
        case "--seeds" -> seedCount = Integer.parseInt(args[++i]);
        case "--no-export" -> export = false;
        case "--compare-checkpoint" -> compare = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    deleteTree(dir);
    System.out.printf(Locale.ROOT, "java %s, max heap %d MiB, %d cpus, rollouts %s, gzip %s%n",
        System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20,
        Runtime.getRuntime().availableProcessors(), rollouts, gzip);
    FakeModel model = new FakeModel();
    List<Problem> seeds = seeds(seedCount);
    long t0 = System.nanoTime();
    PaperPreset.Setup setup = PaperPreset.builder().model(model).seedProblems(seeds)
        .variant(Variant.DYNAMIC_DIVERSE).randomSeed(42).setup();
    System.out.printf(Locale.ROOT, "setup (label %d seeds): %.1f s%n", seeds.size(),
        (System.nanoTime() - t0) / 1e9);
    LogOptions options = LogOptions.defaults().withGzip(gzip);
    options = ScaleOptions.apply(options, rollouts);
    System.out.println("stage  iterations  candidates  log_MiB  log_B/cand  heap_MiB  ms/iter(mean)"
        + "  ms/iter(median)  ckpt_MiB  ckpt_ms  ckpt_peak_heap_MiB  resume_ms");
    long prevIt = 0;
    for (long target : stages) {
      long o0 = System.nanoTime();
      List<Long> ends = new ArrayList<>();
      SparqRun run = SparqRun.builder(dir, setup.sparq().copy().budget(Budget.iterations(target))
              .listener(SparqListener.onIteration(e -> ends.add(System.nanoTime()))))
          .checkpointEvery(10).logOptions(options).open();
      double openMs = (System.nanoTime() - o0) / 1e6;
      long r0 = System.nanoTime();
      RunStats totals;
      try {
        totals = run.run();
        double perIt = (System.nanoTime() - r0) / 1e6 / Math.max(1, target - prevIt);
        double median = medianGapMs(r0, ends);
        long heap = heapAfterGc();
        ExportBenchmark.resetPeaks();
        long c0 = System.nanoTime();
        run.checkpoint();
        double ckMs = (System.nanoTime() - c0) / 1e6;
        long ckPeak = ExportBenchmark.peakHeap();
        long logBytes = size(dir.resolve(SparqRun.LOG));
        long ck = Files.size(dir.resolve(SparqRun.CHECKPOINT));
        System.out.printf(Locale.ROOT,
            "%5d  %10d  %10d  %7d  %10d  %8d  %13.1f  %15.1f  %8.1f  %7.0f  %18d  %9.0f%n",
            target, totals.iterations(), totals.candidates(), logBytes >> 20,
            logBytes / Math.max(1, totals.candidates()), heap >> 20, perIt, median, ck / 1048576.0,
            ckMs, ckPeak >> 20, prevIt == 0 ? Double.NaN : openMs);
      } finally {
        run.close();
      }
      if (compare) {
        compareCheckpointWrites(dir);
      }
      prevIt = target;
    }
    ExportBenchmark.resetPeaks();
    long before = ExportBenchmark.peakHeap();
    long o0 = System.nanoTime();
    try (SparqRun run = SparqRun.builder(dir, setup.sparq().budget(Budget.iterations(prevIt)))
        .logOptions(options).open()) {
      double ms = (System.nanoTime() - o0) / 1e6;
      long peak = ExportBenchmark.peakHeap();
      System.out.printf(Locale.ROOT, "final resume (open): %.0f ms, peak heap %d MiB (%d MiB before"
          + " opening), heap after GC %d MiB%n", ms, peak >> 20, before >> 20, heapAfterGc() >> 20);
    }
    Path cpFile = dir.resolve(SparqRun.CHECKPOINT);
    for (int round = 0; round < 2; round++) { // the second round is the warm one
      ExportBenchmark.resetPeaks();
      before = ExportBenchmark.peakHeap();
      o0 = System.nanoTime();
      dev.sparq.core.store.Checkpoint read = SparqRun.readCheckpoint(dir);
      double streamMs = (System.nanoTime() - o0) / 1e6;
      long streamHeap = ExportBenchmark.peakHeap() - before;
      int elites = read.archive().size();
      read = null;
      ExportBenchmark.resetPeaks();
      before = ExportBenchmark.peakHeap();
      o0 = System.nanoTime();
      // as before: the whole file as bytes, a tree, the archive's text again, then objects
      dev.sparq.core.store.Checkpoint tree;
      try {
        tree = dev.sparq.core.store.Checkpoint.fromJson(
            dev.sparq.core.internal.Json.mapper().readTree(Files.readAllBytes(cpFile)), cpFile);
      } catch (OutOfMemoryError e) {
        System.out.printf(Locale.ROOT, "checkpoint read (%.1f MiB, %d elites): streamed %.0f ms, +%d MiB"
                + " peak heap; tree (before): OutOfMemoryError%n", Files.size(cpFile) / 1048576.0,
            elites, streamMs, streamHeap >> 20);
        continue;
      }
      double treeMs = (System.nanoTime() - o0) / 1e6;
      long treeHeap = ExportBenchmark.peakHeap() - before;
      System.out.printf(Locale.ROOT, "checkpoint read (%.1f MiB, %d elites): streamed %.0f ms, +%d MiB"
              + " peak heap; tree (before) %.0f ms, +%d MiB peak heap; heap ratio %.1fx%n",
          Files.size(cpFile) / 1048576.0, tree.archive().size(), streamMs, streamHeap >> 20, treeMs,
          treeHeap >> 20, (double) treeHeap / Math.max(1, streamHeap));
      if (elites != tree.archive().size()) {
        throw new IllegalStateException("the two readers disagree");
      }
    }
    if (export) {
      ExportBenchmark.resetPeaks();
      long e0 = System.nanoTime();
      ExportReport r = Exporter.builder().log(dir.resolve(SparqRun.LOG)).output(dir.resolve("export"))
          .format(ExportFormat.MESSAGES).seed(1).build().run();
      System.out.printf(Locale.ROOT, "export: %,d records in %.1f s, %,d rows, peak heap %d MiB%n",
          r.recordsRead(), (System.nanoTime() - e0) / 1e9, r.examplesWritten(), ExportBenchmark.peakHeap() >> 20);
      fullDecode(dir.resolve(SparqRun.LOG));
    }
  }

  /** Median of the gaps between consecutive iteration ends (checkpointing iterations are outliers). */
  static double medianGapMs(long start, List<Long> ends) {
    List<Double> gaps = new ArrayList<>();
    long prev = start;
    for (long e : ends) {
      gaps.add((e - prev) / 1e6);
      prev = e;
    }
    if (gaps.isEmpty()) {
      return Double.NaN;
    }
    java.util.Collections.sort(gaps);
    return gaps.get(gaps.size() / 2);
  }

  /** A full decode of every record, as {@code sparq report} and {@code sparq inspect} read the log. */
  static void fullDecode(Path log) throws IOException {
    ExportBenchmark.resetPeaks();
    long t0 = System.nanoTime();
    long n = 0;
    long rollouts = 0;
    try (dev.sparq.core.store.LogReader r = dev.sparq.core.store.LogReader.open(log)) {
      while (r.hasNext()) {
        rollouts += r.next().candidate().rollouts().size();
        n++;
      }
    }
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "full decode (as sparq report reads the log): %,d records, %,d rollouts"
            + " in %.1f s = %.0f MiB/s, peak heap %d MiB%n", n, rollouts, s, size(log) / 1048576.0 / s,
        ExportBenchmark.peakHeap() >> 20);
  }

  static long heapAfterGc() {
    System.gc();
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }



  static long size(Path p) throws IOException {
    if (!Files.exists(p)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Maps the {@code --rollouts} option onto the log options. */
  static final class ScaleOptions {
    static LogOptions apply(LogOptions o, String rollouts) {
      return o.withRolloutTexts(dev.sparq.core.store.RolloutTexts.valueOf(
          rollouts.toUpperCase(Locale.ROOT).replace('-', '_')));
    }
  }

  /**
   * Writes the run's checkpoint both ways, side by side: streamed ({@code Checkpoint.write}, what
   * runs do now) and as before, a JSON tree serialised to bytes; prints time and peak heap of each.
   */
  /**
   * The checkpoint document as the writer before streaming built it, kept here as the reference of
   * the comparison: a tree of every field, with the archive serialised to text and parsed back into
   * it. (The library's {@code Checkpoint.toJson()} is now derived from the streamed writer.)
   */
  static com.fasterxml.jackson.databind.node.ObjectNode treeAsBefore(dev.sparq.core.store.Checkpoint cp)
      throws IOException {
    com.fasterxml.jackson.databind.ObjectMapper m = dev.sparq.core.internal.Json.mapper();
    com.fasterxml.jackson.databind.node.ObjectNode root = m.createObjectNode();
    root.put("format", dev.sparq.core.store.Checkpoint.FORMAT);
    root.put("version", dev.sparq.core.store.Checkpoint.VERSION);
    root.set("state", m.valueToTree(cp.state()));
    root.set("log", m.valueToTree(cp.log()));
    com.fasterxml.jackson.databind.node.ObjectNode slots = root.putObject("slots");
    new java.util.TreeMap<>(cp.slots()).forEach(slots::set);
    if (!cp.settings().isEmpty()) {
      com.fasterxml.jackson.databind.node.ObjectNode set = root.putObject("settings");
      cp.settings().forEach(set::put);
    }
    if (cp.archive() != null) {
      root.set("archive", m.readTree(dev.sparq.core.archive.ArchiveJson.toJson(cp.archive())));
    }
    return root;
  }

  static void compareCheckpointWrites(Path dir) throws IOException {
    dev.sparq.core.store.Checkpoint cp = SparqRun.readCheckpoint(dir);
    Path a = dir.resolve("cmp-stream.json");
    Path b = dir.resolve("cmp-tree.json");
    double[] stream = new double[2];
    double[] tree = new double[2];
    for (int round = 0; round < 2; round++) { // the second round is reported (warm)
      ExportBenchmark.resetPeaks();
      long base = ExportBenchmark.peakHeap();
      long t0 = System.nanoTime();
      cp.write(a);
      stream[0] = (System.nanoTime() - t0) / 1e6;
      stream[1] = (ExportBenchmark.peakHeap() - base) / 1048576.0;
      ExportBenchmark.resetPeaks();
      base = ExportBenchmark.peakHeap();
      t0 = System.nanoTime();
      try {
        dev.sparq.core.internal.AtomicFiles.write(b,
            dev.sparq.core.internal.Json.mapper().writeValueAsBytes(treeAsBefore(cp)));
      } catch (OutOfMemoryError e) {
        System.out.printf(Locale.ROOT, "  checkpoint %.1f MiB: streamed %.0f ms, +%.0f MiB peak heap;"
            + " tree (before): OutOfMemoryError%n", Files.size(a) / 1048576.0, stream[0], stream[1]);
        Files.delete(a);
        return;
      }
      tree[0] = (System.nanoTime() - t0) / 1e6;
      tree[1] = (ExportBenchmark.peakHeap() - base) / 1048576.0;
    }
    boolean same = java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b));
    System.out.printf(Locale.ROOT, "  checkpoint %.1f MiB: streamed %.0f ms, +%.0f MiB peak heap;"
            + " tree (before) %.0f ms, +%.0f MiB peak heap; heap ratio %.1fx; same bytes: %s%n",
        Files.size(a) / 1048576.0, stream[0], stream[1], tree[0], tree[1],
        tree[1] / Math.max(1, stream[1]), same);
    Files.delete(a);
    Files.delete(b);
  }
}
