package dev.sparq.onnx;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.util.Objects;

/**
 * How to run an ONNX model: which file variant, which execution provider, threads, batch size and
 * the seed of unseeded sampling. Built with {@link #builder()}; the defaults are the full-precision
 * variant on CPU with ONNX Runtime's default thread count, all graph optimisations, no thread
 * spinning, 32 rows per batch and seed 0.
 */
public final class OnnxOptions {
  /** Where to run. */
  public enum Device {
    /** CPU only. */
    CPU,
    /** CUDA when the GPU build of ONNX Runtime and CUDA 12 + cuDNN 9 load, else CPU with a log line. */
    CUDA
  }

  private final String variant;
  private final Device device;
  private final int cudaDevice;
  private final long gpuMemoryLimitBytes;
  private final int intraOpThreads;
  private final OptLevel optLevel;
  private final int maxBatchRows;
  private final long seed;
  private final boolean allowSpinning;
  private final GenerationPath generation;
  private final java.util.Map<String, Object> chatTemplateVariables;

  private OnnxOptions(Builder b) {
    this.chatTemplateVariables = java.util.Collections.unmodifiableMap(
        new java.util.LinkedHashMap<>(b.chatTemplateVariables));
    this.allowSpinning = b.allowSpinning;
    this.generation = b.generation;
    this.variant = b.variant;
    this.device = b.device;
    this.cudaDevice = b.cudaDevice;
    this.gpuMemoryLimitBytes = b.gpuMemoryLimitBytes;
    this.intraOpThreads = b.intraOpThreads;
    this.optLevel = b.optLevel;
    this.maxBatchRows = b.maxBatchRows;
    this.seed = b.seed;
  }

  /** The defaults. */
  public static OnnxOptions defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The ONNX file variant: {@code "fp32"} (or {@code ""}) is {@code onnx/model.onnx}, any other name
   * {@code v} is {@code onnx/model_v.onnx} ({@code fp16}, {@code q4}, {@code q4f16},
   * {@code quantized}, {@code int8}, {@code uint8}, {@code bnb4} in onnx-community repositories).
   */
  public String variant() {
    return variant;
  }

  /** The file name of {@link #variant()} inside {@code onnx/}. */
  public String variantFile() {
    return fileOfVariant(variant);
  }

  /** The file name of a variant inside {@code onnx/}. */
  public static String fileOfVariant(String variant) {
    return variant.isEmpty() || variant.equals("fp32") ? "model.onnx" : "model_" + variant + ".onnx";
  }

  public Device device() {
    return device;
  }

  /** CUDA device ordinal. */
  public int cudaDevice() {
    return cudaDevice;
  }

  /** CUDA arena limit in bytes, 0 for ONNX Runtime's default (no limit). */
  public long gpuMemoryLimitBytes() {
    return gpuMemoryLimitBytes;
  }

  /** Intra-op threads, 0 for ONNX Runtime's default (one per physical core). */
  public int intraOpThreads() {
    return intraOpThreads;
  }

  public OptLevel optLevel() {
    return optLevel;
  }

  /** Most sequences decoded together (requests times samples); larger inputs run in chunks. */
  public int maxBatchRows() {
    return maxBatchRows;
  }

  /** Seed of the generator that seeds calls whose {@code SamplingParams} have no seed. */
  public long seed() {
    return seed;
  }

  /**
   * Whether ONNX Runtime's intra-op threads spin while waiting for work. ONNX Runtime's own default
   * is to spin; here it is off by default, because between decode runs the JVM thread samples,
   * decodes and (in SPARQ) parses answers, and spinning workers take that CPU away: on a 2-core
   * machine spinning cut tiny-model throughput by 2-3x (src-docs/benchmarks.md). Turn it on for
   * lowest per-run latency on a dedicated machine with spare cores.
   */
  public boolean allowSpinning() {
    return allowSpinning;
  }

  /**
   * How the decoding loop runs: in Java, inside ONNX Runtime's generation operators, or chosen by
   * device ({@link GenerationPath#AUTO}, the default).
   */
  public GenerationPath generation() {
    return generation;
  }

  /**
   * Extra variables of every chat-template render (for example {@code enable_thinking=false} for
   * Qwen3, {@code date_string}, {@code tools}); they override special tokens of the same name.
   * Empty by default.
   */
  public java.util.Map<String, Object> chatTemplateVariables() {
    return chatTemplateVariables;
  }

  /** Builder of {@link OnnxOptions}. */
  public static final class Builder {
    private final java.util.Map<String, Object> chatTemplateVariables =
        new java.util.LinkedHashMap<>();
    private String variant = "fp32";
    private Device device = Device.CPU;
    private int cudaDevice;
    private long gpuMemoryLimitBytes;
    private int intraOpThreads;
    private OptLevel optLevel = OptLevel.ALL_OPT;
    private int maxBatchRows = 32;
    private long seed;
    private boolean allowSpinning = false;
    private GenerationPath generation = GenerationPath.AUTO;

    private Builder() {}

    /**
     * Sets one chat-template variable (strings, numbers, booleans, null, lists and maps).
     *
     * @see OnnxOptions#chatTemplateVariables()
     */
    public Builder chatTemplateVariable(String name, Object value) {
      Objects.requireNonNull(name, "name");
      if (name.equals("messages") || name.equals("add_generation_prompt")) {
        throw new IllegalArgumentException("chat template variable '" + name
            + "' is set by the model itself");
      }
      chatTemplateVariables.put(name, value);
      return this;
    }

    /** Sets several chat-template variables. */
    public Builder chatTemplateVariables(java.util.Map<String, ?> vars) {
      vars.forEach(this::chatTemplateVariable);
      return this;
    }

    public Builder allowSpinning(boolean allow) {
      this.allowSpinning = allow;
      return this;
    }

    public Builder variant(String variant) {
      this.variant = Objects.requireNonNull(variant, "variant");
      return this;
    }

    public Builder device(Device device) {
      this.device = Objects.requireNonNull(device, "device");
      return this;
    }

    public Builder cudaDevice(int ordinal) {
      if (ordinal < 0) {
        throw new IllegalArgumentException("cudaDevice must be >= 0, was " + ordinal);
      }
      this.cudaDevice = ordinal;
      return this;
    }

    public Builder gpuMemoryLimitBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("gpuMemoryLimitBytes must be >= 0, was " + bytes);
      }
      this.gpuMemoryLimitBytes = bytes;
      return this;
    }

    public Builder intraOpThreads(int threads) {
      if (threads < 0) {
        throw new IllegalArgumentException("intraOpThreads must be >= 0, was " + threads);
      }
      this.intraOpThreads = threads;
      return this;
    }

    public Builder optLevel(OptLevel level) {
      this.optLevel = Objects.requireNonNull(level, "optLevel");
      return this;
    }

    public Builder maxBatchRows(int rows) {
      if (rows < 1) {
        throw new IllegalArgumentException("maxBatchRows must be >= 1, was " + rows);
      }
      this.maxBatchRows = rows;
      return this;
    }

    /** How the decoding loop runs (default {@link GenerationPath#AUTO}). */
    public Builder generation(GenerationPath path) {
      this.generation = Objects.requireNonNull(path, "generation");
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public OnnxOptions build() {
      return new OnnxOptions(this);
    }
  }
}
