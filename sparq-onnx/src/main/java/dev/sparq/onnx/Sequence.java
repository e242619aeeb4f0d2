package dev.sparq.onnx;

import dev.sparq.core.llm.FinishReason;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * One generated sequence (sample {@code sample} of prompt {@code prompt}): its random generator,
 * the tokens seen so far (for the repetition penalty), the tokens it produced and, once finished,
 * why and its text. Mutated by {@link StopConditions#accept}.
 */
final class Sequence {
  final int prompt;
  final int sample;
  final int promptLen;
  /** Left padding of the prompt in its batch. */
  final int pad;
  final SplittableRandom rng;
  /** Token ids seen in the prompt and output; null without repetition penalty. */
  final BitSet seen;
  final HfTokenizer.IncrementalDecoder decoder;
  long last;
  int generated;
  long[] out = new long[16];
  int outLen;
  FinishReason finish;
  String text;

  Sequence(int prompt, int sample, long[] tokens, int pad, long seed, boolean penalty, int vocab,
      HfTokenizer tokenizer) {
    this.prompt = prompt;
    this.sample = sample;
    this.promptLen = tokens.length;
    this.pad = pad;
    this.rng = new SplittableRandom(seed);
    this.decoder = tokenizer.incremental();
    this.seen = penalty ? new BitSet(vocab) : null;
    if (penalty) {
      for (long t : tokens) {
        if (t >= 0 && t < vocab) {
          seen.set((int) t);
        }
      }
    }
  }
}
