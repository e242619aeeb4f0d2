package dev.sparq.openai;

import java.time.Duration;
import java.util.Objects;

/**
 * When an endpoint is rested: after {@code failureThreshold} failed attempts in a row it takes no
 * requests for {@code restDuration}; each further rest without a success in between doubles, up to
 * {@code maxRest}. When the rest is over the endpoint takes requests again; one success clears its
 * record. Client errors (HTTP 4xx other than 408, 425, 429) do not count.
 *
 * @param failureThreshold failures in a row that rest an endpoint (at least 1)
 * @param restDuration the first rest
 * @param maxRest the longest rest
 */
public record HealthPolicy(int failureThreshold, Duration restDuration, Duration maxRest) {
  public HealthPolicy {
    Objects.requireNonNull(restDuration, "restDuration");
    Objects.requireNonNull(maxRest, "maxRest");
    if (failureThreshold < 1) {
      throw new IllegalArgumentException("failureThreshold must be >= 1, was " + failureThreshold);
    }
    if (restDuration.isNegative() || maxRest.isNegative()) {
      throw new IllegalArgumentException("rest durations must be >= 0");
    }
  }

  /** Rest after 5 failures in a row, for 5 s, doubling up to 2 minutes. */
  public static HealthPolicy defaults() {
    return new HealthPolicy(5, Duration.ofSeconds(5), Duration.ofMinutes(2));
  }

  /** The length of rest number {@code rest} (1-based) in a row. */
  public Duration rest(int rest) {
    long nanos = restDuration.toNanos();
    for (int i = 1; i < rest && nanos < maxRest.toNanos(); i++) {
      nanos = nanos > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : nanos * 2;
    }
    return Duration.ofNanos(Math.min(nanos, maxRest.toNanos()));
  }
}
