package dev.sparq.bench.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.onnx.GenerationPath;
import dev.sparq.onnx.OnnxLanguageModel;
import dev.sparq.onnx.OnnxOptions;
import dev.sparq.onnx.testing.TinyDecoder;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Java side of {@code sparq-bench/transformersjs-bench.sh}: CPU decode tokens/s of
 * sparq-onnx's Java loop against transformers.js on the same ONNX files and the same prompts, and
 * greedy parity of the generated token ids (one prompt, and a left-padded batch).
 *
 * <p>Phase {@code java} writes the bench model if missing, the prompts ({@code prompts.json}, read
 * by {@code transformersjs/decode-bench.mjs}) and the Java loop's ids and timings
 * ({@code java.json}); phase {@code report} reads those and the Node side's {@code tjs.json} and
 * prints the comparison. Token ids of the Java loop come from the model's package-private token
 * observer (the hook its own tests use), reached by reflection: {@link dev.sparq.core.llm.Completion}
 * carries text, not ids.
 *
 * <pre>
 * java -cp sparq-bench/target/benchmarks.jar dev.sparq.bench.onnx.TransformersJsCompare \
 *     --phase java|report --work DIR [--model bench|tiny] [--batches 1,8] [--tokens 32]
 *     [--prompt 32] [--threads 2] [--reps 3] [--dir sparq-bench/target/onnx-bench]
 *     [--in-graph true|false]
 * </pre>
 */
