package dev.sparq.onnx;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps every native value this module creates (input tensors, run results, gather results) in an
 * identity set until it is closed, so leaks are countable: {@link #openCount()} must return to
 * zero after each {@code complete} call. Thread-safe.
 */
final class NativeTracker {
  private final Set<AutoCloseable> open = Collections.synchronizedSet(
      Collections.newSetFromMap(new IdentityHashMap<>()));
  private final AtomicLong created = new AtomicLong();

  <T extends AutoCloseable> T track(T value) {
    open.add(value);
    created.incrementAndGet();
    return value;
  }

  void close(AutoCloseable value) {
    if (value != null && open.remove(value)) {
      try {
        value.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing a native value failed", e);
      }
    }
  }

  int openCount() {
    return open.size();
  }

  long createdCount() {
    return created.get();
  }
}
