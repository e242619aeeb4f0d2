package dev.sparq.bench.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.onnx.GenerationPath;
import dev.sparq.onnx.OnnxLanguageModel;
import dev.sparq.onnx.OnnxOptions;
import dev.sparq.onnx.OnnxSessions;
import dev.sparq.onnx.testing.TinyDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The GPU check of issue 15, run by {@code sparq-bench/gpu-check.sh}: on a machine with an NVIDIA
 * GPU and no network it reports, within about five minutes, whether the CUDA provider of
 * {@code onnxruntime_gpu} loads (and if not, why: see {@link CudaDiagnosis}), whether greedy
 * tokens on the GPU equal those on the CPU, decode tokens/s at batch 1, 64 and 1,024 for each
 * generation path on each device, and the bytes copied between host and device per decode step,
 * both summed from the shapes of the tensors a real step feeds and returns and by
 * {@link KvTraffic}'s formula. On a machine without a GPU it says so and runs the CPU half.
 *
 * <p>Models are {@link TinyDecoder}s written once in the Optimum layout under {@code --dir}
 * (shared with {@link OnnxGenerationBench}) with EOS removed, so each row makes exactly
 * {@code --tokens} tokens. A measurement whose conservative estimate does not fit in what is left
 * of {@code --budget-s} is skipped and reported as skipped.
 *
 * <pre>
 * java -cp onnxruntime_gpu-1.29.0.jar:sparq-bench/target/benchmarks.jar \
 *     dev.sparq.bench.onnx.GpuCheck [--small] [--model bench|tiny] [--tokens 32] [--prompt 32]
 *     [--batches 1,64,1024] [--budget-s 240] [--threads 0] [--dir sparq-bench/target/onnx-bench]
 *     [--nvidia-smi FILE] [--libraries FILE]
 * </pre>
 */
public final class GpuCheck {
  private GpuCheck() {}

  /** Most bytes of zero-filled past tensors materialised to measure a step from its shapes. */
  static final long MEASURE_LIMIT_BYTES = 256L << 20;

  /** The generation paths: each runs with {@link OnnxOptions#generation()} set explicitly. */
  enum GenPath {
    /** The per-token loop in Java (KV cache passed between runs; copied host/device on CUDA). */
    JAVA_LOOP("java-loop"),
    /** The loop inside ONNX Runtime's GreedySearch operator (the KV cache stays on the device). */
    IN_GRAPH("in-graph");

    final String label;

    GenPath(String label) {
      this.label = label;
    }
  }

  /** Options for a path on a device. */
  static OnnxOptions.Builder configure(GenPath path, OnnxOptions.Builder b) {
    return b.generation(path == GenPath.IN_GRAPH ? GenerationPath.IN_GRAPH
        : GenerationPath.JAVA_LOOP);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String k = args[i].replaceFirst("^--", "");
      if (k.equals("small")) {
        a.put("model", "tiny");
      } else if (i + 1 < args.length) {
        a.put(k, args[++i]);
      } else {
        throw new IllegalArgumentException("option --" + k + " needs a value");
      }
    }
    long start = System.nanoTime();
    String modelName = a.getOrDefault("model", "bench");
    int tokens = Integer.parseInt(a.getOrDefault("tokens", "32"));
    int promptLen = Integer.parseInt(a.getOrDefault("prompt", "32"));
    int threads = Integer.parseInt(a.getOrDefault("threads", "0"));
    long budgetNanos = (long) (Double.parseDouble(a.getOrDefault("budget-s", "240")) * 1e9);
    long deadline = start + budgetNanos;
    List<Integer> batches = new ArrayList<>();
    for (String s : a.getOrDefault("batches", "1,64,1024").split(",")) {
      batches.add(Integer.parseInt(s.trim()));
    }
    Path root = Path.of(a.getOrDefault("dir", "sparq-bench/target/onnx-bench"));

