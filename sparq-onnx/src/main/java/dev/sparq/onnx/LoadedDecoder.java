package dev.sparq.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.util.Set;

/**
 * What every {@link GenerationStrategy} needs from a loaded model: the decoder session and its
 * checked signature, the tokenizer, the token ids that matter (EOS, padding), the context length,
 * and the model's shared counters. Owned by {@link OnnxLanguageModel}, which closes the session and
 * tokenizer; strategies only borrow them.
 */
final class LoadedDecoder {
  final OrtEnvironment env;
  final OrtSession session;
  final DecoderSignature sig;
  final HfTokenizer tokenizer;
  final Set<Long> eosIds;
  final long padId;
  final long maxPositions;
  final NativeTracker tracker;
  final OnnxLanguageModel.Stats stats;
  /** Sees every sampled token; for tests. */
  volatile OnnxLanguageModel.TokenObserver observer;

  LoadedDecoder(OrtEnvironment env, OrtSession session, DecoderSignature sig, HfTokenizer tokenizer,
      Set<Long> eosIds, long padId, long maxPositions, NativeTracker tracker,
      OnnxLanguageModel.Stats stats) {
    this.env = env;
    this.session = session;
    this.sig = sig;
    this.tokenizer = tokenizer;
    this.eosIds = eosIds;
    this.padId = padId;
    this.maxPositions = maxPositions;
    this.tracker = tracker;
    this.stats = stats;
  }
}
