package dev.sparq.core.export;

import dev.sparq.core.SparqException;
import dev.sparq.core.store.LogReader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Function;

/**
 * Reads and decodes log records on a background thread while the caller filters and writes, in
 * batches through a small bounded queue (so memory stays bounded and order is kept). {@code stage}
 * runs on the background thread for every record and returns the item to hand over, or null to drop
 * the record; it must only touch state that the caller reads after {@link #next()} returned null.
 * With {@code background == false} everything runs on the caller's thread.
 */
final class Pump<T> implements AutoCloseable {
  private static final int BATCH = 256;
  private static final List<Object> END = new ArrayList<>();

  private final LogReader log;
  private final Function<LogReader.RecordView, T> stage;
  private final BlockingQueue<List<Object>> queue;
  private final Thread thread;
  private volatile Throwable failure;
  private volatile boolean closed;
  private List<Object> batch = List.of();
  private int pos;
  private boolean finished;

  Pump(LogReader log, Function<LogReader.RecordView, T> stage, boolean background) {
    this.log = log;
    this.stage = stage;
    if (background) {
      queue = new ArrayBlockingQueue<>(8);
      thread = new Thread(this::produce, "sparq-export-reader");
      thread.setDaemon(true);
      thread.start();
    } else {
      queue = null;
      thread = null;
    }
  }

  private void produce() {
    try {
      List<Object> out = new ArrayList<>(BATCH);
      LogReader.RecordView v;
      while (!closed && (v = log.nextView()) != null) {
        T item = stage.apply(v);
        if (item != null) {
          out.add(item);
          if (out.size() == BATCH) {
            queue.put(out);
            out = new ArrayList<>(BATCH);
          }
        }
      }
      if (!out.isEmpty()) {
        queue.put(out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      failure = t;
    } finally {
      try {
        queue.put(END);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The next item, or null at the end. Rethrows what the background thread failed with. */
  @SuppressWarnings("unchecked")
  T next() {
    if (thread == null) {
      LogReader.RecordView v;
      while ((v = log.nextView()) != null) {
        T item = stage.apply(v);
        if (item != null) {
          return item;
        }
      }
      return null;
    }
    while (pos == batch.size()) {
      if (finished) {
        return null;
      }
      try {
        batch = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SparqException("interrupted while exporting", e);
      }
      pos = 0;
      if (batch == END) {
        finished = true;
        batch = List.of();
        try {
          thread.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        Throwable t = failure;
        if (t instanceof RuntimeException re) {
          throw re;
        } else if (t instanceof Error err) {
          throw err;
        } else if (t != null) {
          throw new SparqException("reading the candidate log failed: " + t, t);
        }
        return null;
      }
    }
    return (T) batch.get(pos++);
  }

  @Override
  public void close() {
    closed = true;
    if (thread != null && !finished) {
      thread.interrupt();
      queue.clear();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
