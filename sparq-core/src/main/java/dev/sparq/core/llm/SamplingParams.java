package dev.sparq.core.llm;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How to sample, with vLLM's parameter names and defaults: {@code n=1}, {@code temperature=1.0},
 * {@code top_p=1.0}, {@code top_k=-1} (off; 0 also means off), {@code min_p=0.0}, no seed,
 * {@code max_tokens=16}, no stop strings, {@code repetition_penalty=1.0}.
 *
 * <p>Built with {@link #builder()}; invalid values fail fast with the parameter name.
 */
public final class SamplingParams {
  private final int n;
  private final double temperature;
  private final double topP;
  private final int topK;
  private final double minP;
  private final Long seed;
  private final int maxTokens;
  private final List<String> stop;
  private final double repetitionPenalty;

  private SamplingParams(Builder b) {
    this.n = b.n;
    this.temperature = b.temperature;
    this.topP = b.topP;
    this.topK = b.topK;
    this.minP = b.minP;
    this.seed = b.seed;
    this.maxTokens = b.maxTokens;
    this.stop = List.copyOf(b.stop);
    this.repetitionPenalty = b.repetitionPenalty;
  }

  /** vLLM's defaults. */
  public static SamplingParams defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this object's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.n = n;
    b.temperature = temperature;
    b.topP = topP;
    b.topK = topK;
    b.minP = minP;
    b.seed = seed;
    b.maxTokens = maxTokens;
    b.stop = stop;
    b.repetitionPenalty = repetitionPenalty;
    return b;
  }

  /** Completions per request. */
  public int n() {
    return n;
  }

  public double temperature() {
    return temperature;
  }

  public double topP() {
    return topP;
  }

  /** Top-k cutoff; values {@code <= 0} disable it. */
  public int topK() {
    return topK;
  }

  public double minP() {
    return minP;
  }

  public OptionalLong seed() {
    return seed == null ? OptionalLong.empty() : OptionalLong.of(seed);
  }

  public int maxTokens() {
    return maxTokens;
  }

  public List<String> stop() {
    return stop;
  }

  public double repetitionPenalty() {
    return repetitionPenalty;
  }

  /** True when sampling is greedy (temperature 0). */
  public boolean greedy() {
    return temperature == 0.0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SamplingParams p
        && n == p.n
        && temperature == p.temperature
        && topP == p.topP
        && topK == p.topK
        && minP == p.minP
        && Objects.equals(seed, p.seed)
        && maxTokens == p.maxTokens
        && stop.equals(p.stop)
        && repetitionPenalty == p.repetitionPenalty;
  }

  @Override
  public int hashCode() {
    return Objects.hash(n, temperature, topP, topK, minP, seed, maxTokens, stop, repetitionPenalty);
  }

  @Override
  public String toString() {
    return "SamplingParams[n=" + n + ", temperature=" + temperature + ", top_p=" + topP
        + ", top_k=" + topK + ", min_p=" + minP + ", seed=" + seed + ", max_tokens=" + maxTokens
        + ", stop=" + stop + ", repetition_penalty=" + repetitionPenalty + "]";
  }

  /** Builder of {@link SamplingParams}. */
  public static final class Builder {
    private int n = 1;
    private double temperature = 1.0;
    private double topP = 1.0;
    private int topK = -1;
    private double minP = 0.0;
    private Long seed;
    private int maxTokens = 16;
    private List<String> stop = List.of();
    private double repetitionPenalty = 1.0;

    private Builder() {}

    public Builder n(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("n must be >= 1, was " + n);
      }
      this.n = n;
      return this;
    }

    public Builder temperature(double t) {
      if (!(t >= 0) || Double.isInfinite(t)) {
        throw new IllegalArgumentException("temperature must be finite and >= 0, was " + t);
      }
      this.temperature = t;
      return this;
    }

    public Builder topP(double p) {
      if (!(p > 0 && p <= 1)) {
        throw new IllegalArgumentException("top_p must be in (0, 1], was " + p);
      }
      this.topP = p;
      return this;
    }

    public Builder topK(int k) {
      this.topK = k;
      return this;
    }

    public Builder minP(double p) {
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException("min_p must be in [0, 1], was " + p);
      }
      this.minP = p;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder noSeed() {
      this.seed = null;
      return this;
    }

    public Builder maxTokens(int maxTokens) {
      if (maxTokens < 1) {
        throw new IllegalArgumentException("max_tokens must be >= 1, was " + maxTokens);
      }
      this.maxTokens = maxTokens;
      return this;
    }

    public Builder stop(List<String> stop) {
      for (String s : stop) {
        if (s == null || s.isEmpty()) {
          throw new IllegalArgumentException("stop strings must be non-empty");
        }
      }
      this.stop = List.copyOf(stop);
      return this;
    }

    public Builder stop(String... stop) {
      return stop(List.of(stop));
    }

    public Builder repetitionPenalty(double penalty) {
      if (!(penalty > 0) || Double.isInfinite(penalty)) {
        throw new IllegalArgumentException("repetition_penalty must be > 0, was " + penalty);
      }
      this.repetitionPenalty = penalty;
      return this;
    }

    public SamplingParams build() {
      return new SamplingParams(this);
    }
  }
}
