package dev.sparq.core.export;

/**
 * A model-agnostic duplicate filter over problem statements, for checks the exporter's own hashing
 * cannot do (for example embedding similarity, see {@code dev.sparq.onnx.embed.EmbeddingDeduplicator}).
 *
 * <p>The {@link Exporter} asks {@link #isDuplicate(String)} for every statement that passed the
 * earlier filters, in log order, and calls {@link #add(String)} only for statements it keeps, so an
 * implementation sees exactly the kept problems. Implementations must be deterministic for the
 * export to be, and hold state: use a fresh one for each export.
 */
public interface TextDeduplicator {
  /** Whether {@code text} duplicates a text added earlier. */
  boolean isDuplicate(String text);

  /** Remembers a kept text; later duplicates of it are then reported. */
  void add(String text);
}
