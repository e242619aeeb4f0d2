package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.FinishReason;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.llm.TokenUsage;
import dev.sparq.onnx.testing.TinyDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generation with the KV cache against recomputation and the plain-Java reference. */
class OnnxGenerationTest {
  @TempDir static Path tmp;
  static TinyDecoder decoder;
  static Path dir;
  static OnnxLanguageModel model;

  static final OnnxOptions OPTS = OnnxOptions.builder().intraOpThreads(1).build();

  @BeforeAll
  static void setUp() throws IOException {
    decoder = new TinyDecoder(TinyDecoder.Spec.tiny());
    dir = decoder.writeTo(tmp.resolve("tiny"));
    model = OnnxLanguageModel.open(dir, OPTS);
  }

  @AfterAll
  static void tearDown() {
    model.close();
  }

  static SamplingParams greedy(int maxTokens) {
    return SamplingParams.builder().temperature(0).maxTokens(maxTokens).build();
  }

  /** Records the observer's calls. */
  static final class Trace implements OnnxLanguageModel.TokenObserver {
    final Map<String, List<float[]>> logits = new HashMap<>();
    final Map<String, List<Integer>> tokens = new HashMap<>();
    final List<Integer> batchRows = new ArrayList<>();

    @Override
    public synchronized void onToken(int prompt, int sample, int step, float[] l, int token, int rows) {
      String key = prompt + "/" + sample;
      logits.computeIfAbsent(key, k -> new ArrayList<>()).add(l);
      tokens.computeIfAbsent(key, k -> new ArrayList<>()).add(token);
      batchRows.add(rows);
    }
  }

  static Trace trace(OnnxLanguageModel m, Runnable r) {
    Trace t = new Trace();
    m.observer(t);
    try {
      r.run();
    } finally {
      m.observer(null);
    }
    return t;
  }

  static long[] concat(long[] a, List<Integer> b, int upTo) {
    long[] r = Arrays.copyOf(a, a.length + upTo);
    for (int i = 0; i < upTo; i++) {
      r[a.length + i] = b.get(i);
    }
    return r;
  }

