package dev.sparq.onnx.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.ModelException;
import dev.sparq.onnx.OnnxOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link OnnxEmbedder} with the real all-MiniLM-L6-v2, quantised and full precision. */
class OnnxEmbedderTest {
  private static final EmbedderOptions TWO_THREADS = EmbedderOptions.builder()
      .onnx(OnnxOptions.builder().intraOpThreads(2).build()).build();
  private static OnnxEmbedder quantized;
  private static OnnxEmbedder fp32;

  @BeforeAll
  static void open() {
    quantized = MiniLm.QUANTIZED.open(TWO_THREADS);
    fp32 = MiniLm.FP32.open(TWO_THREADS);
  }

  @AfterAll
  static void close() {
    quantized.close();
    fp32.close();
  }

  private static OnnxEmbedder of(MiniLm m) {
    return m == MiniLm.QUANTIZED ? quantized : fp32;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @ParameterizedTest
  @EnumSource(MiniLm.class)
  void paraphraseIsCloserThanAnUnrelatedProblemInEveryTriple(MiniLm model) {
    List<String> texts = new ArrayList<>();
    for (MathTexts.Triple t : MathTexts.TRIPLES) {
      texts.add(t.problem());
      texts.add(t.paraphrase());
      texts.add(t.unrelated());
    }
    float[][] v = of(model).embed(texts);
    double minMargin = Double.MAX_VALUE;
    double sumPara = 0;
    double sumUnrel = 0;
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < MathTexts.TRIPLES.size(); i++) {
      double para = cosine(v[3 * i], v[3 * i + 1]);
      double unrel = cosine(v[3 * i], v[3 * i + 2]);
      sumPara += para;
      sumUnrel += unrel;
      minMargin = Math.min(minMargin, para - unrel);
      if (!(para > unrel)) {
        failures.add("triple " + i + ": paraphrase " + para + " <= unrelated " + unrel);
      }
    }
    int n = MathTexts.TRIPLES.size();
    System.out.printf("%s: %d triples, mean cosine paraphrase %.3f, unrelated %.3f, min margin %.3f%n",
        model, n, sumPara / n, sumUnrel / n, minMargin);
    assertTrue(n >= 20);
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @ParameterizedTest
  @EnumSource(MiniLm.class)
  void vectorsAreUnitLengthWithTheModelsDimension(MiniLm model) {
    float[][] v = of(model).embed(List.of("What is 2 + 2?", "", "Find x if x^2 = 49."));
    for (float[] x : v) {
      assertEquals(384, x.length);
      double sq = 0;
      for (float f : x) {
        sq += (double) f * f;
      }
      assertEquals(1.0, Math.sqrt(sq), 1e-5);
    }
    assertEquals(384, of(model).dimension());
  }

  @ParameterizedTest
  @EnumSource(MiniLm.class)
  void theSameTextAlwaysGivesTheSameVector(MiniLm model) {
    OnnxEmbedder e = of(model);
    String text = MathTexts.TRIPLES.get(4).problem();
    float[] alone = e.embed(text);
    assertArrayEquals(alone, e.embed(text));
    assertArrayEquals(alone, e.embed(List.of(text)) [0]);
    // identical calls are bit-identical, whatever the batch holds
    List<String> batch = List.of("short", text, MathTexts.TRIPLES.get(11).problem(), text);
    float[][] first = e.embed(batch);
    float[][] second = e.embed(batch);
    for (int i = 0; i < batch.size(); i++) {
      assertArrayEquals(first[i], second[i]);
    }
    // in a batch with other texts it is the same vector up to rounding
    assertMaxDiff(alone, first[1], 1e-5);
    assertMaxDiff(alone, first[3], 1e-5);
  }

  @ParameterizedTest
  @EnumSource(MiniLm.class)
  void batchAndOneByOneAgree(MiniLm model) {
    OnnxEmbedder e = of(model);
    List<String> texts = new ArrayList<>();
    for (MathTexts.Triple t : MathTexts.TRIPLES) {
      texts.add(t.problem());
      texts.add(t.unrelated());
    }
    float[][] batched = e.embed(texts);
    double worst = 0;
    for (int i = 0; i < texts.size(); i++) {
      float[] one = e.embed(texts.get(i));
      worst = Math.max(worst, maxDiff(one, batched[i]));
    }
    System.out.printf("%s (%s): batch of %d vs one by one, max |difference| %.2e%n", model,
        e.perText() ? "one text per call" : "padded batches", texts.size(), worst);
    assertTrue(worst <= 1e-5, "max difference " + worst);
    assertEquals(0, e.openNativeValues());
  }

  @Test
  void fullPrecisionModelBatchesWithPaddingAndQuantisedModelRunsTextsAlone() {
    assertFalse(fp32.perText(), "fp32 graph has no DynamicQuantizeLinear");
    assertTrue(quantized.perText(), "the quantised graph quantises activations dynamically");
    assertTrue(OnnxEmbedder.dynamicallyQuantised(MiniLm.QUANTIZED.model()));
    assertFalse(OnnxEmbedder.dynamicallyQuantised(MiniLm.FP32.model()));
    // fp32 batches texts of similar length in one run (padding 1 token of 17 here) ...
    long runs = fp32.runs();
    fp32.embed(List.of("one two three", "one two three four", "five six seven", "eight nine ten"));
    assertEquals(runs + 1, fp32.runs());
    // ... and closes a batch rather than pad it by more than a quarter of its tokens
    List<String> mixed = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      mixed.add("short " + i);
      mixed.add("a much longer text with very many more words in it than the short one " + i);
    }
    runs = fp32.runs();
    long tokens = fp32.tokens();
    float[][] v = fp32.embed(mixed);
    assertEquals(runs + 2, fp32.runs(), "one batch per length group");
    for (int i = 0; i < mixed.size(); i++) {
      assertMaxDiff(fp32.embed(mixed.get(i)), v[i], 1e-5);
    }
    assertTrue(fp32.tokens() > tokens);
  }

