package dev.sparq.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.sparq.core.ModelException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} tokenizer (DJL's binding of the Rust {@code tokenizers}
 * library) set up for generation: no truncation and no padding (DJL's defaults would silently cut
 * prompts to 512 tokens), and no special tokens added on encode, because the chat template already
 * writes them; special tokens that appear in the text are still recognised as single tokens.
 *
 * <p>Holds native memory: close it. Thread-safe for concurrent encode and decode.
 */
public final class HfTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;

  private HfTokenizer(HuggingFaceTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** Loads {@code tokenizer.json}. */
  public static HfTokenizer open(Path tokenizerJson) {
    Map<String, String> opts = Map.of(
        "addSpecialTokens", "false",
        "truncation", "false",
        "padding", "false",
        "withOverflowingTokens", "false");
    try (InputStream in = Files.newInputStream(tokenizerJson)) {
      return new HfTokenizer(HuggingFaceTokenizer.newInstance(in, opts));
    } catch (IOException | RuntimeException e) {
      throw new ModelException(tokenizerJson + ": cannot load tokenizer: " + e.getMessage(), e);
    }
  }

  /**
   * Token ids of a text, without adding special tokens. An unpaired UTF-16 surrogate (text cut in
   * the middle of a pair) is encoded as one U+FFFD, as the candidate log writes it.
   */
  public long[] encode(String text) {
    Encoding enc = tokenizer.encode(wellFormed(text), false, false);
    return enc.getIds();
  }

  /**
   * Token ids of a text, with the special tokens of the tokenizer's post-processor (such as
   * {@code [CLS]} and {@code [SEP]}) when {@code addSpecialTokens}; encoder models need them.
   * Unpaired surrogates are encoded as in {@link #encode(String)}.
   */
  public long[] encode(String text, boolean addSpecialTokens) {
    return tokenizer.encode(wellFormed(text), addSpecialTokens, false).getIds();
  }

  /**
   * The text with each unpaired surrogate replaced by U+FFFD. Python {@code tokenizers} refuses
   * such text (it has no UTF-8 form); DJL's native binding passes it on as three U+FFFD per
   * surrogate (the bytes of Java's modified UTF-8), which no other tokenizer produces.
   */
  static String wellFormed(String text) {
    int n = text.length();
    StringBuilder out = null;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (!Character.isSurrogate(c)) {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      boolean pair = Character.isHighSurrogate(c) && i + 1 < n
          && Character.isLowSurrogate(text.charAt(i + 1));
      if (pair) {
        if (out != null) {
          out.append(c).append(text.charAt(i + 1));
        }
        i++;
      } else {
        if (out == null) {
          out = new StringBuilder(n).append(text, 0, i);
        }
        out.append('\uFFFD');
      }
    }
    return out == null ? text : out.toString();
  }

  /**
   * Text of token ids; special tokens are dropped when {@code skipSpecial}. Ids the vocabulary
   * does not have are skipped, as Hugging Face {@code tokenizers} skips them (a model may sample
   * one where its embedding table is larger than the vocabulary).
   *
   * @throws IllegalArgumentException for a value that is no token id (negative, or 2^32 and more;
   *     the native library would take it modulo 2^32, as another token)
   */
  public String decode(long[] ids, boolean skipSpecial) {
    for (int i = 0; i < ids.length; i++) {
      checkId(ids[i], i);
    }
    return tokenizer.decode(ids, skipSpecial);
  }

  private static void checkId(long id, int position) {
    if (id < 0 || id > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("not a token id at position " + position + ": " + id);
    }
  }

  /** A decoder that turns a growing token list into text pieces. */
  public IncrementalDecoder incremental() {
    return new IncrementalDecoder(this);
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  /**
   * Decodes a stream of tokens by difference: it decodes a short window ending at the newest token
   * and emits only what that window adds to the text, holding text back while it ends in U+FFFD (a
   * multi-byte character split across tokens). Special tokens are skipped. Cost per token is
   * constant, not proportional to the text so far.
   */
  public static final class IncrementalDecoder {
    private final HfTokenizer tok;
    private long[] ids = new long[16];
    private int size;
    private int prefix;
    private int read;
    private final StringBuilder text = new StringBuilder();
    private String prefixText = ""; // decode of ids[prefix, read), cached between tokens

    IncrementalDecoder(HfTokenizer tok) {
      this.tok = tok;
    }

    /** Adds a token; returns the text it completes (possibly empty). */
    public String add(long id) {
      checkId(id, size); // once per token: the windows below hold only checked ids
      if (size == ids.length) {
        ids = java.util.Arrays.copyOf(ids, size * 2);
      }
      ids[size++] = id;
      String before = prefixText;
      String after = tok.tokenizer.decode(java.util.Arrays.copyOfRange(ids, prefix, size), true);
      if (after.length() > before.length() && !after.endsWith("\uFFFD")
          && after.startsWith(before)) {
        String piece = after.substring(before.length());
        // The new window starts at the old read offset: its text is what this token just added,
        // decoded on its own (one more decode only when a token completed text).
        prefix = read;
        read = size;
        prefixText = tok.tokenizer.decode(java.util.Arrays.copyOfRange(ids, prefix, read), true);
        text.append(piece);
        return piece;
      }
      return "";
    }

    /** Everything emitted so far. */
    public String text() {
      return text.toString();
    }

    /**
     * The full text, including a trailing incomplete character (as U+FFFD) if generation ended in
     * one. The held-back tokens are decoded on their own when the window's text no longer starts
     * with what was emitted: a byte-fallback decoder (Gemma, InternLM2, ChatGLM3) turns a run of
     * byte tokens that is not valid UTF-8 into one U+FFFD per byte, complete characters included.
     */
    public String finish() {
      String before = prefixText;
      String after = tok.tokenizer.decode(java.util.Arrays.copyOfRange(ids, prefix, size), true);
      if (after.length() > before.length() && after.startsWith(before)) {
        text.append(after, before.length(), after.length());
      } else if (read < size) {
        text.append(tok.tokenizer.decode(java.util.Arrays.copyOfRange(ids, read, size), true));
      }
      prefix = read = size;
      prefixText = "";
      return text.toString();
    }

    /** Tokens added. */
    public int tokenCount() {
      return size;
    }
  }
}