    OrtEnvironment env = OnnxSessions.environment();
    System.out.println("== SPARQ GPU check (issue 15)");
    System.out.printf(Locale.ROOT, "java %s, %d cpus, ONNX Runtime %s, providers %s%n",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        env.getVersion(), OrtEnvironment.getAvailableProviders());

    TinyDecoder.Spec spec = modelName.equals("tiny") ? TinyDecoder.Spec.tiny() : TinyDecoder.Spec.bench();
    TinyDecoder dec = new TinyDecoder(spec);
    Path dir = root.resolve(modelName);
    if (!Files.exists(dir.resolve("onnx/model.onnx"))) {
      System.out.println("writing the " + modelName + " model to " + dir);
      dec.writeTo(dir);
      OnnxGenerationBench.dropEos(dir);
    }
    System.out.printf(Locale.ROOT, "model %s: %,d parameters, %d layers, %d heads x %d, prompt %d,"
        + " %d new tokens per row, greedy%n", modelName, dec.parameterCount(), spec.layers(),
        spec.heads(), spec.headDim(), promptLen, tokens);

    // 1. Does the CUDA provider load?
    System.out.println();
    System.out.println("== CUDA provider");
    String providerError = null;
    boolean cudaLoads = false;
    if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
      providerError = "this ONNX Runtime jar has no CUDA provider (put onnxruntime_gpu first on the"
          + " class path)";
    } else {
      try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
          OrtCUDAProviderOptions cu = new OrtCUDAProviderOptions(0)) {
        so.addCUDA(cu);
        try (OrtSession s = env.createSession(dir.resolve("onnx/model.onnx").toString(), so)) {
          cudaLoads = true;
        }
      } catch (OrtException | LinkageError e) {
        providerError = e.getMessage();
      }
    }
    CudaDiagnosis.Result diag = CudaDiagnosis.diagnose(readOrNull(a.get("nvidia-smi")),
        readOrNull(a.get("libraries")), cudaLoads, providerError);
    for (String line : diag.lines()) {
      System.out.println(line);
    }
    if (!cudaLoads && providerError != null) {
      System.out.println("provider error: " + firstLine(providerError));
    }
    List<OnnxOptions.Device> devices = new ArrayList<>();
    if (cudaLoads) {
      devices.add(OnnxOptions.Device.CUDA);
    }
    devices.add(OnnxOptions.Device.CPU);

    // 2. Greedy parity GPU vs CPU.
    System.out.println();
    System.out.println("== Greedy parity, GPU vs CPU");
    if (!cudaLoads) {
      System.out.println("skipped: no GPU (the CUDA provider does not load)");
    } else {
      parity(dir, threads, promptLen, Math.min(tokens, 16));
    }

    // 3. Decode throughput.
    System.out.println();
    System.out.println("== Decode tokens/s (greedy; tok/s = all new tokens / wall time of the call;"
        + " decode = tokens after the first / decode-loop time)");
    System.out.println("generation paths in this build: " + List.of(GenPath.values())
        + "; on-device loop (issue 15 part B): " + (GenPath.values().length > 1 ? "present"
        : "not in this build"));
    ReportTable table = new ReportTable("device", "path", "batch", "tok/s", "decode tok/s",
        "outside-run %", "note");
    int maxRows = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
    for (OnnxOptions.Device device : devices) {
      for (GenPath path : GenPath.values()) {
        OnnxOptions opts = configure(path, OnnxOptions.builder().device(device)
            .intraOpThreads(threads).maxBatchRows(maxRows).allowSpinning(false)).build();
        try (OnnxLanguageModel m = OnnxLanguageModel.open(dir, opts)) {
          String devName = m.onCuda() ? "CUDA" : "CPU";
          if (device == OnnxOptions.Device.CUDA && !m.onCuda()) {
            table.row(device.name(), path.label, "-", "-", "-", "-", "fell back to CPU; skipped");
            continue;
          }
          SamplingParams warm = SamplingParams.builder().temperature(0).maxTokens(4).build();
          m.completeTokens(prompts(1, promptLen), warm);
          double prefillPerRow = -1;
          for (int b : batches) {
            List<long[]> ps = prompts(b, promptLen);
            long left = deadline - System.nanoTime();
            // The in-graph path measures prefill with a call of its own: its probe prefills twice.
            int prefills = path == GenPath.IN_GRAPH ? 2 : 1;
            double prefillGuess = prefillPerRow > 0 ? prefillPerRow * b * 1.25 * prefills : 0;
            if (left <= 0 || prefillGuess * 1e9 > left) {
              progress(start, table.row(devName, path.label, Integer.toString(b), "-", "-", "-", String.format(
                  Locale.ROOT, "skipped: a %d-token probe needs about %.0f s, %.0f s of the budget"
                  + " left", PROBE_TOKENS, prefillGuess, Math.max(0, left / 1e9))));
              continue;
            }
            // A short probe (prefill and two decode steps) tells what the full run would cost.
            Run probe = run(m, ps, PROBE_TOKENS, path == GenPath.IN_GRAPH);
            prefillPerRow = Math.max(prefillPerRow, (probe.secs() - probe.decodeSecs()) / b);
            double estimate = estimateSeconds(probe.secs(), probe.decodeSecs(), PROBE_TOKENS - 1,
                tokens) + (prefills - 1) * (probe.secs() - probe.decodeSecs());
            left = deadline - System.nanoTime();
            if (estimate * 1e9 > left) {
              progress(start, table.row(devName, path.label, Integer.toString(b), "-",
                  fmt(probe.decodeTps()),
                  fmt(probe.outsidePercent()), String.format(Locale.ROOT, "from a %d-token probe;"
                  + " the full run needs about %.0f s, %.0f s of the budget left", PROBE_TOKENS,
                  estimate, Math.max(0, left / 1e9))));
              continue;
            }
            Run full = run(m, ps, tokens, path == GenPath.IN_GRAPH);
            progress(start, table.row(devName, path.label, Integer.toString(b),
                fmt(full.tokens() / full.secs()), fmt(full.decodeTps()),
                fmt(full.outsidePercent()), Double.isNaN(full.decodeTps())
                    ? "decode time within timing noise; raise --tokens" : ""));
          }
        }
      }
    }
    System.out.print(table.render());

    // 4. Bytes between host and device per decode step.
    System.out.println();
    int past = promptLen + tokens / 2;
    System.out.printf(Locale.ROOT, "== Host<->device bytes per decode step (past length %d, the"
        + " middle of the runs above)%n", past);
    KvTraffic.Decoder shape = decoderShape(dir, spec);
    System.out.printf(Locale.ROOT, "formula, Java loop: in = rows*8 (ids) + rows*(past+1)*8 (mask)"
        + " + rows*8 (positions) + 2*%d layers*rows*%d heads*past*%d*%d B (past KV); out ="
        + " 2*%d*rows*%d*(past+1)*%d*%d B (present KV) + rows*%d*%d B (logits)%n", shape.layers(),
        shape.kvHeads(), shape.headDim(), shape.kvBytes(), shape.layers(), shape.kvHeads(),
        shape.headDim(), shape.kvBytes(), shape.vocab(), shape.logitsBytes());
    System.out.println("formula, loop on the device: out = rows*(8 B token id + 1 B finished flag);"
        + " nothing in");
    ReportTable bytes = new ReportTable("path", "batch", "measured from shapes", "formula",
        "host->device", "device->host");
    try (OrtSession raw = env.createSession(dir.resolve("onnx/model.onnx").toString(),
        new OrtSession.SessionOptions())) {
      for (int b : batches) {
        KvTraffic.Step f = KvTraffic.javaLoop(shape, b, past);
        String measured;
        if (f.hostToDevice() > MEASURE_LIMIT_BYTES) {
          measured = "not materialised (> " + KvTraffic.human(MEASURE_LIMIT_BYTES) + ")";
        } else {
          KvTraffic.Step m = measureStep(env, raw, b, past);
          measured = KvTraffic.human(m.total()) + (m.equals(f) ? " (= formula)" : " (DIFFERS)");
        }
        bytes.row(GenPath.JAVA_LOOP.label, Integer.toString(b), measured,
            KvTraffic.human(f.total()), KvTraffic.human(f.hostToDevice()),
            KvTraffic.human(f.deviceToHost()));
      }
      for (int b : batches) {
        KvTraffic.Step f = KvTraffic.onDevice(b);
        bytes.row(GenPath.IN_GRAPH.label, Integer.toString(b),
            "by construction (ids in once, ids out; per step only token ids)",
            KvTraffic.human(f.total()), KvTraffic.human(f.hostToDevice()),
            KvTraffic.human(f.deviceToHost()));
      }
    }
    System.out.print(bytes.render());
    KvTraffic.Decoder qwen = new KvTraffic.Decoder(24, 2, 64, 2, 151_936, 4, true);
    System.out.printf(Locale.ROOT, "for scale (issue 15): a 0.5B model shaped like Qwen2.5-0.5B"
        + " (24 layers, 2 KV heads x 64, fp16 KV), 64 problems x 16 samples = 1,024 rows at 1,000"
        + " tokens of context: %s per step with the Java loop (%s each way), %s on the device%n",
        KvTraffic.human(KvTraffic.javaLoop(qwen, 1024, 1000).total()),
        KvTraffic.human(KvTraffic.javaLoop(qwen, 1024, 1000).hostToDevice()),
        KvTraffic.human(KvTraffic.onDevice(1024).total()));
    System.out.printf(Locale.ROOT, "%n== done in %.1f s%n", (System.nanoTime() - start) / 1e9);
  }

  /** Tokens per row of the probe run that sizes each measurement (prefill and two steps). */
  static final int PROBE_TOKENS = 3;

  /**
   * One greedy call's counters.
   *
   * @param secs wall time of the call
   * @param decodeSecs time of the decode loop (after the first token)
   * @param decodeRunSecs time inside {@code session.run} within it
   * @param tokens tokens generated
   * @param rows rows of the batch
   */
  record Run(double secs, double decodeSecs, double decodeRunSecs, long tokens, int rows) {
    /** Decode tokens per second; NaN when the decode time could not be told from noise. */
    double decodeTps() {
      return decodeSecs > 0 ? (tokens - rows) / decodeSecs : Double.NaN;
    }

    double outsidePercent() {
      return decodeSecs > 0 ? 100.0 * (decodeSecs - decodeRunSecs) / decodeSecs : 0;
    }
  }

  /** Prints the table's newest row at once, with the seconds since the check started. */
  private static void progress(long start, ReportTable table) {
    System.out.printf(Locale.ROOT, "  [%3.0f s] %s%n", (System.nanoTime() - start) / 1e9,
        table.lastRow());
    System.out.flush();
  }

  /**
   * One greedy call of {@code tokens} tokens per row. The Java loop times its decode steps itself.
   * The in-graph path is one {@code session.run} for prefill and every step, so its decode time is
   * the difference from a call that makes only the first token (prefill): without it a short probe
   * would count the whole prefill as two decode steps and overestimate a long run many times.
   */
  static Run run(OnnxLanguageModel m, List<long[]> prompts, int tokens, boolean inGraph) {
    if (!inGraph) {
      m.stats().reset();
      double secs = call(m, prompts, tokens);
      OnnxLanguageModel.Stats s = m.stats();
      return new Run(secs, s.decodeNanos() / 1e9, s.decodeRunNanos() / 1e9, s.tokens(),
          prompts.size());
    }
    // The loop runs inside one session.run, so its decode time is the difference of two calls.
    // A short difference (a small model, few tokens) is easily swamped by the scheduler taking
    // the CPU away during either call; short calls are therefore timed repeatedly and the
    // fastest kept.
    double prefillSecs = fastest(m, prompts, 1);
    double secs = fastest(m, prompts, tokens);
    double decode = Math.max(0, secs - prefillSecs);
    return new Run(secs, decode, decode, m.stats().tokens(), prompts.size());
  }

  /** Calls shorter than this are timed repeatedly and the fastest kept. */
  static final double REPEAT_BELOW_SECS = 0.5;

  /** Repeated calls stop after this much time (and at least three calls)... */
  static final double REPEAT_FOR_SECS = 0.25;

  /** ... or after this many calls. */
  static final int MAX_REPEATS = 200;

  /**
   * Wall time of a greedy call: a call of {@link #REPEAT_BELOW_SECS} or more is timed once;
   * shorter ones are repeated (at least three times, for {@link #REPEAT_FOR_SECS} in all, at
   * most {@link #MAX_REPEATS} times) and the fastest is kept.
   */
  private static double fastest(OnnxLanguageModel m, List<long[]> prompts, int tokens) {
    double best = Double.MAX_VALUE;
    double spent = 0;
    for (int i = 0; i == 0 || (i < MAX_REPEATS && best < REPEAT_BELOW_SECS
        && (i < 3 || spent < REPEAT_FOR_SECS)); i++) {
      m.stats().reset();
      double t = call(m, prompts, tokens);
      spent += t;
      best = Math.min(best, t);
    }
    return best;
  }

  private static double call(OnnxLanguageModel m, List<long[]> prompts, int tokens) {
    SamplingParams p = SamplingParams.builder().temperature(0).maxTokens(tokens).build();
    long t0 = System.nanoTime();
    m.completeTokens(prompts, p);
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * The wall time of a run of {@code tokens} tokens per row, from a probe that took
   * {@code probeSecs} in all, {@code probeDecodeSecs} of it in {@code probeSteps} decode steps:
   * the probe's prefill plus {@code tokens - 1} steps at the probe's step time.
   */
  static double estimateSeconds(double probeSecs, double probeDecodeSecs, int probeSteps,
      int tokens) {
    return probeSecs - probeDecodeSecs + probeDecodeSecs / probeSteps * (tokens - 1);
  }

  /** Greedy completions on CUDA and CPU for one prompt and a left-padded batch of eight. */
  private static void parity(Path dir, int threads, int promptLen, int tokens) {
    SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(tokens).build();
    OnnxOptions.Builder base = OnnxOptions.builder().intraOpThreads(threads).maxBatchRows(8);
    try (OnnxLanguageModel gpu = OnnxLanguageModel.open(dir, base.device(OnnxOptions.Device.CUDA).build());
        OnnxLanguageModel cpu = OnnxLanguageModel.open(dir, OnnxOptions.builder()
            .intraOpThreads(threads).maxBatchRows(8).build())) {
      if (!gpu.onCuda()) {
        System.out.println("skipped: the model's session fell back to the CPU");
        return;
      }
      for (int b : new int[] {1, 8}) {
        List<long[]> ps = prompts(b, promptLen);
        List<List<Completion>> g = gpu.completeTokens(ps, greedy);
        List<List<Completion>> c = cpu.completeTokens(ps, greedy);
        int same = 0;
        StringBuilder diffs = new StringBuilder();
        for (int i = 0; i < b; i++) {
          Completion x = g.get(i).get(0);
          Completion y = c.get(i).get(0);
          if (x.text().equals(y.text()) && x.completionTokens() == y.completionTokens()) {
            same++;
          } else {
            diffs.append(String.format(Locale.ROOT, " row %d differs from char %d;", i,
                firstDifference(x.text(), y.text())));
          }
        }
        System.out.printf(Locale.ROOT, "batch %d%s: %d/%d rows identical (%d tokens each)%s%n", b,
            b > 1 ? " (left-padded)" : "", same, b, tokens, diffs);
      }
    }
  }

  static int firstDifference(String x, String y) {
    int n = Math.min(x.length(), y.length());
    for (int i = 0; i < n; i++) {
      if (x.charAt(i) != y.charAt(i)) {
        return i;
      }
    }
    return n;
  }

  /**
   * Runs one real decode step of {@code rows} rows over a zero-filled past of {@code past}
   * positions and sums the bytes of the tensors fed (all from the host) and returned.
   */
  static KvTraffic.Step measureStep(OrtEnvironment env, OrtSession s, int rows, int past)
      throws OrtException {
    Map<String, OnnxTensor> in = new LinkedHashMap<>();
    long fed = 0;
    long back = 0;
    try {
      for (Map.Entry<String, NodeInfo> e : s.getInputInfo().entrySet()) {
        String name = e.getKey();
        TensorInfo ti = (TensorInfo) e.getValue().getInfo();
        long[] shape;
        if (name.startsWith("past_key_values.")) {
          long[] declared = ti.getShape();
          shape = new long[] {rows, declared[1], past, declared[3]};
        } else if (name.equals("attention_mask")) {
          shape = new long[] {rows, past + 1};
        } else if (name.equals("input_ids") || name.equals("position_ids")) {
          shape = new long[] {rows, 1};
        } else if (name.equals("num_logits_to_keep")) {
          shape = new long[0];
        } else {
          shape = new long[] {1};
        }
        long bytes = KvTraffic.tensorBytes(shape, ti.type.size);
        ByteBuffer buf = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
        if (name.equals("attention_mask")) {
          for (int i = 0; i < bytes / 8; i++) {
            buf.putLong(i * 8, 1);
          }
        } else if (name.equals("position_ids")) {
          for (int i = 0; i < rows; i++) {
            buf.putLong(i * 8, past);
          }
        } else if (name.equals("num_logits_to_keep")) {
          buf.putLong(0, 1);
        } else if (ti.type == OnnxJavaType.BOOL) {
          buf.put(0, (byte) 1);
        }
        in.put(name, OnnxTensor.createTensor(env, buf, shape, ti.type));
        fed += bytes;
      }
      try (OrtSession.Result r = s.run(in)) {
        for (Map.Entry<String, OnnxValue> e : r) {
          TensorInfo ti = (TensorInfo) e.getValue().getInfo();
          back += KvTraffic.tensorBytes(ti.getShape(), ti.type.size);
        }
      }
    } finally {
      in.values().forEach(OnnxTensor::close);
    }
    return new KvTraffic.Step(fed, back);
  }

  /** The decoder's shape, from its spec and config.json (vocabulary size). */
  private static KvTraffic.Decoder decoderShape(Path dir, TinyDecoder.Spec spec) throws IOException {
    long vocab = new ObjectMapper().readTree(dir.resolve("config.json").toFile())
        .path("vocab_size").asLong();
    return new KvTraffic.Decoder(spec.layers(), spec.heads(), spec.headDim(), 4, vocab, 4, true);
  }

  /** {@code n} random prompts of ordinary byte tokens, lengths {@code len} down to {@code len-3}. */
  static List<long[]> prompts(int n, int len) {
    SplittableRandom r = new SplittableRandom(n);
    List<long[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long[] p = new long[Math.max(1, len - (i % 4))];
      for (int j = 0; j < p.length; j++) {
        p[j] = r.nextInt(256);
      }
      out.add(p);
    }
    return out;
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** A small text file given by the script (nvidia-smi output, library list), at most 1 MiB. */
  private static String readOrNull(String file) throws IOException {
    if (file == null) {
      return null;
    }
    Path p = Path.of(file);
    if (!Files.isRegularFile(p)) {
      return null;
    }
    if (Files.size(p) > (1 << 20)) {
      throw new IOException(file + ": larger than 1 MiB");
    }
    return Files.readString(p, StandardCharsets.UTF_8);
  }
}
