package dev.sparq.openai;

/** Why one HTTP attempt failed. All kinds but {@link #CLIENT_ERROR} are retried. */
public enum FailureKind {
  /** HTTP 429: the server is overloaded or rate-limits us; {@code Retry-After} is honoured. */
  RATE_LIMITED,
  /** HTTP 5xx, 408 or 425. */
  SERVER_ERROR,
  /** The connection could not be opened, or was reset or closed before a full response. */
  CONNECTION,
  /** No full response within the request timeout. */
  TIMEOUT,
  /** HTTP 200 with a body that is not a valid completion response (bad JSON, no choices). */
  MALFORMED,
  /**
   * Another HTTP 4xx, or the same 5xx answer (status and body) to the same request twice in a row
   * (a server error the request itself triggers): not retried.
   */
  CLIENT_ERROR,
  /** A 2xx body larger than the client's {@code maxResponseBytes}; not retried. */
  TOO_LARGE;

  /** Whether an attempt that failed this way is retried. */
  public boolean retryable() {
    return this != CLIENT_ERROR && this != TOO_LARGE;
  }
}