public final class TransformersJsCompare {
  private TransformersJsCompare() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = dev.sparq.bench.BenchArgs.parse(args);
    Path work = Path.of(a.getOrDefault("work", "sparq-bench/target/transformersjs-run"));
    Files.createDirectories(work);
    switch (a.getOrDefault("phase", "java")) {
      case "java" -> javaPhase(a, work);
      case "report" -> System.out.print(report(
          new ObjectMapper().readTree(work.resolve("java.json").toFile()),
          new ObjectMapper().readTree(work.resolve("tjs.json").toFile())));
      default -> throw new IllegalArgumentException("--phase java|report");
    }
  }

  private static void javaPhase(Map<String, String> a, Path work) throws Exception {
    String name = a.getOrDefault("model", "bench");
    int tokens = Integer.parseInt(a.getOrDefault("tokens", "32"));
    int promptLen = Integer.parseInt(a.getOrDefault("prompt", "32"));
    int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
    int reps = Integer.parseInt(a.getOrDefault("reps", "3"));
    Path dir = Path.of(a.getOrDefault("dir", "sparq-bench/target/onnx-bench")).resolve(name);
    if (!Files.exists(dir.resolve("onnx/model.onnx"))) {
      System.err.println("writing the " + name + " model to " + dir);
      new TinyDecoder(name.equals("tiny") ? TinyDecoder.Spec.tiny() : TinyDecoder.Spec.bench())
          .writeTo(dir);
      OnnxGenerationBench.dropEos(dir);
    }
    ObjectMapper om = new ObjectMapper();
    ObjectNode prompts = om.createObjectNode();
    prompts.put("model_dir", dir.toAbsolutePath().toString());
    prompts.put("tokens", tokens);
    prompts.put("pad_id", om.readTree(dir.resolve("config.json").toFile()).path("pad_token_id").asLong(0));
    ArrayNode batches = prompts.putArray("batches");
    ObjectNode java = om.createObjectNode();
    java.put("runtime", "sparq-onnx");
    java.put("threads", threads);
    java.put("tokens", tokens);
    ArrayNode results = java.putArray("results");
    OnnxOptions opts = OnnxOptions.builder().intraOpThreads(threads).maxBatchRows(64).build();
    boolean inGraph = Boolean.parseBoolean(a.getOrDefault("in-graph", "true"));
    SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(tokens).build();
    try (OnnxLanguageModel m = OnnxLanguageModel.open(dir, opts);
        OnnxLanguageModel g = inGraph ? OnnxLanguageModel.open(dir,
            OnnxOptions.builder().intraOpThreads(threads).maxBatchRows(64)
                .generation(GenerationPath.IN_GRAPH).build()) : null) {
      SamplingParams warm = SamplingParams.builder().temperature(0).maxTokens(4).build();
      m.completeTokens(GpuCheck.prompts(1, promptLen), warm);
      if (g != null) {
        g.completeTokens(GpuCheck.prompts(1, promptLen), warm);
      }
      for (String bs : a.getOrDefault("batches", "1,8").split(",")) {
        int b = Integer.parseInt(bs.trim());
        List<long[]> ps = GpuCheck.prompts(b, promptLen);
        ArrayNode pj = batches.addObject().putArray("prompts");
        for (long[] p : ps) {
          ArrayNode row = pj.addArray();
          for (long t : p) {
            row.add(t);
          }
        }
        ObjectNode r = results.addObject();
        r.put("batch", b);
        ArrayNode secs = r.putArray("seconds");
        ArrayNode ort = r.putArray("ort_seconds");
        ArrayNode graphSecs = g == null ? null : r.putArray("in_graph_seconds");
        List<List<Completion>> loopOut = null;
        boolean same = true;
        for (int k = 0; k < reps; k++) {
          long runBefore = m.stats().runNanos();
          long t0 = System.nanoTime();
          loopOut = m.completeTokens(ps, greedy);
          secs.add((System.nanoTime() - t0) / 1e9);
          ort.add((m.stats().runNanos() - runBefore) / 1e9);
          if (g != null) {
            long runs = g.stats().runs();
            t0 = System.nanoTime();
            List<List<Completion>> graphOut = g.completeTokens(ps, greedy);
            graphSecs.add((System.nanoTime() - t0) / 1e9);
            if (g.stats().runs() - runs != 1) {
              throw new IllegalStateException("the in-graph path did not run (see the log)");
            }
            same &= graphOut.equals(loopOut);
          }
        }
        if (g != null) {
          r.put("in_graph_same", same);
        }
        ArrayNode ids = r.putArray("ids");
        for (long[] row : greedyIds(m, ps, greedy)) {
          ArrayNode x = ids.addArray();
          for (long t : row) {
            x.add(t);
          }
        }
        System.err.printf(Locale.ROOT, "sparq-onnx batch %d: %s s (in session.run %s s)%s%n", b,
            secs, ort, g == null ? "" : ", in-graph " + graphSecs + " s");
      }
    }
    long weightBytes = Files.size(dir.resolve("onnx/model.onnx"))
        + (Files.exists(dir.resolve("onnx/model.onnx_data"))
            ? Files.size(dir.resolve("onnx/model.onnx_data")) : 0);
    java.put("weight_bytes", weightBytes);
    java.put("read_bytes_per_second", readBandwidth(threads));
    om.writeValue(work.resolve("prompts.json").toFile(), prompts);
    om.writeValue(work.resolve("java.json").toFile(), java);
  }

  /**
   * Memory read bandwidth of this machine with {@code threads} threads, in bytes per second: the
   * best of five passes in which each thread sums its own 128 MiB array (far beyond any cache).
   * At batch 1 a decode step reads every weight of the model once, so weight bytes / this is the
   * shortest step any runtime can take with these weights.
   */
  static double readBandwidth(int threads) throws InterruptedException {
    int n = 16 << 20; // longs: 128 MiB per thread
    long[][] arrays = new long[threads][n];
    for (long[] x : arrays) {
      java.util.Arrays.fill(x, 1L);
    }
    double best = 0;
    long[] sums = new long[threads];
    for (int pass = 0; pass < 5; pass++) {
      Thread[] ts = new Thread[threads];
      long t0 = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        int id = t;
        ts[t] = new Thread(() -> sums[id] += sum(arrays[id]));
        ts[t].start();
      }
      for (Thread t : ts) {
        t.join();
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      best = Math.max(best, (double) threads * n * Long.BYTES / secs);
    }
    if (java.util.Arrays.stream(sums).sum() != 5L * threads * n) {
      throw new IllegalStateException("bandwidth pass read the wrong data");
    }
    return best;
  }

  private static long sum(long[] x) {
    long s = 0;
    for (long v : x) {
      s += v;
    }
    return s;
  }

  /** The token ids the Java loop generates for each prompt (sample 0), in order. */
  static List<long[]> greedyIds(OnnxLanguageModel m, List<long[]> prompts, SamplingParams params)
      throws ReflectiveOperationException {
    Class<?> observerType = Class.forName("dev.sparq.onnx.OnnxLanguageModel$TokenObserver");
    Method set = OnnxLanguageModel.class.getDeclaredMethod("observer", observerType);
    set.setAccessible(true);
    Map<Integer, TreeMap<Integer, Long>> seen = new HashMap<>();
    Object observer = Proxy.newProxyInstance(observerType.getClassLoader(),
        new Class<?>[] {observerType}, (proxy, method, args) -> {
          if (method.getName().equals("onToken") && (int) args[1] == 0) {
            synchronized (seen) {
              seen.computeIfAbsent((Integer) args[0], k -> new TreeMap<>())
                  .put((Integer) args[2], (long) (int) (Integer) args[4]);
            }
            return null;
          }
          if (method.getName().equals("hashCode")) {
            return System.identityHashCode(proxy);
          }
          if (method.getName().equals("equals")) {
            return proxy == args[0];
          }
          return method.getName().equals("toString") ? "ids observer" : null;
        });
    set.invoke(m, observer);
    try {
      m.completeTokens(prompts, params);
    } finally {
      set.invoke(m, (Object) null);
    }
    List<long[]> out = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      TreeMap<Integer, Long> steps = seen.getOrDefault(i, new TreeMap<>());
      out.add(steps.values().stream().mapToLong(Long::longValue).toArray());
    }
    return out;
  }

  /**
   * The comparison table: tokens/s of each side from the median and from the best (shortest) of
   * the reps, their ratios, and id parity; a row for the in-graph path where it was measured
   * (its tokens are compared with the Java loop's completions). On a shared machine the best is
   * the run least disturbed by other work.
   *
   * <p>A second table bounds what any generation loop on the same runtime could reach: the Java
   * loop's time inside {@code session.run} (the decoder's own forward passes, prefill included)
   * as a share of its wall time, and the tokens/s it would reach if everything outside
   * {@code session.run} took no time, as a ratio to transformers.js. The in-graph path runs the
   * same decoder kernels inside ONNX Runtime, so the same bound applies to it.
   */
  static String report(JsonNode java, JsonNode tjs) {
    ReportTable t = new ReportTable("batch", "path", "sparq-onnx tok/s median/best",
        "transformers.js tok/s median/best", "ratio median", "ratio best", "greedy ids");
    ReportTable bound = new ReportTable("batch", "Java loop time in session.run",
        "session.run-only tok/s (median)", "bound vs transformers.js (median)");
    int tokens = java.path("tokens").asInt();
    for (JsonNode jr : java.path("results")) {
      int b = jr.path("batch").asInt();
      JsonNode tr = null;
      for (JsonNode x : tjs.path("results")) {
        if (x.path("batch").asInt() == b) {
          tr = x;
        }
      }
      double tm = tr == null ? Double.NaN : (double) b * tokens / median(tr.path("seconds"));
      double tb = tr == null ? Double.NaN : (double) b * tokens / best(tr.path("seconds"));
      String ids = tr == null ? "no transformers.js result" : parity(jr.path("ids"), tr.path("ids"));
      row(t, b, "Java loop", jr.path("seconds"), tokens, tm, tb, ids);
      if (jr.has("in_graph_seconds")) {
        row(t, b, "in-graph", jr.path("in_graph_seconds"), tokens, tm, tb,
            jr.path("in_graph_same").asBoolean() ? "same completions as the Java loop"
                : "DIFFERENT from the Java loop");
      }
      if (jr.has("ort_seconds") && jr.path("ort_seconds").size() > 0) {
        double wall = median(jr.path("seconds"));
        double ort = median(jr.path("ort_seconds"));
        double only = (double) b * tokens / ort;
        bound.row(Integer.toString(b), String.format(Locale.ROOT, "%.1f%%", 100 * ort / wall),
            fmt(only), tr == null ? "-" : String.format(Locale.ROOT, "%.2fx", only / tm));
      }
    }
    String out = t.render() + (bound.isEmpty() ? "" : "\n" + bound.render());
    double bw = java.path("read_bytes_per_second").asDouble(0);
    long weights = java.path("weight_bytes").asLong(0);
    if (bw > 0 && weights > 0) {
      double stepTokS = bw / weights;
      out += String.format(Locale.ROOT, "%nmemory read bandwidth %.1f GB/s; a batch-1 decode step reads"
          + " the %.1f MB of weights once, so no runtime decodes faster than %.1f tok/s at batch 1 with"
          + " these weights", bw / 1e9, weights / 1e6, stepTokS);
      for (JsonNode x : tjs.path("results")) {
        if (x.path("batch").asInt() == 1) {
          double tm = (double) tokens / median(x.path("seconds"));
          out += String.format(Locale.ROOT, " (%.2fx transformers.js's median)", stepTokS / tm);
        }
      }
      out += "\n";
    }
    return out;
  }

  private static void row(ReportTable t, int b, String path, JsonNode seconds, int tokens,
      double tm, double tb, String ids) {
    double jm = (double) b * tokens / median(seconds);
    double jb = (double) b * tokens / best(seconds);
    boolean none = Double.isNaN(tm);
    t.row(Integer.toString(b), path, fmt(jm) + " / " + fmt(jb),
        none ? "-" : fmt(tm) + " / " + fmt(tb),
        none ? "-" : String.format(Locale.ROOT, "%.2fx", jm / tm),
        none ? "-" : String.format(Locale.ROOT, "%.2fx", jb / tb), ids);
  }

  static double best(JsonNode secs) {
    double m = Double.POSITIVE_INFINITY;
    for (JsonNode x : secs) {
      m = Math.min(m, x.asDouble());
    }
    return m;
  }

  /** "identical (b rows x n tokens)" or which rows differ and from which step. */
  static String parity(JsonNode a, JsonNode b) {
    if (a.size() != b.size()) {
      return "DIFFERENT row counts " + a.size() + " vs " + b.size();
    }
    List<String> diffs = new ArrayList<>();
    int len = 0;
    for (int i = 0; i < a.size(); i++) {
      long[] x = longs(a.get(i));
      long[] y = longs(b.get(i));
      len = Math.max(len, x.length);
      if (!Arrays.equals(x, y)) {
        diffs.add("row " + i + " from step " + Arrays.mismatch(x, y));
      }
    }
    return diffs.isEmpty() ? "identical (" + a.size() + " x " + len + ")"
        : "DIFFERENT: " + String.join(", ", diffs);
  }

  static double median(JsonNode secs) {
    double[] v = new double[secs.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = secs.get(i).asDouble();
    }
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static long[] longs(JsonNode row) {
    long[] r = new long[row.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = row.get(i).asLong();
    }
    return r;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

}
