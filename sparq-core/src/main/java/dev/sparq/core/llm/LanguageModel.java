package dev.sparq.core.llm;

import java.util.List;

/**
 * The port to any language model: an in-process ONNX model, an OpenAI-compatible server, or a
 * scripted fake in tests. Batch in, batch out, so a GPU backend sees whole batches and an HTTP
 * backend can send requests concurrently.
 *
 * <p>Implementations must be safe to call from several threads when the engine runs with more than
 * one thread. Errors of the backend itself (unreachable server, missing model file) are thrown as
 * {@link dev.sparq.core.ModelException}; odd model <em>output</em> is returned as text.
 */
public interface LanguageModel extends AutoCloseable {

  /**
   * Completes each request {@code params.n()} times.
   *
   * @return one list per request, in request order, each with exactly {@code params.n()}
   *     completions
   */
  List<List<Completion>> complete(List<ChatRequest> requests, SamplingParams params);

  /** A short human-readable name for logs and reports. */
  default String name() {
    return getClass().getSimpleName();
  }

  /** Releases native memory, connections or threads. The default does nothing. */
  @Override
  default void close() {}
}
