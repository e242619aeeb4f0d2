package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparq.onnx.testing.ByteLevelVocab;
import java.io.IOException;
import java.nio.file.Path;
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

  @Test
  void finishFlushesAnIncompleteCharacter() {
    long[] ids = tok.encode("é");
    assertEquals(2, ids.length);
    HfTokenizer.IncrementalDecoder d = tok.incremental();
    assertEquals("", d.add(ids[0]));
    assertEquals("\uFFFD", d.finish());
  }
}
