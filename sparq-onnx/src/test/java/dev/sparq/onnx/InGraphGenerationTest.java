package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.FinishReason;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.onnx.proto.GenerationGraph;
import dev.sparq.onnx.testing.TinyDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-graph path (ONNX Runtime's GreedySearch / Sampling operators around the rewritten
 * decoder) against the Java loop on the same files.
 */
class InGraphGenerationTest {
  @TempDir static Path tmp;
  static TinyDecoder decoder;
  static Path dir;
  static OnnxLanguageModel loop;
  static OnnxLanguageModel graph;

  static OnnxOptions opts(GenerationPath path) {
    return OnnxOptions.builder().intraOpThreads(1).generation(path).build();
  }

  @BeforeAll
  static void setUp() throws IOException {
    decoder = new TinyDecoder(TinyDecoder.Spec.tiny());
    dir = decoder.writeTo(tmp.resolve("tiny"));
    loop = OnnxLanguageModel.open(dir, opts(GenerationPath.JAVA_LOOP));
    graph = OnnxLanguageModel.open(dir, opts(GenerationPath.IN_GRAPH));
  }

  @AfterAll
  static void tearDown() {
    loop.close();
    graph.close();
  }

  static SamplingParams greedy(int maxTokens) {
    return SamplingParams.builder().temperature(0).maxTokens(maxTokens).build();
  }

  /** Prompts of different lengths (so batches are left-padded), one holding the pad id. */
  static List<long[]> prompts(OnnxLanguageModel m) {
    List<long[]> out = new ArrayList<>();
    for (String s : List.of("the cat", "a much longer prompt about the weather in the hills",
        "x", "<|endoftext|> then more text", "numbers 1 2 3 4 5 6 7")) {
      out.add(m.tokenizer().encode(s));
    }
    return out;
  }

