package dev.sparq.openai;

import java.time.Duration;
import java.util.Objects;

/**
 * How failed attempts are retried: up to {@code maxAttempts} attempts in all, waiting
 * {@code initialBackoff * multiplier^(k-1)} (at most {@code maxBackoff}) before retry {@code k},
 * shortened by a random fraction of at most {@code jitter} so that clients do not retry in lock
 * step. A server's {@code Retry-After} (or {@code retry-after-ms}) is honoured: the wait is at least
 * what the server asked for, capped at {@code maxRetryAfter}.
 *
 * @param maxAttempts attempts per request in all, first one included (at least 1)
 * @param initialBackoff wait before the first retry
 * @param maxBackoff cap of the exponential wait
 * @param multiplier growth factor of the wait (at least 1)
 * @param jitter fraction in [0, 1] by which a wait may be randomly shortened
 * @param maxRetryAfter cap on a server-requested wait
 */
public record RetryPolicy(
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    double multiplier,
    double jitter,
    Duration maxRetryAfter) {

  public RetryPolicy {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.isNegative() || maxRetryAfter.isNegative()) {
      throw new IllegalArgumentException("backoff durations must be >= 0");
    }
    if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be finite and >= 1, was " + multiplier);
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("jitter must be in [0, 1], was " + jitter);
    }
  }

  /** 6 attempts, 500 ms doubling up to 30 s, 20% jitter, server waits up to 60 s honoured. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(
        6, Duration.ofMillis(500), Duration.ofSeconds(30), 2.0, 0.2, Duration.ofSeconds(60));
  }

  /** One attempt, no retries. */
  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0, 0.0, Duration.ZERO);
  }

  /** This policy with another number of attempts. */
  public RetryPolicy withMaxAttempts(int attempts) {
    return new RetryPolicy(attempts, initialBackoff, maxBackoff, multiplier, jitter, maxRetryAfter);
  }

  /** This policy with another initial and maximum backoff. */
  public RetryPolicy withBackoff(Duration initial, Duration max) {
    return new RetryPolicy(maxAttempts, initial, max, multiplier, jitter, maxRetryAfter);
  }

  /**
   * The wait before retry number {@code retry} (1 for the first retry).
   *
   * @param retry 1-based retry number
   * @param uniform a random number in [0, 1) used for the jitter
   * @param serverAsked the server's {@code Retry-After}, or null when it gave none
   */
  public Duration delay(int retry, double uniform, Duration serverAsked) {
    double base = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, retry - 1));
    double capped = Math.min(base, (double) maxBackoff.toNanos());
    long nanos = (long) (capped * (1.0 - jitter * uniform));
    if (serverAsked != null && !serverAsked.isNegative()) {
      // compareTo, not toNanos: a huge server wait must not overflow.
      long asked = (serverAsked.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : serverAsked).toNanos();
      nanos = Math.max(nanos, asked);
    }
    return Duration.ofNanos(Math.max(0, nanos));
  }
}
