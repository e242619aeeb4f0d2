package dev.sparq.openai;

import java.util.Map;

/**
 * Counters of one endpoint (or of all endpoints together) since the model was built.
 *
 * @param endpoint display name of the endpoint, or {@code "total"}
 * @param attempts HTTP requests sent (retries included)
 * @param responses attempts that returned a usable response
 * @param retries failed attempts that were retried
 * @param failures failed attempts by kind (retried or not)
 * @param promptTokens prompt tokens reported by the server
 * @param completionTokens completion tokens reported by the server
 * @param rests times the endpoint was rested
 * @param inFlight requests in flight when the snapshot was taken
 * @param estimatedResponses responses that carried no {@code usage}: their tokens in {@code
 *     promptTokens} and {@code completionTokens} are estimates (about four characters a token)
 */
public record EndpointStats(
    String endpoint,
    long attempts,
    long responses,
    long retries,
    Map<FailureKind, Long> failures,
    long promptTokens,
    long completionTokens,
    long rests,
    int inFlight,
    long estimatedResponses) {

  public EndpointStats {
    failures = Map.copyOf(failures);
  }

  /** Failed attempts of all kinds. */
  public long totalFailures() {
    return failures.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Failed attempts of one kind. */
  public long failures(FailureKind kind) {
    return failures.getOrDefault(kind, 0L);
  }

  /** Whether some of the token counts are estimates (the server omitted {@code usage}). */
  public boolean usageEstimated() {
    return estimatedResponses > 0;
  }

  /** The tokens as a {@link Usage}. */
  public Usage usage() {
    return new Usage(promptTokens, completionTokens);
  }
}
