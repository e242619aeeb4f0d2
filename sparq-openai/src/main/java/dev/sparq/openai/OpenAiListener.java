package dev.sparq.openai;

import java.time.Duration;

/**
 * Receives what an {@link OpenAiLanguageModel} does, as it happens, from its worker threads:
 * implementations must be thread-safe and quick. An exception thrown by a listener is logged and
 * otherwise ignored. All methods do nothing by default.
 */
public interface OpenAiListener {

  /**
   * A response was received and parsed.
   *
   * @param endpoint display name of the endpoint
   * @param usage the tokens the server reported for it
   * @param choices completions it carried
   * @param latency time from sending the request to having the parsed response
   */
  default void onResponse(String endpoint, Usage usage, int choices, Duration latency) {}

  /** An attempt failed and will be retried. */
  default void onRetry(RetryEvent event) {}

  /**
   * An endpoint failed too often in a row and takes no requests for {@code restFor}.
   *
   * @param endpoint display name of the endpoint
   * @param restFor length of the rest
   * @param consecutiveFailures failed attempts in a row so far
   */
  default void onEndpointRested(String endpoint, Duration restFor, int consecutiveFailures) {}

  /**
   * An endpoint failed too often in a row and takes no requests for {@code restFor}, with what its
   * last failed attempt got. The client calls this method; by default it calls
   * {@link #onEndpointRested(String, Duration, int)}.
   *
   * @param endpoint display name of the endpoint
   * @param restFor length of the rest
   * @param consecutiveFailures failed attempts in a row so far
   * @param lastFailure the last failed attempt: HTTP status and (shortened) body, or the kind and
   *     cause of a transport failure, such as {@code HTTP 503: {"error":"overloaded"}} or
   *     {@code connection: ConnectException: Connection refused}; API keys are redacted
   */
  default void onEndpointRested(String endpoint, Duration restFor, int consecutiveFailures,
      String lastFailure) {
    onEndpointRested(endpoint, restFor, consecutiveFailures);
  }

  /**
   * An endpoint in {@link NSupport#AUTO} mode turned out not to support {@code n > 1}: from now on
   * each sample is requested separately.
   */
  default void onFanOutLearned(String endpoint) {}

  /**
   * An endpoint in {@link NSupport#AUTO} mode refused or cut a request for {@code n} choices: from
   * now on it is asked for at most {@code limit} per request (1 also fires {@link
   * #onFanOutLearned}).
   */
  default void onNLimitLearned(String endpoint, int limit) {}

  /**
   * An endpoint answered without {@code usage}: its token counts are estimated from now on where it
   * does. Fires once per endpoint.
   */
  default void onUsageMissing(String endpoint) {}
}
