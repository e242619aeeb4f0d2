package dev.sparq.onnx;

import dev.sparq.core.llm.FinishReason;
import dev.sparq.core.llm.SamplingParams;
import java.util.Arrays;
import java.util.Set;

/**
 * When a sequence ends, and its text: an EOS id ({@link FinishReason#STOP}, the EOS token is not
 * part of the output), a stop string (STOP, the text is cut before it), {@code max_tokens} or the
 * model's context ({@link FinishReason#LENGTH}). Tokens are given one at a time, so a strategy that
 * produces all tokens first replays them here and gets the same result as the Java loop.
 */
final class StopConditions {
  private final SamplingParams params;
  private final Set<Long> eosIds;
  private final HfTokenizer tokenizer;
  private final long maxPositions;
  private final int maxStop;

  StopConditions(SamplingParams params, Set<Long> eosIds, HfTokenizer tokenizer, long maxPositions) {
    this.params = params;
    this.eosIds = eosIds;
    this.tokenizer = tokenizer;
    this.maxPositions = maxPositions;
    int m = 0;
    for (String s : params.stop()) {
      m = Math.max(m, s.length());
    }
    this.maxStop = m;
  }

  /**
   * Records the token just sampled for {@code r} and finishes {@code r} when it ends it.
   *
   * @param r a sequence not yet finished
   * @param token the sampled token
   * @param total the batch's sequence length (padding, prompt and output) so far; the token would
   *     be fed at position {@code total - r.pad}
   */
  void accept(Sequence r, int token, int total) {
    r.generated++;
    r.last = token;
    if (r.seen != null) {
      r.seen.set(token);
    }
    if (eosIds.contains((long) token)) {
      finish(r, FinishReason.STOP);
      return;
    }
    if (r.outLen == r.out.length) {
      r.out = Arrays.copyOf(r.out, r.outLen * 2);
    }
    r.out[r.outLen++] = token;
    if (maxStop > 0) {
      // Stop strings need the text as it grows; without them the text is decoded once at the end.
      int before = r.decoder.text().length();
      String piece = r.decoder.add(token);
      if (!piece.isEmpty()) {
        String text = r.decoder.text();
        int from = Math.max(0, before - maxStop + 1);
        int cut = -1;
        for (String stop : params.stop()) {
          int at = text.indexOf(stop, from);
          if (at >= 0 && (cut < 0 || at < cut)) {
            cut = at;
          }
        }
        if (cut >= 0) {
          r.text = text.substring(0, cut);
          r.finish = FinishReason.STOP;
          return;
        }
      }
    }
    // The token just sampled would be fed at position total - pad; past the context it cannot be.
    if (r.generated >= params.maxTokens() || total - r.pad >= maxPositions) {
      finish(r, FinishReason.LENGTH);
    }
  }

  private void finish(Sequence r, FinishReason reason) {
    r.text = maxStop > 0 ? r.decoder.finish() : tokenizer.decode(Arrays.copyOf(r.out, r.outLen), true);
    r.finish = reason;
  }
}
