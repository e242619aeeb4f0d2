package dev.sparq.onnx;

/**
 * How {@link OnnxLanguageModel} runs the decoding loop (src-docs/models.md, "Generation paths").
 */
public enum GenerationPath {
  /**
   * One ONNX Runtime run per token, driven from Java: logits come back to the host and are sampled
   * in Java, and on CUDA every run also copies the whole KV cache to the host and back (the Java
   * API has no IoBinding). Supports every {@code SamplingParams} option; sampling draws from
   * {@code SplittableRandom(seed + j)} per sample, independent of batch composition.
   */
  JAVA_LOOP,
  /**
   * The whole loop inside ONNX Runtime: the decoder is rewritten into the subgraph of a
   * {@code com.microsoft.GreedySearch} or {@code Sampling} operator, so per call only token ids
   * cross between host and device and the KV cache stays where it is computed. Greedy tokens equal
   * the Java loop's. Sampling is reproducible for a seed and batch, but its random numbers come
   * from ONNX Runtime, so sampled tokens differ from the Java loop's and depend on which prompts
   * share a batch. Requests it cannot serve (repetition penalty, top-p with min-p, contexts that
   * would pass the model's length) and models it cannot rewrite go to the Java loop, with a log
   * line naming why.
   */
  IN_GRAPH,
  /**
   * {@link #IN_GRAPH} on CUDA, {@link #JAVA_LOOP} on CPU (where the Java loop is as fast or faster:
   * src-docs/benchmarks.md). The default.
   */
  AUTO
}