  @Test
  void paddedBatchesOfTheQuantisedModelDependOnTheirNeighboursButStayClose() {
    EmbedderOptions padded = EmbedderOptions.builder().batchMode(EmbedderOptions.BatchMode.PADDED)
        .onnx(OnnxOptions.builder().intraOpThreads(2).build()).build();
    try (OnnxEmbedder e = MiniLm.QUANTIZED.open(padded)) {
      assertFalse(e.perText());
      List<String> texts = new ArrayList<>();
      for (MathTexts.Triple t : MathTexts.TRIPLES) {
        texts.add(t.problem());
      }
      float[][] batched = e.embed(texts);
      double worstDiff = 0;
      double worstCos = 1;
      for (int i = 0; i < texts.size(); i++) {
        float[] one = quantized.embed(texts.get(i));
        worstDiff = Math.max(worstDiff, maxDiff(one, batched[i]));
        worstCos = Math.min(worstCos, cosine(one, batched[i]));
      }
      System.out.printf("quantised, padded batches vs alone: max |difference| %.2e, min cosine %.5f%n",
          worstDiff, worstCos);
      assertTrue(worstCos > 0.95, "min cosine " + worstCos);
    }
  }

  @Test
  void aMaxLengthBeyondTheModelsPositionsIsRefusedAtOpen(@TempDir Path dir) throws IOException {
    // laid out as a user would download it, with the model's own config.json (512 positions)
    Files.copy(MiniLm.QUANTIZED.model(), dir.resolve("model_quantized.onnx"));
    Files.copy(MiniLm.QUANTIZED.tokenizer(), dir.resolve("tokenizer.json"));
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\", "
        + "\"max_position_embeddings\": 512}");
    EmbedderOptions tooLong = EmbedderOptions.builder().maxLength(100_000)
        .onnx(OnnxOptions.builder().variant("quantized").intraOpThreads(1).build()).build();
    ModelException e = assertThrows(ModelException.class, () -> OnnxEmbedder.open(dir, tooLong));
    assertTrue(e.getMessage().contains("maxLength 100000 is more than the 512 positions"),
        e.getMessage());
    EmbedderOptions fits = EmbedderOptions.builder().maxLength(512)
        .onnx(OnnxOptions.builder().variant("quantized").intraOpThreads(1).build()).build();
    OnnxEmbedder ok = OnnxEmbedder.open(dir, fits);
    assertEquals(384, ok.embed("What is 3 + 4?").length);
    ok.close();
    ok.close();
    IllegalStateException closed = assertThrows(IllegalStateException.class, () -> ok.embed("x"));
    assertTrue(closed.getMessage().contains("is closed"), closed.getMessage());
  }

  @Test
  void truncationIsCountedAndKeepsTheClosingToken() {
    EmbedderOptions opts = EmbedderOptions.builder().maxLength(16)
        .onnx(OnnxOptions.builder().intraOpThreads(2).build()).build();
    try (OnnxEmbedder e = MiniLm.FP32.open(opts)) {
      assertEquals(16, e.maxLength());
      String longText = "A farmer has chickens and cows. Altogether there are 30 heads and 74 legs."
          + " How many chickens and how many cows does the farmer have on the farm today?";
      String shortText = "What is 3 + 4?";
      long[] ids = e.tokenize(longText);
      assertEquals(16, ids.length);
      assertEquals(101, ids[0]);
      assertEquals(102, ids[15]);
      assertEquals(0, e.truncatedTexts());
      e.embed(List.of(longText, shortText, longText + " Explain."));
      assertEquals(2, e.truncatedTexts());
      e.embed(shortText);
      assertEquals(2, e.truncatedTexts());
      assertEquals(4, e.embeddedTexts());
      // texts that agree on the first 14 word pieces are cut to the same input
      assertArrayEquals(e.embed(longText), e.embed(longText + " Explain."));
    }
    assertEquals(128, fp32.maxLength(), "from the tokenizer's truncation setting");
    // the tokenizer itself never cuts: with room for 512 tokens a 200-word text keeps them all
    EmbedderOptions wide = EmbedderOptions.builder().maxLength(512)
        .onnx(OnnxOptions.builder().intraOpThreads(2).build()).build();
    try (OnnxEmbedder e = MiniLm.QUANTIZED.open(wide)) {
      String text = "one two three four five six seven eight nine ten ".repeat(20);
      assertEquals(202, e.tokenize(text).length);
      e.embed(text);
      assertEquals(0, e.truncatedTexts());
    }
  }

  @Test
  void missingFilesGiveAnErrorNamingThePath(@TempDir Path tmp) throws IOException {
    Path noModel = tmp.resolve("nope.onnx");
    ModelException e1 = assertThrows(ModelException.class,
        () -> OnnxEmbedder.open(noModel, MiniLm.FP32.tokenizer(), TWO_THREADS));
    assertTrue(e1.getMessage().contains(noModel.toString()), e1.getMessage());
    Path noTok = tmp.resolve("tokenizer.json");
    ModelException e2 = assertThrows(ModelException.class,
        () -> OnnxEmbedder.open(MiniLm.FP32.model(), noTok, TWO_THREADS));
    assertTrue(e2.getMessage().contains(noTok.toString()), e2.getMessage());
    ModelException e3 = assertThrows(ModelException.class, () -> OnnxEmbedder.open(tmp));
    assertTrue(e3.getMessage().contains(tmp.resolve("onnx").resolve("model.onnx").toString()),
        e3.getMessage());
    Files.writeString(tmp.resolve("model.onnx"), "not a model");
    ModelException e4 = assertThrows(ModelException.class, () -> OnnxEmbedder.open(tmp));
    assertTrue(e4.getMessage().contains(tmp.resolve("tokenizer.json").toString()), e4.getMessage());
    Files.copy(MiniLm.FP32.tokenizer(), tmp.resolve("tokenizer.json"));
    ModelException e5 = assertThrows(ModelException.class, () -> OnnxEmbedder.open(tmp));
    assertTrue(e5.getMessage().contains(tmp.resolve("model.onnx").toString()), e5.getMessage());
  }

  @Test
  void opensASentenceTransformersDirectoryAndReadsItsConfig(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("onnx"));
    Files.createDirectories(dir.resolve("1_Pooling"));
    Files.copy(MiniLm.QUANTIZED.model(), dir.resolve("onnx").resolve("model_quantized.onnx"));
    Files.copy(MiniLm.QUANTIZED.tokenizer(), dir.resolve("tokenizer.json"));
    Files.writeString(dir.resolve("sentence_bert_config.json"),
        "{\"max_seq_length\": 256, \"do_lower_case\": false}");
    Files.writeString(dir.resolve("1_Pooling").resolve("config.json"),
        "{\"word_embedding_dimension\": 384, \"pooling_mode_cls_token\": false,"
            + " \"pooling_mode_mean_tokens\": true}");
    EmbedderOptions opts = EmbedderOptions.builder()
        .onnx(OnnxOptions.builder().variant("quantized").intraOpThreads(2).build()).build();
    String text = MathTexts.TRIPLES.get(0).problem();
    try (OnnxEmbedder e = OnnxEmbedder.open(dir, opts)) {
      assertEquals(256, e.maxLength());
      assertEquals(EmbedderOptions.Pooling.MEAN, e.pooling());
      assertArrayEquals(quantized.embed(text), e.embed(text));
    }
    Files.writeString(dir.resolve("1_Pooling").resolve("config.json"),
        "{\"pooling_mode_cls_token\": true, \"pooling_mode_mean_tokens\": false}");
    try (OnnxEmbedder e = OnnxEmbedder.open(dir, opts)) {
      assertEquals(EmbedderOptions.Pooling.CLS, e.pooling());
      double c = cosine(quantized.embed(text), e.embed(text));
      assertTrue(c < 0.999, "CLS pooling gives a different vector, cosine " + c);
    }
  }

  @Test
  void concurrentCallsShareTheSessionAndGetTheSameVectors() throws Exception {
    List<String> texts = new ArrayList<>();
    for (MathTexts.Triple t : MathTexts.TRIPLES) {
      texts.add(t.paraphrase());
    }
    float[][] expected = quantized.embed(texts);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<float[][]>> futures = new ArrayList<>();
      for (int k = 0; k < 4; k++) {
        futures.add(pool.submit(() -> quantized.embed(texts)));
      }
      for (java.util.concurrent.Future<float[][]> f : futures) {
        float[][] got = f.get();
        for (int i = 0; i < texts.size(); i++) {
          assertArrayEquals(expected[i], got[i]);
        }
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(0, quantized.openNativeValues());
  }

  @Test
  void requestingCudaRunsOnItOrFallsBackToTheCpu() {
    EmbedderOptions cuda = EmbedderOptions.builder()
        .onnx(OnnxOptions.builder().device(OnnxOptions.Device.CUDA).intraOpThreads(2).build())
        .build();
    String text = MathTexts.TRIPLES.get(2).problem();
    try (OnnxEmbedder e = MiniLm.FP32.open(cuda)) {
      double c = cosine(fp32.embed(text), e.embed(text));
      System.out.printf("CUDA requested: running on %s, cosine to the CPU vector %.6f%n",
          e.onCuda() ? "CUDA" : "CPU", c);
      assertTrue(c > 0.9999, "cosine " + c);
    }
  }

  @Test
  void emptyInputGivesNoVectorsAndNoRun() {
    long runs = fp32.runs();
    assertEquals(0, fp32.embed(List.of()).length);
    assertEquals(runs, fp32.runs());
  }

  private static double maxDiff(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  private static void assertMaxDiff(float[] a, float[] b, double tol) {
    double m = maxDiff(a, b);
    assertTrue(m <= tol, "max difference " + m + " > " + tol);
  }
}
