package dev.sparq.testkit.openai;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the requests a fake server is handling, and the most at once. A handler thread enters
 * when a request arrives and leaves just before it writes the response, not when the handler
 * returns: a client that has read the response may send its next request before that, and
 * counting until then would see one request more than the client ever had in flight.
 */
public final class InFlightCounter {
  private final AtomicInteger now = new AtomicInteger();
  private final AtomicInteger max = new AtomicInteger();
  private final ThreadLocal<Boolean> entered = new ThreadLocal<>();

  /** The calling handler thread starts a request. */
  public void enter() {
    max.accumulateAndGet(now.incrementAndGet(), Math::max);
    entered.set(Boolean.TRUE);
  }

  /** The calling handler thread's request is over; calling it again does nothing. */
  public void leave() {
    if (entered.get() != null) {
      entered.remove();
      now.decrementAndGet();
    }
  }

  /** The most requests handled at once so far. */
  public int max() {
    return max.get();
  }
}
