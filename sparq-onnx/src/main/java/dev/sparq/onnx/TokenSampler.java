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
    int n;
    boolean sorted = false;
    if (k < vocab) {
      // Top-k by selection (linear time), then sort only the k survivors.
      for (int t = 0; t < vocab; t++) {
        order[t] = pack(l[t], t);
      }
      select(order, 0, vocab - 1, k);
      Arrays.sort(order, 0, k);
      n = k;
      sorted = true;
    } else {
      for (int t = 0; t < vocab; t++) {
        order[t] = t;
      }
      n = vocab;
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, l[index(order[i], sorted)]);
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double p = Math.exp((l[index(order[i], sorted)] - max) / temp);
      probs[i] = p;
      sum += p;
    }
    if (params.topP() < 1.0) {
      double target = params.topP() * sum;
      if (!sorted) {
        // The nucleus only holds tokens whose probability is at least some threshold whose
        // upper set already reaches top_p; find such a threshold, then sort just that set.
        double thr = 1.0; // the top token has weight exp(0) = 1
        while (true) {
          double mass = 0;
          for (int i = 0; i < n; i++) {
            if (probs[i] >= thr) {
              mass += probs[i];
            }
          }
          if (mass >= target || thr < 1e-300) {
            break;
          }
          thr /= 16;
        }
        int m = 0;
        for (int i = 0; i < n; i++) {
          if (probs[i] >= thr) {
            order[m++] = pack(l[(int) order[i]], (int) order[i]);
          }
        }
        Arrays.sort(order, 0, m);
        n = m;
        sorted = true;
        for (int i = 0; i < n; i++) {
          probs[i] = Math.exp((l[index(order[i], true)] - max) / temp);
        }
      }
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
      double floor = params.minP(); // relative to the top token's weight exp(0) = 1
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
          return index(order[i], sorted);
        }
      }
    }
    return index(order[last], sorted);
  }

  private static int index(long packed, boolean sorted) {
    return sorted ? (int) (packed & 0xFFFFFFFFL) : (int) packed;
  }

  /** Sorts before every smaller logit; equal logits by ascending index. */
  private static long pack(float logit, int index) {
    return ((long) descKey(logit) << 32) | index;
  }

  /** Rearranges {@code a[lo..hi]} so its {@code k} smallest values come first (quickselect). */
  private static void select(long[] a, int lo, int hi, int k) {
    int target = lo + k - 1;
    while (lo < hi) {
      long pivot = a[(lo + hi) >>> 1];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          long t = a[i];
          a[i] = a[j];
          a[j] = t;
          i++;
          j--;
        }
      }
      if (target <= j) {
        hi = j;
      } else if (target >= i) {
        lo = i;
      } else {
        return;
      }
    }
  }

  /** An unsigned-comparable int that sorts larger floats first. */
  private static int descKey(float f) {
    int bits = Float.floatToIntBits(f);
    int asc = bits < 0 ? ~bits : bits | Integer.MIN_VALUE; // ascending as unsigned
    return ~asc ^ Integer.MIN_VALUE; // descending, shifted so signed long order works
  }
}
