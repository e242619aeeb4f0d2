package dev.sparq.bench.onnx;

import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.onnx.GenerationPath;
import dev.sparq.onnx.OnnxLanguageModel;
import dev.sparq.onnx.OnnxOptions;
import dev.sparq.onnx.testing.TinyDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The two generation paths of {@code sparq-onnx} side by side on the CPU: the Java loop
 * ({@link GenerationPath#JAVA_LOOP}, one ONNX Runtime run per token) and the in-graph loop
 * ({@link GenerationPath#IN_GRAPH}, ONNX Runtime's GreedySearch operator around the rewritten
 * decoder), on the same model files, prompts and token counts, greedy. For each batch size the two
 * paths run alternately {@code --rounds} times and the best tokens/s of each is kept (the machine
 * is shared, so the best of a few short runs is the least disturbed); the output must be identical
 * and the table says whether it is.
 *
 * <pre>
 * java -cp sparq-bench/target/benchmarks.jar dev.sparq.bench.onnx.GenerationPathBench \
 *     [--models tiny,bench,large-vocab] [--batches 1,8,32] [--tokens 32] [--prompt 32]
 *     [--rounds 3] [--threads 0] [--dir sparq-bench/target/onnx-bench] [--sample false]
 * </pre>
 *
 * <p>With {@code --sample true} both paths sample (temperature 1, top-k 50, seed 1) instead of
 * decoding greedily; their random numbers differ, so the {@code identical} column is {@code n/a}.
 *
 * <p>Models: {@code tiny} ({@link TinyDecoder.Spec#tiny()}), {@code bench} (the ~86M
 * {@link TinyDecoder.Spec#bench()}), {@code large-vocab} ({@link TinyDecoder.Spec#largeVocab()},
 * 151,936 tokens). EOS ids are removed so every row generates exactly {@code --tokens} tokens.
 */
public final class GenerationPathBench {
  private GenerationPathBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = dev.sparq.bench.BenchArgs.parse(args);
    String[] models = a.getOrDefault("models", "tiny,bench").split(",");
    int tokens = Integer.parseInt(a.getOrDefault("tokens", "32"));
    int promptLen = Integer.parseInt(a.getOrDefault("prompt", "32"));
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
    int threads = Integer.parseInt(a.getOrDefault("threads", "0"));
    String[] batchList = a.getOrDefault("batches", "1,8,32").split(",");
    Path root = Path.of(a.getOrDefault("dir", "sparq-bench/target/onnx-bench"));
    boolean sample = Boolean.parseBoolean(a.getOrDefault("sample", "false"));
    System.out.printf(Locale.ROOT, "cpus=%d threads=%s prompt=%d tokens=%d rounds=%d %s%n",
        Runtime.getRuntime().availableProcessors(), threads == 0 ? "ort-default" : threads,
        promptLen, tokens, rounds, sample ? "sampling (temperature 1, top-k 50, seed 1)" : "greedy");
    System.out.println("model        params  batch  java-loop tok/s  in-graph tok/s  in-graph/java"
        + "  identical");
    for (String name : models) {
      TinyDecoder.Spec spec = switch (name) {
        case "tiny" -> TinyDecoder.Spec.tiny();
        case "bench" -> TinyDecoder.Spec.bench();
        case "large-vocab" -> TinyDecoder.Spec.largeVocab();
        default -> throw new IllegalArgumentException("unknown model " + name);
      };
      TinyDecoder dec = new TinyDecoder(spec);
      Path dir = root.resolve(name);
      if (!Files.exists(dir.resolve("onnx/model.onnx"))) {
        dec.writeTo(dir);
        OnnxGenerationBench.dropEos(dir);
      }
      OnnxOptions.Builder b = OnnxOptions.builder().intraOpThreads(threads).maxBatchRows(1024);
      try (OnnxLanguageModel loop = OnnxLanguageModel.open(dir,
              b.generation(GenerationPath.JAVA_LOOP).build());
          OnnxLanguageModel graph = OnnxLanguageModel.open(dir,
              b.generation(GenerationPath.IN_GRAPH).build())) {
        SamplingParams p = sample
            ? SamplingParams.builder().temperature(1).topK(50).seed(1).maxTokens(tokens).build()
            : SamplingParams.builder().temperature(0).maxTokens(tokens).build();
        List<long[]> warm = GpuCheck.prompts(1, promptLen);
        loop.completeTokens(warm, p);
        graph.completeTokens(warm, p);
        for (String bs : batchList) {
          int batch = Integer.parseInt(bs.trim());
          List<long[]> ps = GpuCheck.prompts(batch, promptLen);
          double bestLoop = 0;
          double bestGraph = 0;
          boolean same = true;
          for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            List<List<Completion>> x = loop.completeTokens(ps, p);
            bestLoop = Math.max(bestLoop, count(x) / ((System.nanoTime() - t0) / 1e9));
            long before = graph.stats().runs();
            t0 = System.nanoTime();
            List<List<Completion>> y = graph.completeTokens(ps, p);
            bestGraph = Math.max(bestGraph, count(y) / ((System.nanoTime() - t0) / 1e9));
            if (graph.stats().runs() - before != 1) {
              throw new IllegalStateException("the in-graph path did not run (see the log)");
            }
            same &= x.equals(y);
          }
          System.out.printf(Locale.ROOT, "%-11s %6.1fM %6d %16.1f %15.1f %13.2fx %10s%n", name,
              dec.parameterCount() / 1e6, batch, bestLoop, bestGraph, bestGraph / bestLoop,
              sample ? "n/a" : same ? "yes" : "NO");
        }
      }
    }
  }

  private static long count(List<List<Completion>> out) {
    long n = 0;
    for (List<Completion> cs : out) {
      for (Completion c : cs) {
        n += c.completionTokens();
      }
    }
    return n;
  }
}
