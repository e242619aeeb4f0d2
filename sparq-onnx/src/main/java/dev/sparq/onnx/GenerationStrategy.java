package dev.sparq.onnx;

import ai.onnxruntime.OrtException;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.SamplingParams;
import java.util.List;

/**
 * How a batch of prompts is turned into completions by a loaded decoder. {@link OnnxLanguageModel}
 * validates the prompts, splits them into batches and counts usage; a strategy runs one batch.
 * Today's one implementation is {@link KvCacheLoop}, the per-token loop in Java; a strategy that
 * keeps the loop on the device plugs in here and reuses {@link StopConditions} and
 * {@link Sequence} so that EOS, stop strings and lengths end a sequence the same way.
 *
 * <p>Contract: greedy results depend only on the prompts; with sampling, sample {@code j} of every
 * prompt draws from {@code SplittableRandom(seed + j)}, whatever the batch composition. Every
 * native value a call creates is closed before it returns.
 */
interface GenerationStrategy extends AutoCloseable {

  /**
   * Generates {@code params.n()} completions for each prompt of one batch.
   *
   * @param prompts token ids, non-empty, each shorter than the model's context
   * @param params sampling settings
   * @param seed the seed of sample 0 (sample {@code j} uses {@code seed + j})
   * @return per prompt, in order, its completions
   * @throws OrtException when ONNX Runtime fails
   */
  List<List<Completion>> generate(List<long[]> prompts, SamplingParams params, long seed)
      throws OrtException;

  /** Frees the strategy's own native resources (not the decoder session it was given). */
  @Override
  void close();
}
