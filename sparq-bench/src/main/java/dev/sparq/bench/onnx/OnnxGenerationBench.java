package dev.sparq.bench.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.onnx.OnnxLanguageModel;
import dev.sparq.onnx.OnnxOptions;
import dev.sparq.onnx.OnnxSessions;
import dev.sparq.onnx.testing.TinyDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generation throughput of {@code sparq-onnx} on CPU, printed as a table: tokens per second at
 * batch 1, 8 and 32 on the tiny test decoder and on the ~85M parameter random decoder, the share
 * of decode time spent outside {@code session.run}, and the speed-up of the KV cache over a loop
 * that recomputes the whole sequence every step (measured in the same run, same prompts, same
 * number of tokens).
 *
 * <p>Model files are written once to {@code --dir} (default {@code target/onnx-bench}) in the
 * Optimum layout ({@code config.json}, {@code tokenizer.json}, {@code onnx/model.onnx}), with the
 * EOS ids removed so every row generates exactly {@code --tokens} tokens.
 *
 * <pre>
 * java -cp sparq-bench/target/benchmarks.jar dev.sparq.bench.onnx.OnnxGenerationBench \
 *     [--models tiny,bench] [--tokens 32] [--prompt 32] [--threads 2] [--spin false]
 *     [--dir target/onnx-bench] [--path JAVA_LOOP|IN_GRAPH|AUTO]
 * </pre>
 *
 * <p>{@code --path} picks {@link OnnxOptions#generation()} (default {@code JAVA_LOOP}); with
 * {@code IN_GRAPH} the decode columns cover the whole in-graph run (prefill included) and
 * {@code outside-run%} is 0 by construction. {@link GenerationPathBench} compares the two paths
 * side by side.
 */
public final class OnnxGenerationBench {
  private OnnxGenerationBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = dev.sparq.bench.BenchArgs.parse(args);
    String[] models = a.getOrDefault("models", "tiny,bench").split(",");
    int tokens = Integer.parseInt(a.getOrDefault("tokens", "32"));
    int promptLen = Integer.parseInt(a.getOrDefault("prompt", "32"));
    int threads = Integer.parseInt(a.getOrDefault("threads", "0"));
    boolean spin = Boolean.parseBoolean(a.getOrDefault("spin", "false"));
    Path root = Path.of(a.getOrDefault("dir", "target/onnx-bench"));
    dev.sparq.onnx.GenerationPath path =
        dev.sparq.onnx.GenerationPath.valueOf(a.getOrDefault("path", "JAVA_LOOP"));
    int[] batches = {1, 8, 32};
    System.out.printf(Locale.ROOT, "cpus=%d threads=%s spin=%s prompt=%d tokens=%d path=%s%n",
        Runtime.getRuntime().availableProcessors(), threads == 0 ? "ort-default" : threads, spin,
        promptLen, tokens, path);
    System.out.println("model   params  batch  tok/s(kv)  decode tok/s  outside-run%  tok/s(no-kv)  speed-up");
    for (String name : models) {
      TinyDecoder.Spec spec = name.equals("tiny") ? TinyDecoder.Spec.tiny() : TinyDecoder.Spec.bench();
      TinyDecoder dec = new TinyDecoder(spec);
      Path dir = root.resolve(name);
      if (!Files.exists(dir.resolve("onnx/model.onnx"))) {
        dec.writeTo(dir);
        dropEos(dir);
      }
      OnnxOptions opts = OnnxOptions.builder().intraOpThreads(threads).maxBatchRows(32)
          .allowSpinning(spin).generation(path).build();
      try (OnnxLanguageModel m = OnnxLanguageModel.open(dir, opts);
          OrtSession raw = OnnxSessions.environment().createSession(
              dir.resolve("onnx/model.onnx").toString(), sessionOptions(threads, spin))) {
        SamplingParams p = SamplingParams.builder().temperature(1.0).topK(50).seed(1).maxTokens(tokens).build();
        m.completeTokens(prompts(1, promptLen, dec), p); // warm-up
        for (int b : batches) {
          List<long[]> ps = prompts(b, promptLen, dec);
          m.stats().reset();
          long t0 = System.nanoTime();
          m.completeTokens(ps, p);
          double secs = (System.nanoTime() - t0) / 1e9;
          OnnxLanguageModel.Stats s = m.stats();
          double tps = s.tokens() / secs;
          double decodeTps = (s.tokens() - b) / (s.decodeNanos() / 1e9);
          double outside = 100.0 * (s.decodeNanos() - s.decodeRunNanos()) / s.decodeNanos();
          String noKv = "-";
          String speedup = "-";
          boolean runNoKv = name.equals("tiny") ? b <= 8 : b == 1;
          if (runNoKv) {
            long n0 = System.nanoTime();
            int generated = noCacheGreedy(raw, spec, ps, tokens);
            double noKvTps = generated / ((System.nanoTime() - n0) / 1e9);
            noKv = String.format(Locale.ROOT, "%.1f", noKvTps);
            speedup = String.format(Locale.ROOT, "%.1fx", tps / noKvTps);
          }
          System.out.printf(Locale.ROOT, "%-6s %6.1fM %6d %10.1f %13.1f %13.2f %13s %9s%n", name,
              dec.parameterCount() / 1e6, b, tps, decodeTps, outside, noKv, speedup);
        }
      }
    }
  }

  private static OrtSession.SessionOptions sessionOptions(int threads, boolean spin)
      throws OrtException {
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    if (!spin) {
      so.addConfigEntry("session.intra_op.allow_spinning", "0");
    }
    so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    if (threads > 0) {
      so.setIntraOpNumThreads(threads);
    }
    return so;
  }

  /** Removes the EOS ids so every row generates exactly max_tokens tokens. */
  static void dropEos(Path dir) throws IOException {
    ObjectMapper om = new ObjectMapper();
    for (String f : List.of("config.json", "generation_config.json", "tokenizer_config.json")) {
      ObjectNode n = (ObjectNode) om.readTree(dir.resolve(f).toFile());
      n.remove("eos_token_id");
      n.remove("eos_token");
      om.writeValue(dir.resolve(f).toFile(), n);
    }
  }

  /** Random prompts of ordinary byte tokens (ids below 256). */
  private static List<long[]> prompts(int n, int len, TinyDecoder dec) {
    SplittableRandom r = new SplittableRandom(n);
    List<long[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long[] p = new long[len - (i % 4)]; // slightly different lengths: left padding in play
      for (int j = 0; j < p.length; j++) {
        p[j] = r.nextInt(256);
      }
      out.add(p);
    }
    return out;
  }

  /**
   * Greedy generation without a KV cache: every step runs the whole (left-padded) sequence with
   * an empty past and reads the last position's logits. The baseline of the speed-up column.
   */
  static int noCacheGreedy(OrtSession s, TinyDecoder.Spec spec, List<long[]> prompts, int tokens)
      throws OrtException {
    OrtEnvironment env = OnnxSessions.environment();
    int b = prompts.size();
    int maxLen = 0;
    for (long[] p : prompts) {
      maxLen = Math.max(maxLen, p.length);
    }
    long[][] seq = new long[b][maxLen + tokens];
    int[] pad = new int[b];
    for (int i = 0; i < b; i++) {
      long[] p = prompts.get(i);
      pad[i] = maxLen - p.length;
      System.arraycopy(p, 0, seq[i], pad[i], p.length);
    }
    int vocab = 0;
    for (int step = 0; step < tokens; step++) {
      int len = maxLen + step;
      LongBuffer ids = direct(b * len);
      LongBuffer mask = direct(b * len);
      LongBuffer pos = direct(b * len);
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < len; j++) {
          boolean real = j >= pad[i];
          ids.put(i * len + j, seq[i][j]);
          mask.put(i * len + j, real ? 1 : 0);
          pos.put(i * len + j, real ? j - pad[i] : 1);
        }
      }
      Map<String, OnnxTensor> in = new HashMap<>();
      try {
        in.put("input_ids", OnnxTensor.createTensor(env, ids, new long[] {b, len}));
        in.put("attention_mask", OnnxTensor.createTensor(env, mask, new long[] {b, len}));
        in.put("position_ids", OnnxTensor.createTensor(env, pos, new long[] {b, len}));
        for (int l = 0; l < spec.layers(); l++) {
          for (String kind : List.of("key", "value")) {
            in.put("past_key_values." + l + "." + kind, OnnxTensor.createTensor(env,
                ByteBuffer.allocateDirect(0), new long[] {b, spec.heads(), 0, spec.headDim()},
                OnnxJavaType.FLOAT));
          }
        }
        try (OrtSession.Result r = s.run(in)) {
          OnnxTensor logits = (OnnxTensor) r.get("logits").orElseThrow();
          long[] shape = logits.getInfo().getShape();
          vocab = (int) shape[2];
          FloatBuffer fb = logits.getFloatBuffer();
          for (int i = 0; i < b; i++) {
            int base = (i * len + len - 1) * vocab;
            int best = 0;
            for (int t = 1; t < vocab; t++) {
              if (fb.get(base + t) > fb.get(base + best)) {
                best = t;
              }
            }
            seq[i][len] = best;
          }
        }
      } finally {
        in.values().forEach(OnnxTensor::close);
      }
    }
    return b * tokens;
  }

  private static LongBuffer direct(int n) {
    return ByteBuffer.allocateDirect(n * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
  }
}
