package dev.sparq.onnx;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps every native value this module creates (input tensors, run results, gather results) in an
 * identity set until it is closed, so leaks are countable: {@link #openCount()} must return to
 * zero after each call of {@link OnnxLanguageModel} or {@link dev.sparq.onnx.embed.OnnxEmbedder}.
 * Thread-safe.
 */
public final class NativeTracker {
  /** An empty tracker. */
  public NativeTracker() {}

  private final Set<AutoCloseable> open = Collections.synchronizedSet(
      Collections.newSetFromMap(new IdentityHashMap<>()));
  private final AtomicLong created = new AtomicLong();

  /**
   * Registers a value that was just created.
   *
   * @param value the native value (tensor or run result)
   * @param <T> its type
   * @return {@code value}, for chaining
   */
  public <T extends AutoCloseable> T track(T value) {
    open.add(value);
    created.incrementAndGet();
    return value;
  }

  /**
   * Closes a tracked value and forgets it; does nothing for {@code null} or a value not tracked
   * (already closed).
   *
   * @param value the value
   * @throws IllegalStateException when closing fails
   */
  public void close(AutoCloseable value) {
    if (value != null && open.remove(value)) {
      try {
        value.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing a native value failed", e);
      }
    }
  }

  /**
   * Values tracked and not yet closed.
   *
   * @return the count
   */
  public int openCount() {
    return open.size();
  }

  /**
   * Values tracked since this tracker was made.
   *
   * @return the count
   */
  public long createdCount() {
    return created.get();
  }
}
