package dev.sparq.openai;

import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.SamplingParams;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Turns one call (a request, its sampling parameters, the choices to ask for and the index of the
 * first sample) into the HTTP request for one endpoint: body, headers, timeout. Sample {@code i} of
 * request {@code r} in a batch gets seed {@code seed + r * n + i}, reduced to the 31-bit range every
 * server accepts ({@link Wire#wireSeed}), so two equal prompts in one batch get different samples.
 */
final class RequestMapper {
  private final Api api;
  private final Function<ChatRequest, String> promptFormatter;
  private final boolean samplingExtras;
  private final Duration defaultTimeout;

  RequestMapper(Api api, Function<ChatRequest, String> promptFormatter, boolean samplingExtras,
      Duration defaultTimeout) {
    this.api = api;
    this.promptFormatter = promptFormatter;
    this.samplingExtras = samplingExtras;
    this.defaultTimeout = defaultTimeout;
  }

  Api api() {
    return api;
  }

  /** The time one attempt on {@code ep} may take. */
  Duration timeout(EndpointPool.State ep) {
    return ep.timeout != null ? ep.timeout : defaultTimeout;
  }

  HttpRequest request(EndpointPool.State ep, ChatRequest request, SamplingParams params, int askN,
      long firstSlot) {
    OptionalLong seed = params.seed().isPresent()
        ? OptionalLong.of(params.seed().getAsLong() + firstSlot)
        : OptionalLong.empty();
    Map<String, Object> extra = ep.extraBody;
    byte[] body = Wire.body(
        api, ep.model, request, promptFormatter, params, askN, seed, samplingExtras, extra);
    HttpRequest.Builder rb = HttpRequest.newBuilder(ep.uri)
        .timeout(timeout(ep))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (ep.key != null) {
      rb.header("Authorization", ep.key.authorizationHeader());
    }
    return rb.build();
  }
}
