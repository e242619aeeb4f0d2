package dev.sparq.openai;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of an {@link OpenAiLanguageModel}'s counters: per endpoint, in the order the endpoints
 * were configured, and the total. Read it with {@link OpenAiLanguageModel#metrics()} at any time,
 * e.g. after each engine iteration; counters only grow.
 *
 * @param endpoints one entry per endpoint
 * @param total the sum over all endpoints
 */
public record OpenAiMetrics(List<EndpointStats> endpoints, EndpointStats total) {
  public OpenAiMetrics {
    endpoints = List.copyOf(endpoints);
  }

  /** Builds the snapshot, summing the endpoints into the total. */
  static OpenAiMetrics of(List<EndpointStats> endpoints) {
    long attempts = 0;
    long responses = 0;
    long retries = 0;
    long prompt = 0;
    long completion = 0;
    long rests = 0;
    int inFlight = 0;
    long estimated = 0;
    Map<FailureKind, Long> failures = new EnumMap<>(FailureKind.class);
    for (EndpointStats e : endpoints) {
      attempts += e.attempts();
      responses += e.responses();
      retries += e.retries();
      prompt += e.promptTokens();
      completion += e.completionTokens();
      rests += e.rests();
      inFlight += e.inFlight();
      estimated += e.estimatedResponses();
      e.failures().forEach((k, v) -> failures.merge(k, v, Long::sum));
    }
    return new OpenAiMetrics(
        endpoints,
        new EndpointStats(
            "total", attempts, responses, retries, failures, prompt, completion, rests, inFlight,
            estimated));
  }

  /** All tokens reported by the servers. */
  public Usage usage() {
    return total.usage();
  }

  /**
   * Whether the token counts are partly estimates: some server sent responses without
   * {@code usage} (see {@link EndpointStats#estimatedResponses()}).
   */
  public boolean usageEstimated() {
    return total.usageEstimated();
  }

  /** Failed attempts that were retried, all endpoints together. */
  public long retries() {
    return total.retries();
  }
}
