package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.ModelException;
import dev.sparq.onnx.proto.OnnxGraphBuilder;
import dev.sparq.onnx.testing.TinyDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirectoryTest {
  @TempDir Path tmp;

  @Test
  void readsTheOptimumLayout() throws IOException {
    Path dir = new TinyDecoder(TinyDecoder.Spec.tiny()).writeTo(tmp.resolve("m"));
    ModelDirectory d = ModelDirectory.read(dir, "fp32");
    assertEquals(dir.resolve("onnx/model.onnx"), d.modelFile());
    assertEquals("<|im_end|>", d.eosToken());
    dev.sparq.onnx.testing.ByteLevelVocab v = new dev.sparq.onnx.testing.ByteLevelVocab();
    // generation_config.json lists two ids, config.json one of them.
    assertEquals(Set.of((long) v.id("<|im_end|>"), (long) v.id("<|endoftext|>")), d.eosIds());
    assertEquals(256, d.configLong("max_position_embeddings", -1));
  }

  @Test
  void variantsPickFiles() throws IOException {
    Path dir = new TinyDecoder(TinyDecoder.Spec.tiny()).writeTo(tmp.resolve("m"));
    Files.copy(dir.resolve("onnx/model.onnx"), dir.resolve("onnx/model_q4.onnx"));
    assertEquals(dir.resolve("onnx/model_q4.onnx"), ModelDirectory.read(dir, "q4").modelFile());
    ModelException e = assertThrows(ModelException.class, () -> ModelDirectory.read(dir, "fp16"));
    assertTrue(e.getMessage().contains("onnx/model_fp16.onnx is missing"), e.getMessage());
    assertTrue(e.getMessage().contains("variants present: fp32, q4"), e.getMessage());
  }

  @Test
  void oneErrorNamesEverythingMissing() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("empty"));
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
    Files.writeString(dir.resolve("config.json"), "{not json");
    ModelException e = assertThrows(ModelException.class, () -> ModelDirectory.read(dir, "fp32"));
    String m = e.getMessage();
    for (String part : new String[] {"config.json: invalid JSON", "tokenizer.json is missing",
        "'chat_template' is missing", "onnx/model.onnx is missing", "no onnx/ folder"}) {
      assertTrue(m.contains(part), "'" + part + "' in: " + m);
    }
  }

  @Test
  void configCountsThatAreNotWholeNumbersAreNamedInsteadOfSkipped() throws IOException {
    Path dir = new TinyDecoder(TinyDecoder.Spec.tiny()).writeTo(tmp.resolve("m"));
    Path config = dir.resolve("config.json");
    String good = Files.readString(config);
    // each of these used to open: the layer check was skipped, or every request failed later
    Files.writeString(config, "[1, 2]");
    assertTrue(assertThrows(ModelException.class, () -> ModelDirectory.read(dir, "fp32"))
        .getMessage().contains("config.json: must be a JSON object, is array"));
    Files.writeString(config, good.replaceFirst("\\{", "{\"text_config\": {\"head_dim\": 0}, ")
        .replaceFirst("\"num_hidden_layers\"\\s*:\\s*\\d+", "\"num_hidden_layers\": \"two\""));
    Files.writeString(config, Files.readString(config)
        .replaceFirst("\"max_position_embeddings\"\\s*:\\s*256", "\"max_position_embeddings\": -5"));
    String m = assertThrows(ModelException.class, () -> ModelDirectory.read(dir, "fp32")).getMessage();
    for (String part : new String[] {"field 'num_hidden_layers' must be a whole number >= 1, is \"two\"",
        "field 'max_position_embeddings' must be a whole number >= 1, is -5",
        "field 'text_config.head_dim' must be a whole number >= 1, is 0"}) {
      assertTrue(m.contains(part), "'" + part + "' in: " + m);
    }
  }

  @Test
  void withoutMaxPositionEmbeddingsTheTokenizersModelMaxLengthBoundsRows() throws IOException {
    Path dir = new TinyDecoder(TinyDecoder.Spec.tiny()).writeTo(tmp.resolve("m"));
    Path config = dir.resolve("config.json");
    Files.writeString(config, Files.readString(config)
        .replaceFirst("\"max_position_embeddings\"\\s*:\\s*256\\s*,", ""));
    assertEquals(-1, ModelDirectory.read(dir, "fp32").configLong("max_position_embeddings", -1));
    Path tokCfg = dir.resolve("tokenizer_config.json");
    String tok = Files.readString(tokCfg);
    Files.writeString(tokCfg, tok.replaceFirst("\"model_max_length\"\\s*:\\s*256",
        "\"model_max_length\": 1e30"));
    assertTrue(ModelDirectory.read(dir, "fp32").tokenizerMaxLength().isEmpty(), "the sentinel");
    Files.writeString(tokCfg, tok);
    assertEquals(256, ModelDirectory.read(dir, "fp32").tokenizerMaxLength().getAsLong());
    // a row that reaches the end of the position table ends with LENGTH instead of failing the batch
    long[] prompt = new long[250];
    java.util.Arrays.fill(prompt, 70);
    try (OnnxLanguageModel m = OnnxLanguageModel.open(dir,
        OnnxOptions.builder().intraOpThreads(1).build())) {
      dev.sparq.core.llm.Completion c = m.completeTokens(java.util.List.of(prompt),
          dev.sparq.core.llm.SamplingParams.builder().temperature(0).maxTokens(40).build())
          .get(0).get(0);
      assertTrue(c.completionTokens() <= 7, c.toString());
    }
  }

  @Test
  void aModelWithoutKvCacheIsRejectedWithAHint() throws IOException {
    Path dir = new TinyDecoder(TinyDecoder.Spec.tiny()).writeTo(tmp.resolve("m"));
    OnnxGraphBuilder g = new OnnxGraphBuilder("nokv", 17);
    g.input("input_ids", OnnxGraphBuilder.INT64, "b", "s");
    g.input("attention_mask", OnnxGraphBuilder.INT64, "b", "s");
    g.output("logits", OnnxGraphBuilder.FLOAT, "b", "s", 264);
    g.floatInit("emb", new float[264 * 264], 264, 264);
    g.node("Gather", new String[] {"emb", "input_ids"}, "logits");
    g.write(dir.resolve("onnx/model.onnx"));
    ModelException e = assertThrows(ModelException.class,
        () -> OnnxLanguageModel.open(dir, OnnxOptions.builder().intraOpThreads(1).build()));
    assertTrue(e.getMessage().contains("--task text-generation-with-past"), e.getMessage());
  }

  @Test
  void externalDataModelsLoad() throws IOException {
    // 16M+ parameters go to model.onnx_data; use a spec just over the threshold but cheap to run.
    TinyDecoder.Spec spec = new TinyDecoder.Spec(512, 2, 8, 2048, 16, 1, false);
    TinyDecoder t = new TinyDecoder(spec);
    assertTrue(t.parameterCount() < 16_000_000L);
    // Force the external layout by writing the graph directly.
    Path dir = t.writeTo(tmp.resolve("ext"));
    Path model = dir.resolve("onnx/model.onnx");
    t.graph(dir.resolve("onnx/model.onnx_data")).write(model);
    assertTrue(Files.size(dir.resolve("onnx/model.onnx_data")) > Files.size(model) * 100);
    try (OnnxLanguageModel m = OnnxLanguageModel.open(dir, OnnxOptions.builder().intraOpThreads(1).build())) {
      int[] prompt = {1, 2, 3};
      float[][] ref = t.referenceLogits(prompt);
      int arg = 0;
      for (int v = 1; v < ref[2].length; v++) {
        if (ref[2][v] > ref[2][arg]) {
          arg = v;
        }
      }
      OnnxGenerationTest.Trace tr = OnnxGenerationTest.trace(m, () -> m.completeTokens(
          java.util.List.of(new long[] {1, 2, 3}),
          dev.sparq.core.llm.SamplingParams.builder().temperature(0).maxTokens(1).build()));
      assertEquals(arg, (int) tr.tokens.get("0/0").get(0));
    }
  }

  /** What a message about a model file must not carry: Jackson's internals. */
  static void plainWords(String m) {
    for (String internal : new String[] {"Source:", "REDACTED", "StreamRead", "INCLUDE_SOURCE",
        "jackson", "getMax"}) {
      assertTrue(!m.contains(internal), "'" + internal + "' in: " + m);
    }
  }

  @Test
  void aTruncatedConfigJsonIsReportedInPlainWords() throws IOException {
    Path dir = new TinyDecoder(TinyDecoder.Spec.tiny()).writeTo(tmp.resolve("m"));
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"qwen2\",\n  \"eos\": [1, 2");
    ModelException e = assertThrows(ModelException.class, () -> ModelDirectory.read(dir, "fp32"));
    String m = e.getMessage();
    assertTrue(m.contains("config.json: invalid JSON (line 2, column 15): Unexpected"
        + " end-of-input"), m);
    plainWords(m);
  }

  @Test
  void aFifoInPlaceOfAModelJsonFileIsRefusedInsteadOfBlockingTheReader() throws IOException {
    Path dir = new TinyDecoder(TinyDecoder.Spec.tiny()).writeTo(tmp.resolve("m"));
    Path cfg = dir.resolve("tokenizer_config.json");
    Files.delete(cfg);
    org.junit.jupiter.api.Assumptions.assumeTrue(dev.sparq.testkit.io.Fifos.make(cfg), "no mkfifo here");
    // before: ChatTemplate.fromTokenizerConfig opened the FIFO and waited forever for a writer
    ModelException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        java.time.Duration.ofSeconds(20), () -> assertThrows(ModelException.class,
            () -> ChatTemplate.fromTokenizerConfig(cfg, java.time.Clock.systemUTC(),
                dev.sparq.onnx.jinja.Template.Limits.DEFAULT)));
    assertEquals(cfg + ": cannot read tokenizer config: not a regular file (a folder, FIFO or device is"
        + " not read)", e.getMessage());
    // and the directory reader says what it is, not that the file is missing
    e = assertThrows(ModelException.class, () -> ModelDirectory.read(dir, "fp32"));
    assertTrue(e.getMessage().contains("tokenizer_config.json: not a regular file"), e.getMessage());
  }

  @Test
  void anOversizedChatTemplateIsReportedInPlainWords() throws IOException {
    Path dir = new TinyDecoder(TinyDecoder.Spec.tiny()).writeTo(tmp.resolve("m"));
    Path cfg = dir.resolve("tokenizer_config.json");
    Files.writeString(cfg, "{\"chat_template\": \"" + "x".repeat(25_000_000) + "\"}");
    ModelException e = assertThrows(ModelException.class, () -> ModelDirectory.read(dir, "fp32"));
    assertTrue(e.getMessage().contains("tokenizer_config.json: invalid JSON: "), e.getMessage());
    assertTrue(e.getMessage().contains("a string value (for example chat_template) is longer than"
        + " 20000000 characters"), e.getMessage());
    plainWords(e.getMessage());
    e = assertThrows(ModelException.class, () -> ChatTemplate.fromTokenizerConfig(cfg,
        java.time.Clock.systemUTC(), dev.sparq.onnx.jinja.Template.Limits.DEFAULT));
    assertTrue(e.getMessage().startsWith(cfg + ": cannot read tokenizer config: invalid JSON"),
        e.getMessage());
    plainWords(e.getMessage());
    // chat_template.jinja is read only up to 20 MB
    Files.writeString(cfg, "{\"eos_token\": \"</s>\"}");
    Files.writeString(dir.resolve("chat_template.jinja"), "x".repeat(20_000_001));
    e = assertThrows(ModelException.class, () -> ModelDirectory.read(dir, "fp32"));
    assertTrue(e.getMessage().contains("chat_template.jinja: the file is 20000001 bytes, more than"
        + " the 20000000 bytes a chat template may have"), e.getMessage());
  }
}
