package dev.sparq.onnx.embed;

import dev.sparq.onnx.OnnxOptions;
import java.util.Objects;

/**
 * How {@link OnnxEmbedder} runs: the ONNX Runtime options (file variant, CPU or CUDA, threads), the
 * longest token sequence per text, the batch size, the pooling and whether vectors are
 * L2-normalised. Built with {@link #builder()}.
 */
public final class EmbedderOptions {
  /** How token vectors become one sentence vector. */
  public enum Pooling {
    /**
     * From the model files: {@code 1_Pooling/config.json} of a sentence-transformers directory
     * ({@code pooling_mode_cls_token} means {@link #CLS}), otherwise {@link #MEAN}.
     */
    AUTO,
    /** Mean of the token vectors over the attention mask (sentence-transformers' default). */
    MEAN,
    /** The first token's vector ({@code [CLS]}), as BGE and similar models use. */
    CLS
  }

  /** Whether texts share ONNX Runtime calls. */
  public enum BatchMode {
    /**
     * {@link #PER_TEXT} for dynamically quantised graphs (they contain
     * {@code DynamicQuantizeLinear}), {@link #PADDED} for all others.
     */
    AUTO,
    /**
     * Up to {@link #batchSize()} texts per call, padded to the longest. Fastest. In a dynamically
     * quantised graph the activation scale is computed over the whole batch, so a text's vector then
     * depends slightly on its batch neighbours.
     */
    PADDED,
    /** One text per call: every vector is independent of the other texts in the call. */
    PER_TEXT
  }

  private final OnnxOptions onnx;
  private final int maxLength;
  private final int batchSize;
  private final Pooling pooling;
  private final boolean normalize;
  private final BatchMode batchMode;

  private EmbedderOptions(Builder b) {
    this.onnx = b.onnx;
    this.maxLength = b.maxLength;
    this.batchSize = b.batchSize;
    this.pooling = b.pooling;
    this.normalize = b.normalize;
    this.batchMode = b.batchMode;
  }

  /** The defaults: CPU, full precision, length from the model files, batches of 32, AUTO pooling
   * and batch mode. */
  public static EmbedderOptions defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** ONNX Runtime options; {@link OnnxOptions#variant()} picks the file in a model directory. */
  public OnnxOptions onnx() {
    return onnx;
  }

  /**
   * Most tokens per text, special tokens included; longer texts are cut (and counted). 0 means: from
   * the model files ({@code sentence_bert_config.json} {@code max_seq_length}, else the tokenizer's
   * truncation length, else {@code tokenizer_config.json} {@code model_max_length}, else 512).
   */
  public int maxLength() {
    return maxLength;
  }

  /** Most texts per ONNX Runtime call. */
  public int batchSize() {
    return batchSize;
  }

  /** The pooling. */
  public Pooling pooling() {
    return pooling;
  }

  /** Whether vectors are scaled to unit L2 norm (then a dot product is the cosine similarity). */
  public boolean normalize() {
    return normalize;
  }

  /** Whether texts share ONNX Runtime calls. */
  public BatchMode batchMode() {
    return batchMode;
  }

  /** Builder of {@link EmbedderOptions}. */
  public static final class Builder {
    private OnnxOptions onnx = OnnxOptions.defaults();
    private int maxLength;
    private int batchSize = 32;
    private Pooling pooling = Pooling.AUTO;
    private boolean normalize = true;
    private BatchMode batchMode = BatchMode.AUTO;

    private Builder() {}

    /** Whether texts share ONNX Runtime calls (default {@link BatchMode#AUTO}). */
    public Builder batchMode(BatchMode mode) {
      this.batchMode = Objects.requireNonNull(mode, "batchMode");
      return this;
    }

    /** ONNX Runtime options (variant, device, threads, optimisation level). */
    public Builder onnx(OnnxOptions onnx) {
      this.onnx = Objects.requireNonNull(onnx, "onnx");
      return this;
    }

    /** Most tokens per text including special tokens (at least 3), or 0 for the model's own. */
    public Builder maxLength(int tokens) {
      if (tokens != 0 && tokens < 3) {
        throw new IllegalArgumentException("maxLength must be 0 (from the model) or >= 3, was "
            + tokens);
      }
      this.maxLength = tokens;
      return this;
    }

    /** Most texts per ONNX Runtime call (at least 1). */
    public Builder batchSize(int texts) {
      if (texts < 1) {
        throw new IllegalArgumentException("batchSize must be >= 1, was " + texts);
      }
      this.batchSize = texts;
      return this;
    }

    /** The pooling. */
    public Builder pooling(Pooling pooling) {
      this.pooling = Objects.requireNonNull(pooling, "pooling");
      return this;
    }

    /** Whether vectors are L2-normalised (default true). */
    public Builder normalize(boolean normalize) {
      this.normalize = normalize;
      return this;
    }

    /** The options. */
    public EmbedderOptions build() {
      return new EmbedderOptions(this);
    }
  }
}
