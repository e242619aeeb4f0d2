package dev.sparq.openai;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Optional;

/**
 * How a failed attempt is classified: which HTTP statuses are retried, when a repeated server error
 * is really a bad request, when a refusal is a refusal of {@code n}, and how long a server asked us
 * to wait. Stateless except for {@link Repeat}, which one call keeps across its attempts.
 */
final class RetryRules {
  /** The longest server-requested wait we read at all; {@link RetryPolicy} caps it further. */
  static final Duration MAX_SERVER_WAIT = Duration.ofHours(1);

  private RetryRules() {}

  /** The kind of failure an HTTP status other than 2xx stands for. */
  static FailureKind classify(int status) {
    if (status == 429) {
      return FailureKind.RATE_LIMITED;
    }
    if (status >= 500 || status == 408 || status == 425) {
      return FailureKind.SERVER_ERROR;
    }
    return FailureKind.CLIENT_ERROR;
  }

  /**
   * Whether a repeated identical answer with this status means "your request is bad" rather than
   * "the server is down". 502, 503 and 504 speak of the server or a gateway (overload, restart,
   * upstream gone), so they never do; other 5xx (typically a 500 from an exception the request
   * triggers) do.
   */
  static boolean repeatMeansBadRequest(int status) {
    return status >= 500 && status != 502 && status != 503 && status != 504;
  }

  /**
   * Whether a refused request is a refusal of {@code n}: any 400 or 422 to a request that asked for
   * more than one choice from an endpoint not declared {@link NSupport#NATIVE}. Servers word this
   * in many ways (or not at all), so the body is not needed; a 400 for another reason costs a few
   * halvings before it fails as a client error at {@code n = 1}.
   */
  static boolean refusesN(int status, int askedN, NSupport support) {
    return askedN > 1 && support != NSupport.NATIVE && (status == 400 || status == 422);
  }

  /** The last server error of one call, to recognise the same answer coming back. */
  static final class Repeat {
    private int status;
    private byte[] body;

    /** Records this answer; true when the previous failed attempt got exactly the same one. */
    boolean again(int status, byte[] body) {
      boolean same = this.body != null && this.status == status && Arrays.equals(this.body, body);
      this.status = status;
      this.body = body;
      return same;
    }

    /** Forgets the last answer (an attempt failed in another way). */
    void reset() {
      body = null;
    }
  }

  /**
   * The wait a server asked for: {@code retry-after-ms} (milliseconds, as the OpenAI API sends),
   * else {@code Retry-After} as seconds (a decimal is tolerated) or an HTTP date; null when absent
   * or unreadable. Never more than {@link #MAX_SERVER_WAIT}, whatever the header says (a date in
   * year 9999 included).
   */
  static Duration retryAfter(HttpHeaders headers) {
    Optional<String> ms = headers.firstValue("retry-after-ms");
    if (ms.isPresent()) {
      try {
        double v = Double.parseDouble(ms.get().strip());
        if (v >= 0 && !Double.isInfinite(v)) {
          return cap(v / 1000.0);
        }
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    Optional<String> ra = headers.firstValue("retry-after");
    if (ra.isEmpty()) {
      return null;
    }
    String v = ra.get().strip();
    try {
      double seconds = Double.parseDouble(v);
      return seconds >= 0 && !Double.isInfinite(seconds) ? cap(seconds) : null;
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
        if (d.isNegative()) {
          return Duration.ZERO;
        }
        return d.compareTo(MAX_SERVER_WAIT) > 0 ? MAX_SERVER_WAIT : d;
      } catch (DateTimeParseException | ArithmeticException notDate) {
        return null;
      }
    }
  }

  private static Duration cap(double seconds) {
    if (seconds >= MAX_SERVER_WAIT.getSeconds()) {
      return MAX_SERVER_WAIT;
    }
    return Duration.ofNanos((long) (seconds * 1_000_000_000L));
  }
}
