package dev.sparq.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies an HTTP response body with two bounds the JDK's client does not give: a size limit and an
 * inactivity timeout (the client's request timeout ends when the headers arrive; a body that stalls
 * afterwards would block forever).
 */
final class BoundedBody {
  private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "sparq-download-watchdog");
    t.setDaemon(true);
    return t;
  });

  private BoundedBody() {}

  /**
   * Copies at most {@code limit + 1} bytes from {@code in} to {@code out}.
   *
   * @return the number of bytes copied; a value above {@code limit} means the body was larger than
   *     allowed and reading stopped there
   * @throws InterruptedIOException if no byte arrived for {@code readTimeout} (the stream is closed)
   */
  static long copy(InputStream in, OutputStream out, long limit, Duration readTimeout, String url)
      throws IOException {
    AtomicLong lastProgress = new AtomicLong(System.nanoTime());
    AtomicBoolean timedOut = new AtomicBoolean();
    long timeoutNanos = readTimeout.toNanos();
    long period = Math.max(10, Math.min(1000, readTimeout.toMillis() / 4));
    ScheduledFuture<?> watch = WATCHDOG.scheduleAtFixedRate(() -> {
      if (System.nanoTime() - lastProgress.get() > timeoutNanos && timedOut.compareAndSet(false, true)) {
        try {
          in.close(); // unblocks the reading thread
        } catch (IOException ignored) {
          // the reader reports the timeout
        }
      }
    }, period, period, TimeUnit.MILLISECONDS);
    long total = 0;
    byte[] buf = new byte[1 << 16];
    try {
      while (total <= limit) {
        int want = (int) Math.min(buf.length, limit + 1 - total);
        int n;
        try {
          n = in.read(buf, 0, want);
        } catch (IOException e) {
          if (timedOut.get()) {
            throw timeout(url, readTimeout, total);
          }
          throw e;
        }
        if (n < 0) {
          break;
        }
        if (timedOut.get()) {
          throw timeout(url, readTimeout, total);
        }
        out.write(buf, 0, n);
        total += n;
        lastProgress.set(System.nanoTime());
      }
      if (timedOut.get() && total <= limit) {
        throw timeout(url, readTimeout, total);
      }
      return total;
    } finally {
      watch.cancel(false);
    }
  }

  private static InterruptedIOException timeout(String url, Duration readTimeout, long received) {
    return new InterruptedIOException("no data from " + url + " for " + readTimeout.toSeconds()
        + " s after " + received + " bytes (read timeout)");
  }
}
