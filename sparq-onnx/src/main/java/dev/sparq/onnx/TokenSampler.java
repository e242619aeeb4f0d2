package dev.sparq.onnx;

import dev.sparq.core.llm.SamplingParams;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.random.RandomGenerator;

/**
 * Picks the next token from one row of logits with vLLM's semantics and order: repetition penalty
 * (over prompt and output tokens: positive logits divided, negative multiplied), then temperature,
 * top-k, top-p (smallest set whose probability reaches {@code top_p}), min-p (tokens below
 * {@code min_p} times the top probability dropped), then one draw from the renormalised
 * distribution. Temperature 0 is greedy (lowest id wins a tie). One instance per thread.
 */
public final class TokenSampler {
  private final SamplingParams params;
  private float[] work = new float[0];
  private long[] order = new long[0];
  private double[] probs = new double[0];

  /** A sampler for these parameters. */
  public TokenSampler(SamplingParams params) {
    this.params = params;
  }

  /**
   * Samples a token.
   *
   * @param logits buffer holding the row
   * @param offset index of the row's first logit
   * @param vocab row length
   * @param seen tokens of prompt and output (for the repetition penalty), or null
   * @param rng the row's generator (not used when greedy)
   */
  public int sample(FloatBuffer logits, int offset, int vocab, BitSet seen, RandomGenerator rng) {
    if (work.length < vocab) {
      work = new float[vocab];
      order = new long[vocab];
      probs = new double[vocab];
    }
    float[] l = work;
    logits.get(offset, l, 0, vocab);
    double pen = params.repetitionPenalty();
    if (pen != 1.0 && seen != null) {
      for (int t = seen.nextSetBit(0); t >= 0 && t < vocab; t = seen.nextSetBit(t + 1)) {
        l[t] = (float) (l[t] > 0 ? l[t] / pen : l[t] * pen);
      }
    }
    if (params.greedy()) {
      int best = 0;
      for (int t = 1; t < vocab; t++) {
        if (l[t] > l[best]) {
          best = t;
        }
      }
      return best;
    }
    double temp = params.temperature();
    int k = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
    boolean needSort = k < vocab || params.topP() < 1.0;
    int n;
    if (needSort) {
      for (int t = 0; t < vocab; t++) {
        order[t] = ((long) descKey(l[t]) << 32) | t;
      }
      Arrays.sort(order, 0, vocab);
      n = k;
    } else {
      for (int t = 0; t < vocab; t++) {
        order[t] = t;
      }
      n = vocab;
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, l[(int) order[i]]);
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double p = Math.exp((l[(int) order[i]] - max) / temp);
      probs[i] = p;
      sum += p;
    }
    if (params.topP() < 1.0) {
      double target = params.topP() * sum;
      double cum = 0;
      int keep = n;
      for (int i = 0; i < n; i++) {
        cum += probs[i];
        if (cum >= target) {
          keep = i + 1;
          break;
        }
      }
      n = keep;
    }
    if (params.minP() > 0) {
      double top = 0;
      for (int i = 0; i < n; i++) {
        top = Math.max(top, probs[i]);
      }
      double floor = params.minP() * top;
      for (int i = 0; i < n; i++) {
        if (probs[i] < floor) {
          probs[i] = 0;
        }
      }
    }
    double total = 0;
    for (int i = 0; i < n; i++) {
      total += probs[i];
    }
    double u = rng.nextDouble() * total;
    int last = -1;
    for (int i = 0; i < n; i++) {
      if (probs[i] > 0) {
        last = i;
        u -= probs[i];
        if (u < 0) {
          return (int) order[i];
        }
      }
    }
    return (int) order[last];
  }

  /** An unsigned-comparable int that sorts larger floats first. */
  private static int descKey(float f) {
    int bits = Float.floatToIntBits(f);
    int asc = bits < 0 ? ~bits : bits | Integer.MIN_VALUE; // ascending as unsigned
    return ~asc ^ Integer.MIN_VALUE; // descending, shifted so signed long order works
  }
}
