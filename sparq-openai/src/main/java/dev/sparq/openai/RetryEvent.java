package dev.sparq.openai;

import java.time.Duration;

/**
 * One failed attempt that will be retried.
 *
 * @param endpoint display name of the endpoint that failed
 * @param attempt the 1-based number of the attempt that failed
 * @param kind why it failed
 * @param status the HTTP status, or 0 when there was no response
 * @param delay how long the client waits before the next attempt
 * @param message a short description (never contains the API key)
 */
public record RetryEvent(
    String endpoint, int attempt, FailureKind kind, int status, Duration delay, String message) {}
