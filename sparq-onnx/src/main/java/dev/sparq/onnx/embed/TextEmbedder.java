package dev.sparq.onnx.embed;

import java.util.List;

/**
 * Turns texts into fixed-length vectors, a batch at a time. {@link OnnxEmbedder} is the ONNX Runtime
 * implementation; {@link EmbeddingDescriptor} and {@link EmbeddingDeduplicator} accept any
 * implementation (a remote embedding service, a cache, a test double).
 */
public interface TextEmbedder {
  /**
   * Embeds texts.
   *
   * @return one vector of {@link #dimension()} floats per text, in input order
   */
  float[][] embed(List<String> texts);

  /** Length of every vector this embedder returns. */
  int dimension();

  /** Embeds one text. */
  default float[] embed(String text) {
    return embed(List.of(text))[0];
  }
}