  static void assertSame(List<List<Completion>> expected, List<List<Completion>> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i), actual.get(i), "prompt " + i);
    }
  }

  /** Runs and checks the in-graph path really ran: one session run per chunk. */
  static List<List<Completion>> inGraph(List<long[]> prompts, SamplingParams p) {
    long before = graph.stats().runs();
    List<List<Completion>> out = graph.completeTokens(prompts, p);
    assertEquals(1, graph.stats().runs() - before, "one run of the generation operator");
    return out;
  }

  @Test
  void greedyEqualsJavaLoopOneByOneAndLeftPadded() {
    List<long[]> ps = prompts(loop);
    SamplingParams p = greedy(40);
    List<List<Completion>> batch = loop.completeTokens(ps, p);
    assertSame(batch, inGraph(ps, p));
    for (int i = 0; i < ps.size(); i++) {
      assertSame(batch.subList(i, i + 1), inGraph(List.of(ps.get(i)), p));
    }
    assertTrue(batch.get(0).get(0).completionTokens() > 0);
    List<Path> wrappers = wrappers(dir);
    assertTrue(wrappers.contains(dir.resolve("onnx").resolve(
        graph.inGraphWrapper().getFileName())), "the wrapper is cached beside the model");
    inGraph(ps, p);
    assertEquals(wrappers, wrappers(dir), "and reused");
  }

  static List<Path> wrappers(Path model) {
    try (Stream<Path> files = Files.list(model.resolve("onnx"))) {
      return files.filter(f -> f.getFileName().toString().contains(".sparq-gen-")).sorted()
          .toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void greedyNSamplesAreCopies() {
    List<long[]> ps = prompts(loop).subList(0, 2);
    SamplingParams p = greedy(12).toBuilder().n(3).build();
    assertSame(loop.completeTokens(ps, p), inGraph(ps, p));
  }

  @Test
  void stopStringsAndMaxTokensMatchTheJavaLoop() {
    List<long[]> ps = prompts(loop);
    List<List<Completion>> plain = loop.completeTokens(ps, greedy(30));
    String text = plain.get(1).get(0).text();
    assertTrue(text.length() > 8, text);
    String stop = text.substring(4, 7);
    SamplingParams p = greedy(30).toBuilder().stop(List.of(stop, "zzz-never")).build();
    List<List<Completion>> expected = loop.completeTokens(ps, p);
    assertEquals(FinishReason.STOP, expected.get(1).get(0).finishReason());
    assertSame(expected, inGraph(ps, p));
    assertSame(loop.completeTokens(ps, greedy(1)), inGraph(ps, greedy(1)));
  }

  /**
   * A second EOS id (from generation_config.json) that greedy decoding produces: the operator
   * knows one EOS id, the others are folded into it, and rows still stop where the Java loop does.
   */
  @Test
  void everyEosIdStopsARow() throws IOException {
    Path d = decoder.writeTo(tmp.resolve("eos"));
    long[] prompt = loop.tokenizer().encode("a much longer prompt about the weather in the hills");
    List<Integer> tokens = new ArrayList<>();
    loop.observer((pr, s, step, l, token, rows) -> tokens.add(token));
    try {
      loop.completeTokens(List.of(prompt), greedy(12));
    } finally {
      loop.observer(null);
    }
    assertTrue(tokens.size() >= 6, "generated " + tokens);
    int extra = tokens.get(5);
    ObjectMapper om = new ObjectMapper();
    ObjectNode gen = (ObjectNode) om.readTree(d.resolve("generation_config.json").toFile());
    gen.putArray("eos_token_id").add(decoder.vocab().id("<|im_end|>"))
        .add(decoder.vocab().id("<|endoftext|>")).add(extra);
    om.writeValue(d.resolve("generation_config.json").toFile(), gen);
    try (OnnxLanguageModel a = OnnxLanguageModel.open(d, opts(GenerationPath.JAVA_LOOP));
        OnnxLanguageModel b = OnnxLanguageModel.open(d, opts(GenerationPath.IN_GRAPH))) {
      List<long[]> ps = List.of(prompt, a.tokenizer().encode("the cat"));
      List<List<Completion>> expected = a.completeTokens(ps, greedy(12));
      assertEquals(FinishReason.STOP, expected.get(0).get(0).finishReason());
      assertEquals(tokens.indexOf(extra) + 1, expected.get(0).get(0).completionTokens());
      assertSame(expected, b.completeTokens(ps, greedy(12)));
    }
  }

  @Test
  void seededSamplingRepeatsAndDoesNotDependOnThreads() {
    List<long[]> ps = prompts(loop);
    SamplingParams p = SamplingParams.builder().temperature(1.0).maxTokens(20).seed(7).n(2).build();
    List<List<Completion>> a = inGraph(ps, p);
    assertSame(a, inGraph(ps, p));
    try (OnnxLanguageModel two = OnnxLanguageModel.open(dir, OnnxOptions.builder()
        .intraOpThreads(2).generation(GenerationPath.IN_GRAPH).build())) {
      assertSame(a, two.completeTokens(ps, p));
    }
    List<List<Completion>> b = inGraph(ps, p.toBuilder().seed(8).build());
    assertNotEquals(a, b, "another seed, other samples");
    assertNotEquals(a.get(0).get(0), a.get(0).get(1), "the samples of a prompt differ");
  }

  /** Top-k 1, and min-p 1, leave only the most likely token: sampling becomes greedy. */
  @Test
  void topKOneAndMinPOneAreGreedy() {
    List<long[]> ps = prompts(loop);
    List<List<Completion>> expected = loop.completeTokens(ps, greedy(25));
    SamplingParams k1 = SamplingParams.builder().temperature(0.9).topK(1).maxTokens(25).seed(3)
        .build();
    assertSame(expected, inGraph(ps, k1));
    SamplingParams p1 = SamplingParams.builder().temperature(1.3).minP(1.0).maxTokens(25).seed(3)
        .build();
    assertSame(expected, inGraph(ps, p1));
    SamplingParams wide = SamplingParams.builder().temperature(1.3).topK(50).maxTokens(25).seed(3)
        .build();
    assertNotEquals(expected, inGraph(ps, wide), "top-k 50 at temperature 1.3 samples");
  }

  /** Qwen2.5's logits width: 151,936 tokens. */
  @Test
  void largeVocabularyGreedyEqualsJavaLoop() throws IOException {
    TinyDecoder big = new TinyDecoder(TinyDecoder.Spec.largeVocab());
    assertEquals(151_936, big.vocab().size());
    Path d = big.writeTo(tmp.resolve("large"));
    try (OnnxLanguageModel a = OnnxLanguageModel.open(d, opts(GenerationPath.JAVA_LOOP));
        OnnxLanguageModel g = OnnxLanguageModel.open(d, opts(GenerationPath.IN_GRAPH))) {
      List<long[]> ps = prompts(a);
      List<List<Completion>> expected = a.completeTokens(ps, greedy(16));
      long before = g.stats().runs();
      assertSame(expected, g.completeTokens(ps, greedy(16)));
      assertEquals(1, g.stats().runs() - before);
      assertSame(expected.subList(1, 2), g.completeTokens(ps.subList(1, 2), greedy(16)));
    }
  }

  /** Without any EOS id rows run to max_tokens on both paths. */
  @Test
  void modelWithoutEosRunsToMaxTokens() throws IOException {
    Path d = decoder.writeTo(tmp.resolve("noeos"));
    ObjectMapper om = new ObjectMapper();
    for (String f : List.of("config.json", "generation_config.json", "tokenizer_config.json")) {
      ObjectNode n = (ObjectNode) om.readTree(d.resolve(f).toFile());
      n.remove("eos_token_id");
      n.remove("eos_token");
      om.writeValue(d.resolve(f).toFile(), n);
    }
    try (OnnxLanguageModel a = OnnxLanguageModel.open(d, opts(GenerationPath.JAVA_LOOP));
        OnnxLanguageModel g = OnnxLanguageModel.open(d, opts(GenerationPath.IN_GRAPH))) {
      List<long[]> ps = prompts(a);
      List<List<Completion>> expected = a.completeTokens(ps, greedy(50));
      for (List<Completion> c : expected) {
        assertEquals(50, c.get(0).completionTokens());
      }
      long before = g.stats().runs();
      assertSame(expected, g.completeTokens(ps, greedy(50)));
      assertEquals(1, g.stats().runs() - before);
    }
  }

  /**
   * Weights in {@code model.onnx_data}: the wrapper beside the model finds them; when it cannot be
   * written there it is loaded from memory, still reads the data beside the model, and nothing in
   * the shared temporary directory is trusted.
   */
  @Test
  void externalDataBesideTheModelAndFromMemory() throws IOException {
    Path d = decoder.writeTo(tmp.resolve("external"));
    decoder.graph(d.resolve("onnx/model.onnx_data")).write(d.resolve("onnx/model.onnx"));
    assertTrue(Files.size(d.resolve("onnx/model.onnx_data")) > Files.size(d.resolve("onnx/model.onnx")));
    List<long[]> ps = prompts(loop);
    List<List<Completion>> expected = loop.completeTokens(ps, greedy(20));
    Path beside;
    try (OnnxLanguageModel g = OnnxLanguageModel.open(d, opts(GenerationPath.IN_GRAPH))) {
      assertSame(expected, g.completeTokens(ps, greedy(20)));
      beside = g.inGraphWrapper();
      assertEquals(d.resolve("onnx"), beside.getParent());
    }
    // A directory where the wrapper would go: it cannot be written beside the model.
    Files.delete(beside);
    Files.createDirectories(beside.resolve("blocked"));
    // Someone else's file where an older version cached the wrapper in the shared temporary
    // directory: it must not be loaded.
    String hash = beside.getFileName().toString().replaceAll(".*\\.sparq-gen-(\\w+)\\.onnx", "$1");
    Path shared = Path.of(System.getProperty("java.io.tmpdir"), "sparq-onnx-wrappers", hash);
    Path planted = shared.resolve(beside.getFileName());
    boolean plantedHere = !Files.exists(planted);
    if (plantedHere) {
      Files.createDirectories(shared);
      Files.write(planted, "not a model".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    try (OnnxLanguageModel g = OnnxLanguageModel.open(d, opts(GenerationPath.IN_GRAPH))) {
      assertSame(expected, g.completeTokens(ps, greedy(20)));
      assertNull(g.inGraphWrapper(), "the wrapper is loaded from memory");
      assertEquals(1L, g.stats().runs(), "the in-graph path ran");
    } finally {
      if (plantedHere) {
        Files.delete(planted);
        try {
          Files.delete(shared);
        } catch (java.nio.file.DirectoryNotEmptyException | java.nio.file.NoSuchFileException e) {
          // another run's files
        }
      }
    }
    try (Stream<Path> files = Files.list(d.resolve("onnx"))) {
      assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList(),
          "no temporary file left beside the model");
    }
  }

  @Test
  void float16KvAndLogitsGiveTheJavaLoopTokens() throws IOException {
    Path d = decoder.writeTo(tmp.resolve("half"));
    decoder.writeHalfVariant(d);
    OnnxOptions.Builder b = OnnxOptions.builder().intraOpThreads(1).variant("fp16");
    try (OnnxLanguageModel a = OnnxLanguageModel.open(d, b.generation(GenerationPath.JAVA_LOOP)
            .build());
        OnnxLanguageModel g = OnnxLanguageModel.open(d, b.generation(GenerationPath.IN_GRAPH)
            .build())) {
      List<long[]> ps = prompts(a);
      assertSame(a.completeTokens(ps, greedy(30)), g.completeTokens(ps, greedy(30)));
    }
  }

  @Test
  void mergedDecoderWithCacheBranchInput() throws IOException {
    Path d = decoder.writeTo(tmp.resolve("merged"));
    decoder.writeMergedStyleVariant(d);
    OnnxOptions.Builder b = OnnxOptions.builder().intraOpThreads(1).variant("merged");
    try (OnnxLanguageModel a = OnnxLanguageModel.open(d, b.generation(GenerationPath.JAVA_LOOP)
            .build());
        OnnxLanguageModel g = OnnxLanguageModel.open(d, b.generation(GenerationPath.IN_GRAPH)
            .build())) {
      List<long[]> ps = prompts(a);
      assertSame(a.completeTokens(ps, greedy(20)), g.completeTokens(ps, greedy(20)));
    }
  }

  @Test
  void numLogitsToKeepDecoder() throws IOException {
    TinyDecoder k = new TinyDecoder(TinyDecoder.Spec.tiny().withNumLogitsToKeep());
    Path d = k.writeTo(tmp.resolve("keep"));
    try (OnnxLanguageModel g = OnnxLanguageModel.open(d, opts(GenerationPath.IN_GRAPH))) {
      List<long[]> ps = prompts(g);
      assertSame(loop.completeTokens(ps, greedy(20)), g.completeTokens(ps, greedy(20)));
    }
  }

  /** What the graph cannot do goes to the Java loop, whose results it then gives. */
  @Test
  void unsupportedRequestsFallBackToTheJavaLoop() {
    List<long[]> ps = prompts(loop);
    SamplingParams pen = greedy(10).toBuilder().repetitionPenalty(1.3).build();
    long before = graph.stats().runs();
    assertSame(loop.completeTokens(ps, pen), graph.completeTokens(ps, pen));
    assertTrue(graph.stats().runs() - before > 2, "the Java loop ran, one run per token");
    SamplingParams ctx = greedy(TinyDecoder.Spec.tiny().maxPositions());
    assertSame(loop.completeTokens(ps, ctx), graph.completeTokens(ps, ctx));
  }

  @Test
  void rewriteNamesWhatItCannotHandle() throws IOException {
    TinyDecoder.Spec spec = TinyDecoder.Spec.tiny();
    byte[] model = Files.readAllBytes(dir.resolve("onnx/model.onnx"));
    GenerationGraph.Config c = new GenerationGraph.Config(GenerationGraph.Search.GREEDY, 1,
        new int[0], 0, spec.layers() + 1, spec.heads(), spec.headDim(), decoder.vocab().size(),
        false, false, 1f);
    GenerationGraph.UnsupportedModelException e = assertThrows(
        GenerationGraph.UnsupportedModelException.class,
        () -> GenerationGraph.rewrite(ByteBuffer.wrap(model), c));
    assertTrue(e.getMessage().contains("past_key_values.2.key"), e.getMessage());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> GenerationGraph.rewrite(ByteBuffer.wrap(java.util.Arrays.copyOf(model, 1000)), c));
    assertTrue(bad.getMessage().contains("truncated"), bad.getMessage());
  }
}