  static void assertClose(float[] expected, float[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tol, what + " logit " + i);
    }
  }

  @Test
  void decodeWithCacheEqualsRecomputeWithoutIt() {
    long[] prompt = model.promptTokens(ChatRequest.user("the cat sat"));
    Trace cached = trace(model, () -> model.completeTokens(List.of(prompt), greedy(12)));
    List<float[]> steps = cached.logits.get("0/0");
    List<Integer> chain = cached.tokens.get("0/0");
    assertEquals(12, steps.size());
    for (int k = 1; k < steps.size(); k++) {
      long[] full = concat(prompt, chain, k);
      Trace recomputed = trace(model, () -> model.completeTokens(List.of(full), greedy(1)));
      assertClose(recomputed.logits.get("0/0").get(0), steps.get(k), 1e-4, "step " + k);
    }
  }

  @Test
  void greedyEqualsReferenceArgmaxChain() {
    long[] prompt = model.promptTokens(ChatRequest.of("Be brief.", "solve 2+2 é"));
    Trace t = trace(model, () -> model.completeTokens(List.of(prompt), greedy(10)));
    List<Integer> chain = t.tokens.get("0/0");
    int[] seq = new int[prompt.length + chain.size()];
    for (int i = 0; i < prompt.length; i++) {
      seq[i] = (int) prompt[i];
    }
    for (int i = 0; i < chain.size(); i++) {
      seq[prompt.length + i] = chain.get(i);
    }
    float[][] ref = decoder.referenceLogits(seq);
    for (int k = 0; k < chain.size(); k++) {
      float[] r = ref[prompt.length + k - 1];
      int arg = 0;
      for (int v = 1; v < r.length; v++) {
        if (r[v] > r[arg]) {
          arg = v;
        }
      }
      assertEquals(arg, (int) chain.get(k), "reference argmax at step " + k);
      assertClose(r, t.logits.get("0/0").get(k), 1e-3, "reference logits at step " + k);
    }
  }

  static List<long[]> prompts() {
    return Stream.of("hi", "what is the sum of the first ten primes?", "x", "in the end")
        .map(s -> model.promptTokens(ChatRequest.user(s))).toList();
  }

  @Test
  void leftPaddedBatchEqualsOneByOne() {
    List<long[]> ps = prompts();
    assertTrue(ps.get(1).length > ps.get(0).length + 10, "prompts must differ in length");
    SamplingParams p = SamplingParams.builder().temperature(0.8).topK(40).seed(3).maxTokens(8).build();
    Trace batch = new Trace();
    model.observer(batch);
    List<List<Completion>> together = model.completeTokens(ps, p);
    model.observer(null);
    for (int i = 0; i < ps.size(); i++) {
      int idx = i;
      List<List<Completion>>[] single = new List[1];
      Trace one = trace(model, () -> single[0] = model.completeTokens(List.of(ps.get(idx)), p));
      assertEquals(single[0].get(0), together.get(i), "prompt " + i);
      List<float[]> a = batch.logits.get(i + "/0");
      List<float[]> b = one.logits.get("0/0");
      assertEquals(b.size(), a.size());
      for (int k = 0; k < a.size(); k++) {
        assertClose(b.get(k), a.get(k), 1e-4, "prompt " + i + " step " + k);
      }
    }
  }

  @Test
  void seededSamplingRepeatsAndSeedsMatter() {
    List<long[]> ps = prompts();
    SamplingParams p = SamplingParams.builder().temperature(1.0).topP(0.95).minP(0.01).n(3)
        .seed(11).maxTokens(10).build();
    List<List<Completion>> a = model.completeTokens(ps, p);
    List<List<Completion>> b = model.completeTokens(ps, p);
    assertEquals(a, b);
    List<List<Completion>> c = model.completeTokens(ps, p.toBuilder().seed(12).build());
    assertNotEquals(a, c);
    // Samples of one request differ from each other (different per-sample seeds).
    assertNotEquals(a.get(1).get(0).text(), a.get(1).get(1).text());
  }

  @Test
  void nSamplesFromSharedPrefillEqualIndependentRuns() {
    List<long[]> ps = prompts().subList(0, 2);
    SamplingParams p = SamplingParams.builder().temperature(1.2).topK(100).n(4).seed(100)
        .maxTokens(9).repetitionPenalty(1.3).build();
    long runsBefore = model.stats().runs();
    List<List<Completion>> shared = model.completeTokens(ps, p);
    for (int j = 0; j < 4; j++) {
      SamplingParams one = p.toBuilder().n(1).seed(100 + j).build();
      List<List<Completion>> indep = model.completeTokens(ps, one);
      for (int i = 0; i < ps.size(); i++) {
        assertEquals(indep.get(i).get(0), shared.get(i).get(j), "prompt " + i + " sample " + j);
      }
    }
    assertTrue(runsBefore >= 0);
  }

  /** A copy of the model whose generation_config lists extra EOS ids. */
  static Path withEos(String name, long... ids) throws IOException {
    Path copy = tmp.resolve(name);
    Files.createDirectories(copy.resolve("onnx"));
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, copy.resolve(dir.relativize(f).toString()));
      }
    }
    ObjectMapper om = new ObjectMapper();
    ObjectNode gen = (ObjectNode) om.readTree(copy.resolve("generation_config.json").toFile());
    for (long id : ids) {
      gen.withArray("eos_token_id").add(id);
    }
    om.writeValue(copy.resolve("generation_config.json").toFile(), gen);
    return copy;
  }

  @Test
  void eosEndsRowAndFinishedRowsLeaveTheBatch() throws IOException {
    List<long[]> ps = prompts().subList(0, 2);
    Trace t = trace(model, () -> model.completeTokens(ps, greedy(12)));
    List<Integer> a = t.tokens.get("0/0");
    List<Integer> b = t.tokens.get("1/0");
    int k = -1;
    for (int i = 2; i < 8; i++) {
      if (!a.subList(0, i).contains(a.get(i)) && !b.contains(a.get(i))) {
        k = i;
        break;
      }
    }
    assertTrue(k > 0, "need a token that only ends prompt 0");
    long eos = a.get(k);
    try (OnnxLanguageModel m = OnnxLanguageModel.open(withEos("eos", eos), OPTS)) {
      Trace t2 = trace(m, () -> { });
      m.observer(t2);
      List<List<Completion>> out = m.completeTokens(ps, greedy(12));
      m.observer(null);
      Completion c = out.get(0).get(0);
      assertEquals(FinishReason.STOP, c.finishReason());
      assertEquals(k + 1, c.completionTokens());
      long[] before = a.subList(0, k).stream().mapToLong(Integer::longValue).toArray();
      assertEquals(m.tokenizer().decode(before, true), c.text());
      Completion other = out.get(1).get(0);
      assertEquals(FinishReason.LENGTH, other.finishReason());
      assertEquals(12, other.completionTokens());
      // token usage: each prompt once, every generated token (EOS included)
      assertEquals(new TokenUsage(ps.get(0).length + ps.get(1).length, (k + 1) + 12),
          m.tokenUsage());
      // Steps after prompt 0 finished ran with one row.
      List<Integer> rows = t2.batchRows;
      assertEquals(2, (int) rows.get(0));
      assertEquals(1, (int) rows.get(rows.size() - 1));
      assertEquals(0, m.openNativeValues());
    }
  }

  @Test
  void stopStringEndsRowAndIsCutFromText() {
    long[] prompt = prompts().get(1);
    Completion full = model.completeTokens(List.of(prompt), greedy(16)).get(0).get(0);
    assertEquals(FinishReason.LENGTH, full.finishReason());
    assertEquals(16, full.completionTokens());
    String text = full.text();
    assertTrue(text.length() >= 8, text);
    String stop = text.substring(5, 8);
    int at = text.indexOf(stop);
    Completion cut = model.completeTokens(List.of(prompt),
        greedy(16).toBuilder().stop(stop, "\u0000never").build()).get(0).get(0);
    assertEquals(FinishReason.STOP, cut.finishReason());
    assertEquals(text.substring(0, at), cut.text());
    assertTrue(cut.completionTokens() < 16);
  }

  @Test
  void chatRequestsGoThroughTheTemplate() {
    List<List<Completion>> out = model.complete(
        List.of(ChatRequest.user("a"), ChatRequest.of("sys", "b")), greedy(4).toBuilder().n(2).build());
    assertEquals(2, out.size());
    for (List<Completion> cs : out) {
      assertEquals(2, cs.size());
      assertEquals(cs.get(0), cs.get(1), "greedy samples agree");
      assertTrue(cs.get(0).promptTokens() > 10);
    }
    String rendered = model.chatTemplate().render(ChatRequest.user("a").messages(), true);
    assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        + "<|im_start|>user\na<|im_end|>\n<|im_start|>assistant\n", rendered);
  }

  @Test
  void thousandCallsLeaveNoOpenNativeValues() {
    List<long[]> ps = prompts().subList(0, 2);
    SamplingParams p = SamplingParams.builder().temperature(1.0).n(2).seed(1).maxTokens(3).build();
    long created = model.createdNativeValues();
    for (int i = 0; i < 1000; i++) {
      model.completeTokens(ps, p);
      assertEquals(0, model.openNativeValues(), "after call " + i);
    }
    assertTrue(model.createdNativeValues() - created >= 1000 * 5, "values were created and closed");
  }

  @Test
  void numLogitsToKeepModelGivesTheSameOutput() throws IOException {
    Path d2 = new TinyDecoder(TinyDecoder.Spec.tiny().withNumLogitsToKeep()).writeTo(tmp.resolve("keep"));
    SamplingParams p = SamplingParams.builder().temperature(0.7).seed(5).n(2).maxTokens(8).build();
    try (OnnxLanguageModel m = OnnxLanguageModel.open(d2, OPTS)) {
      assertEquals(model.completeTokens(prompts(), p), m.completeTokens(prompts(), p));
    }
  }

  @Test
  void cudaRequestFallsBackToCpuWhenUnavailable() {
    OnnxOptions cuda = OnnxOptions.builder().device(OnnxOptions.Device.CUDA).intraOpThreads(1).build();
    try (OnnxLanguageModel m = OnnxLanguageModel.open(dir, cuda)) {
      SamplingParams p = greedy(5);
      assertEquals(model.completeTokens(prompts(), p), m.completeTokens(prompts(), p));
    }
  }

  @Test
  void tokenIdsOutsideTheVocabularyAreRefusedNamingPromptAndPosition() {
    long vocab = ModelDirectory.read(dir, "fp32").configLong("vocab_size", -1);
    // -1 used to be read from the end of the embedding table and generate as if it were valid
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
        () -> model.completeTokens(List.of(new long[] {5, 6}, new long[] {7, -1}), greedy(2)));
    assertTrue(negative.getMessage().startsWith("prompt 1, token 1: id -1 is not in the model's"
        + " vocabulary (ids 0 to " + (vocab - 1) + ")"), negative.getMessage());
    IllegalArgumentException large = assertThrows(IllegalArgumentException.class,
        () -> model.completeTokens(List.of(new long[] {vocab}), greedy(2)));
    assertTrue(large.getMessage().contains("id " + vocab + " is not"), large.getMessage());
    assertEquals(0, model.openNativeValues());
  }

  @Test
  void aClosedModelSaysSoAndClosingTwiceIsHarmless() {
    OnnxLanguageModel m = OnnxLanguageModel.open(dir, OPTS);
    m.close();
    m.close();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> m.completeTokens(prompts(), greedy(2)));
    assertTrue(e.getMessage().contains("is closed"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> m.promptTokens(ChatRequest.user("hi")));
  }

  @Test
  void maxTokensGivesLengthFinish() {
    List<List<Completion>> out = model.completeTokens(prompts(),
        SamplingParams.builder().temperature(1).seed(2).maxTokens(1).build());
    for (List<Completion> cs : out) {
      assertEquals(1, cs.get(0).completionTokens());
      assertTrue(cs.get(0).finishReason() == FinishReason.LENGTH
          || cs.get(0).finishReason() == FinishReason.STOP);
    }
  }

  @Test
  void concurrentCallsGiveTheSameResultsAsSequentialOnes() throws Exception {
    List<long[]> ps = prompts();
    List<SamplingParams> params = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      params.add(SamplingParams.builder().temperature(1).n(2).seed(50 + i).maxTokens(6).build());
    }
    List<List<List<Completion>>> sequential = new ArrayList<>();
    for (SamplingParams p : params) {
      sequential.add(model.completeTokens(ps, p));
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
    try {
      List<java.util.concurrent.Future<List<List<Completion>>>> fs = new ArrayList<>();
      for (SamplingParams p : params) {
        fs.add(pool.submit(() -> model.completeTokens(ps, p)));
      }
      for (int i = 0; i < params.size(); i++) {
        assertEquals(sequential.get(i), fs.get(i).get());
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(0, model.openNativeValues());
  }

  @Test
  void parallelRowSamplingGivesTheSameResults() {
    List<long[]> ps = prompts();
    SamplingParams p = SamplingParams.builder().temperature(1).topP(0.9).n(4).seed(9).maxTokens(8)
        .repetitionPenalty(1.1).build();
    List<List<Completion>> sequential = model.completeTokens(ps, p);
    long saved = OnnxLanguageModel.parallelSamplingElements;
    OnnxLanguageModel.parallelSamplingElements = 1;
    try {
      assertEquals(sequential, model.completeTokens(ps, p));
    } finally {
      OnnxLanguageModel.parallelSamplingElements = saved;
    }
  }

  @Test
  void contextLengthEndsRowsWithLength() {
    long[] prompt = new long[250]; // the tiny model has 256 positions
    Arrays.fill(prompt, 70);
    long[] shortPrompt = {70, 71};
    List<List<Completion>> out = model.completeTokens(List.of(prompt, shortPrompt),
        SamplingParams.builder().temperature(1).seed(3).maxTokens(20).build());
    // Positions 250..255 are fed back (6 tokens); the 7th is sampled from position 255's logits.
    Completion c = out.get(0).get(0);
    assertTrue(c.completionTokens() == 7 || c.finishReason() == FinishReason.STOP, c.toString());
    if (c.finishReason() == FinishReason.LENGTH) {
      assertEquals(7, c.completionTokens());
    }
    assertTrue(out.get(1).get(0).completionTokens() >= 1);
    assertThrows(dev.sparq.core.ModelException.class,
        () -> model.completeTokens(List.of(new long[256]), greedy(1)));
  }

  @Test
  void useCacheBranchInputIsFed() throws IOException {
    decoder.writeMergedStyleVariant(dir);
    SamplingParams p = SamplingParams.builder().temperature(0.9).seed(21).n(2).maxTokens(6).build();
    try (OnnxLanguageModel m = OnnxLanguageModel.open(dir,
        OnnxOptions.builder().intraOpThreads(1).variant("merged").build())) {
      assertEquals(model.completeTokens(prompts(), p), m.completeTokens(prompts(), p));
      assertEquals(0, m.openNativeValues());
    }
  }

  @Test
  void prefillIsSplitWhenItsLogitsWouldBeTooLarge() {
    List<long[]> ps = prompts();
    SamplingParams p = SamplingParams.builder().temperature(1).seed(33).n(2).maxTokens(5).build();
    List<List<Completion>> together = model.completeTokens(ps, p);
    long saved = OnnxLanguageModel.prefillLogitsBytes;
    OnnxLanguageModel.prefillLogitsBytes = 1; // one prompt per prefill
    try {
      Trace t = trace(model, () -> assertEquals(together, model.completeTokens(ps, p)));
      assertEquals(2, (int) t.batchRows.get(0), "each prefill held one prompt (two samples)");
    } finally {
      OnnxLanguageModel.prefillLogitsBytes = saved;
    }
  }
}
