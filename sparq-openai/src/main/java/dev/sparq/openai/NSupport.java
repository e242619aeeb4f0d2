package dev.sparq.openai;

/**
 * Whether an endpoint accepts {@code n > 1} (several completions of one prompt in one request).
 * vLLM, SGLang and the OpenAI API do; llama.cpp server and Ollama refuse it or return one choice.
 */
public enum NSupport {
  /**
   * Send {@code n} and learn: when the server refuses it (HTTP 400/422 for a request with
   * {@code n > 1}) or returns fewer choices than asked for, the endpoint is switched to {@link
   * #FAN_OUT} for the rest of the model's life and the missing samples are requested one by one.
   */
  AUTO,
  /** The server supports {@code n}; missing choices are still requested one by one. */
  NATIVE,
  /** Always send one request per sample ({@code n = 1}), with seed {@code seed + sample index}. */
  FAN_OUT
}
