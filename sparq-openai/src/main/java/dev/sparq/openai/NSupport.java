package dev.sparq.openai;

/**
 * Whether an endpoint accepts {@code n > 1} (several completions of one prompt in one request).
 * vLLM, SGLang and the OpenAI API do; llama.cpp server and Ollama refuse it or return one choice.
 */
public enum NSupport {
  /**
   * Send {@code n} and learn: when the server refuses it (HTTP 400/422 for a request with
   * {@code n > 1}, whatever the body says) the endpoint's {@code n} limit is halved and the request
   * sent again, until accepted; when it returns fewer choices than asked for, the limit becomes the
   * number it returned. Limits last for the model's life; at 1 the endpoint is {@link #FAN_OUT}.
   * The missing samples are requested in requests of the learned size.
   */
  AUTO,
  /** The server supports {@code n}; missing choices are still requested one by one. */
  NATIVE,
  /** Always send one request per sample ({@code n = 1}), with seed {@code seed + sample index}. */
  FAN_OUT
}
