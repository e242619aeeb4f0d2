package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.llm.SamplingParams;
import java.nio.FloatBuffer;
import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {
  // Probabilities at temperature 1: softmax of these.
  static final float[] LOGITS = {1.0f, 3.0f, 2.5f, -1.0f, 0.0f, 2.9f};

  static int[] histogram(SamplingParams p, int draws, BitSet seen) {
    TokenSampler s = new TokenSampler(p);
    SplittableRandom rng = new SplittableRandom(99);
    int[] h = new int[LOGITS.length];
    for (int i = 0; i < draws; i++) {
      h[s.sample(FloatBuffer.wrap(LOGITS), 0, LOGITS.length, seen, rng)]++;
    }
    return h;
  }

  static double[] softmax(float[] l, double t) {
    double[] p = new double[l.length];
    double sum = 0;
    for (int i = 0; i < l.length; i++) {
      p[i] = Math.exp(l[i] / t);
      sum += p[i];
    }
    for (int i = 0; i < l.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  @Test
  void greedyPicksArgmax() {
    int[] h = histogram(SamplingParams.builder().temperature(0).build(), 10, null);
    assertEquals(10, h[1]);
  }

  @Test
  void temperatureSamplingFollowsSoftmax() {
    int n = 40_000;
    int[] h = histogram(SamplingParams.builder().temperature(0.7).build(), n, null);
    double[] p = softmax(LOGITS, 0.7);
    for (int i = 0; i < p.length; i++) {
      double sd = Math.sqrt(n * p[i] * (1 - p[i]));
      assertEquals(n * p[i], h[i], 5 * sd + 1, "token " + i);
    }
  }

  @Test
  void topKKeepsTheKLargest() {
    int[] h = histogram(SamplingParams.builder().topK(2).build(), 5000, null);
    assertEquals(5000, h[1] + h[5]);
    assertTrue(h[1] > 0 && h[5] > 0);
  }

  @Test
  void topPKeepsTheSmallestSetReachingP() {
    double[] p = softmax(LOGITS, 1.0);
    // Sorted: 1 (3.0), 5 (2.9), 2 (2.5), ... ; p1 + p5 < 0.8 < p1 + p5 + p2
    assertTrue(p[1] + p[5] < 0.8 && p[1] + p[5] + p[2] > 0.8);
    int[] h = histogram(SamplingParams.builder().topP(0.8).build(), 5000, null);
    assertEquals(5000, h[1] + h[5] + h[2]);
    assertTrue(h[2] > 0);
  }

  @Test
  void minPDropsUnlikelyTokens() {
    double[] p = softmax(LOGITS, 1.0);
    // Threshold 0.5 * p[1]: keeps 1, 5, 2 (p2/p1 = e^-0.5 = 0.61), drops 0 (e^-2).
    int[] h = histogram(SamplingParams.builder().minP(0.5).build(), 5000, null);
    assertEquals(5000, h[1] + h[5] + h[2]);
    assertTrue(p[0] > 0);
  }

  @Test
  void repetitionPenaltyDemotesSeenTokens() {
    BitSet seen = new BitSet();
    seen.set(1);
    seen.set(5);
    // 3.0/2 = 1.5 and 2.9/2 = 1.45 < 2.5: token 2 wins greedily.
    int[] h = histogram(SamplingParams.builder().temperature(0).repetitionPenalty(2.0).build(), 3, seen);
    assertEquals(3, h[2]);
  }

  @Test
  void sameSeedSameDraws() {
    SamplingParams p = SamplingParams.builder().temperature(1.3).topP(0.9).build();
    assertEquals(java.util.Arrays.toString(histogram(p, 200, null)),
        java.util.Arrays.toString(histogram(p, 200, null)));
  }

  @Test
  void halfFloatConversion() {
    assertEquals(1.0f, OnnxLanguageModel.halfToFloat((short) 0x3C00));
    assertEquals(-2.0f, OnnxLanguageModel.halfToFloat((short) 0xC000));
    assertEquals(65504f, OnnxLanguageModel.halfToFloat((short) 0x7BFF));
    assertEquals(0x1p-24f, OnnxLanguageModel.halfToFloat((short) 0x0001));
    assertEquals(Float.NEGATIVE_INFINITY, OnnxLanguageModel.halfToFloat((short) 0xFC00));
  }

  @Test
  void largeVocabularyTopPAndTopKMatchTheSortedDefinition() {
    int v = 20_000;
    SplittableRandom r = new SplittableRandom(3);
    float[] logits = new float[v];
    for (int i = 0; i < v; i++) {
      logits[i] = (float) (r.nextGaussian() * 3);
    }
    Integer[] byLogit = new Integer[v];
    for (int i = 0; i < v; i++) {
      byLogit[i] = i;
    }
    java.util.Arrays.sort(byLogit, (a, b) -> Float.compare(logits[b], logits[a]));
    double[] p = new double[v];
    double sum = 0;
    for (int i = 0; i < v; i++) {
      p[i] = Math.exp(logits[i] - logits[byLogit[0]]);
      sum += p[i];
    }
    java.util.Set<Integer> nucleus = new java.util.HashSet<>();
    double cum = 0;
    for (int i = 0; i < v && cum < 0.6 * sum; i++) {
      nucleus.add(byLogit[i]);
      cum += p[byLogit[i]];
    }
    java.util.Set<Integer> top20 = new java.util.HashSet<>(java.util.Arrays.asList(byLogit).subList(0, 20));
    TokenSampler topP = new TokenSampler(SamplingParams.builder().topP(0.6).build());
    TokenSampler topK = new TokenSampler(SamplingParams.builder().topK(20).build());
    java.util.Set<Integer> seenP = new java.util.HashSet<>();
    java.util.Set<Integer> seenK = new java.util.HashSet<>();
    SplittableRandom rng = new SplittableRandom(8);
    for (int i = 0; i < 4_000; i++) {
      seenP.add(topP.sample(FloatBuffer.wrap(logits), 0, v, null, rng));
      seenK.add(topK.sample(FloatBuffer.wrap(logits), 0, v, null, rng));
    }
    assertTrue(nucleus.containsAll(seenP), "samples outside the nucleus");
    assertTrue(nucleus.size() > 20 && seenP.size() > 20, seenP.size() + " of " + nucleus.size());
    assertEquals(top20, seenK);
  }
}
