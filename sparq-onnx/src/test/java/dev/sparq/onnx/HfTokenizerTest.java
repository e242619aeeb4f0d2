package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparq.onnx.testing.ByteLevelVocab;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfTokenizerTest {
  @TempDir static Path tmp;
  static HfTokenizer tok;
  static final ByteLevelVocab VOCAB = new ByteLevelVocab();

  @BeforeAll
  static void open() throws IOException {
    Path f = tmp.resolve("tokenizer.json");
    new ObjectMapper().writeValue(f.toFile(), VOCAB.tokenizerJson());
    tok = HfTokenizer.open(f);
  }

  @AfterAll
  static void close() {
    tok.close();
  }

  @Test
  void longPromptsAreNotTruncated() {
    String text = "x".repeat(3000);
    assertEquals(3000, tok.encode(text).length);
  }

  @Test
  void specialTokensInTextAreSingleTokensAndNoneAreAdded() {
    long[] ids = tok.encode("<|im_start|>user\nhi<|im_end|>");
    assertEquals(VOCAB.id("<|im_start|>"), ids[0]);
    assertEquals(VOCAB.id("<|im_end|>"), ids[ids.length - 1]);
    assertEquals(1 + 5 + 2 + 1, ids.length); // special, "user\n" as bytes, "hi", special
    assertEquals("hi", tok.decode(new long[] {ids[6], ids[7]}, true));
    assertEquals("<|im_start|>user\nhi<|im_end|>", tok.decode(ids, false));
    assertEquals("user\nhi", tok.decode(ids, true));
  }

  @Test
  void mergesApply() {
    long[] ids = tok.encode("the");
    assertEquals(1, ids.length);
    assertEquals(VOCAB.id("the"), ids[0]);
  }

  @Test
  void incrementalDecodeNeverShowsReplacementCharacter() {
    String text = "Grüße, 数学 🙂 the end é";
    long[] ids = tok.encode(text);
    assertTrue(ids.length > text.length(), "multi-byte characters span several tokens");
    HfTokenizer.IncrementalDecoder d = tok.incremental();
    StringBuilder pieces = new StringBuilder();
    boolean heldBack = false;
    for (long id : ids) {
      String piece = d.add(id);
      assertFalse(piece.contains("\uFFFD"), "piece " + piece);
      heldBack |= piece.isEmpty();
      pieces.append(piece);
    }
    assertTrue(heldBack, "some tokens end inside a character");
    assertEquals(text, pieces.toString());
    assertEquals(text, d.finish());
  }

  @Test
  void unpairedSurrogatesAreEncodedAsOneReplacementCharacterEach() {
    assertEquals("a\uFFFDb", HfTokenizer.wellFormed("a\ud800b"));
    assertEquals("\uFFFD\uFFFDy", HfTokenizer.wellFormed("\ude00\ud83dy"));
    String pair = "x\ud83d\ude42";
    assertTrue(pair == HfTokenizer.wellFormed(pair), "well-formed text is returned as is");
    assertArrayEquals(tok.encode("a\uFFFDb"), tok.encode("a\ud800b"));
    assertArrayEquals(tok.encode("\uFFFD\uFFFDz", true),
        tok.encode("\udc00\ud800z", true));
  }

  /**
   * A SentencePiece-style tokenizer with byte fallback (as Gemma, InternLM2, ChatGLM3): every
   * character outside the tiny vocabulary becomes its UTF-8 byte tokens, and the decoder turns a
   * run of byte tokens that is not valid UTF-8 into one U+FFFD per byte.
   */
  static Map<String, Object> byteFallbackTokenizerJson() {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    vocab.put("<unk>", 0);
    for (int b = 0; b < 256; b++) {
      vocab.put(String.format("<0x%02X>", b), vocab.size());
    }
    vocab.put("\u2581", vocab.size());
    vocab.put("a", vocab.size());
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("type", "BPE");
    model.put("unk_token", "<unk>");
    model.put("byte_fallback", true);
    model.put("fuse_unk", true);
    model.put("vocab", vocab);
    model.put("merges", List.of());
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("version", "1.0");
    json.put("added_tokens", List.of());
    json.put("normalizer", Map.of("type", "Sequence", "normalizers", List.of(
        Map.of("type", "Prepend", "prepend", "\u2581"),
        Map.of("type", "Replace", "pattern", Map.of("String", " "), "content", "\u2581"))));
    json.put("pre_tokenizer", null);
    json.put("post_processor", null);
    json.put("decoder", Map.of("type", "Sequence", "decoders", List.of(
        Map.of("type", "Replace", "pattern", Map.of("String", "\u2581"), "content", " "),
        Map.of("type", "ByteFallback"),
        Map.of("type", "Fuse"),
        Map.of("type", "Strip", "content", " ", "start", 1, "stop", 0))));
    json.put("model", model);
    return json;
  }

  @Test
  void finishKeepsAnIncompleteCharacterAfterByteFallbackTokens() throws IOException {
    Path f = tmp.resolve("byte-fallback.json");
    new ObjectMapper().writeValue(f.toFile(), byteFallbackTokenizerJson());
    try (HfTokenizer bf = HfTokenizer.open(f)) {
      long[] ids = bf.encode("a\u0661\u0662"); // ARABIC-INDIC ONE, TWO: two bytes each
      assertEquals(6, ids.length, "\u2581, a and four byte tokens");
      assertEquals("a\u0661\u0662", bf.decode(ids, true));
      long[] cut = java.util.Arrays.copyOf(ids, 5);
      // The plain decode of the cut loses the complete character too: that is not a stream's end.
      assertEquals("a\uFFFD\uFFFD\uFFFD", bf.decode(cut, true));
      HfTokenizer.IncrementalDecoder d = bf.incremental();
      StringBuilder streamed = new StringBuilder();
      for (long id : cut) {
        streamed.append(d.add(id));
      }
      assertEquals("a\u0661", streamed.toString());
      assertEquals("a\u0661\uFFFD", d.finish());
    }
  }

  @Test
  void valuesThatAreNoTokenIdsAreRefusedNotWrappedAround() {
    long the = VOCAB.id("the");
    assertEquals("the", tok.decode(new long[] {the}, true));
    assertEquals("the", tok.decode(new long[] {the, 1_000_000}, true), "unknown ids are skipped");
    for (long bad : new long[] {-1, 1L << 32, (1L << 32) + the}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> tok.decode(new long[] {the, bad}, false));
      assertTrue(e.getMessage().contains("position 1"), e.getMessage());
      // the streaming decoder checks each id once, as it is added
      HfTokenizer.IncrementalDecoder d = tok.incremental();
      assertEquals("the", d.add(the));
      IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> d.add(bad));
      assertTrue(s.getMessage().contains("position 1"), s.getMessage());
    }
  }

  @Test
  void finishFlushesAnIncompleteCharacter() {
    long[] ids = tok.encode("é");
    assertEquals(2, ids.length);
    HfTokenizer.IncrementalDecoder d = tok.incremental();
    assertEquals("", d.add(ids[0]));
    assertEquals("\uFFFD", d.finish());
  }
}
