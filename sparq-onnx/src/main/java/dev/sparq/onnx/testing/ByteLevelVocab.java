package dev.sparq.onnx.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small byte-level BPE vocabulary in the Hugging Face {@code tokenizer.json} format: the 256
 * byte symbols of GPT-2's byte-to-unicode table, a few merges, and ChatML special tokens. Every
 * UTF-8 string can be encoded, and a character of several bytes spans several tokens, which is what
 * the incremental-decoding tests need.
 */
public final class ByteLevelVocab {
  /** Special tokens, appended after the byte symbols and merges. */
  public static final List<String> SPECIALS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>");

  private static final String[][] MERGES = {{"t", "h"}, {"th", "e"}, {"Ġ", "a"}, {"i", "n"}, {"Ġ", "the"}};

  private final Map<String, Integer> vocab = new LinkedHashMap<>();

  /** Builds the vocabulary. */
  public ByteLevelVocab() {
    this(0);
  }

  /**
   * Builds the vocabulary padded to {@code size} tokens (0 or less: no padding) with filler tokens
   * of three byte symbols each (byte 0, 1 or 2 then two more), as large vocabularies (150k for Qwen)
   * have: no merge produces them, but a model can emit them and they decode to bytes.
   */
  public ByteLevelVocab(int size) {
    char[] sym = byteSymbols();
    for (char c : sym) {
      vocab.put(String.valueOf(c), vocab.size());
    }
    for (String[] m : MERGES) {
      vocab.put(m[0] + m[1], vocab.size());
    }
    for (String s : SPECIALS) {
      vocab.put(s, vocab.size());
    }
    if (size > 3 * 65536 + vocab.size()) {
      throw new IllegalArgumentException("at most " + (3 * 65536 + vocab.size()) + " tokens");
    }
    for (int i = 0; vocab.size() < size; i++) {
      vocab.put("" + sym[i >>> 16] + sym[(i >>> 8) & 0xFF] + sym[i & 0xFF], vocab.size());
    }
  }

  /** Number of tokens, specials included. */
  public int size() {
    return vocab.size();
  }

  /** Id of a token string (a special token or byte symbol). */
  public int id(String token) {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new IllegalArgumentException("no token " + token);
    }
    return id;
  }

  /** GPT-2's reversible mapping of the 256 byte values to printable characters, in byte order. */
  static char[] byteSymbols() {
    List<Integer> bs = new ArrayList<>();
    for (int b = '!'; b <= '~'; b++) {
      bs.add(b);
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      bs.add(b);
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      bs.add(b);
    }
    char[] map = new char[256];
    int extra = 0;
    for (int b = 0; b < 256; b++) {
      if (bs.contains(b)) {
        map[b] = (char) b;
      } else {
        map[b] = (char) (256 + extra++);
      }
    }
    return map;
  }

  /** The {@code tokenizer.json} document. */
  public ObjectNode tokenizerJson() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (String s : SPECIALS) {
      ObjectNode t = added.addObject();
      t.put("id", vocab.get(s));
      t.put("content", s);
      t.put("single_word", false);
      t.put("lstrip", false);
      t.put("rstrip", false);
      t.put("normalized", false);
      t.put("special", true);
    }
    root.putNull("normalizer");
    root.set("pre_tokenizer", byteLevel(f, true));
    root.set("post_processor", byteLevel(f, false));
    root.set("decoder", byteLevel(f, true));
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    ObjectNode v = model.putObject("vocab");
    vocab.forEach((k, id) -> {
      if (!SPECIALS.contains(k)) {
        v.put(k, id);
      }
    });
    ArrayNode merges = model.putArray("merges");
    for (String[] m : MERGES) {
      merges.add(m[0] + " " + m[1]);
    }
    return root;
  }

  private static ObjectNode byteLevel(JsonNodeFactory f, boolean trimOffsets) {
    ObjectNode n = f.objectNode();
    n.put("type", "ByteLevel");
    n.put("add_prefix_space", false);
    n.put("trim_offsets", trimOffsets);
    n.put("use_regex", true);
    return n;
  }
}
