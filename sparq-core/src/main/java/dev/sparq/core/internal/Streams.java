package dev.sparq.core.internal;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Stream wrappers that do not close what they wrap, for handing a caller's stream (or a channel
 * that must stay open) to code that closes what it is given, such as Jackson's {@code writeValue}
 * or a {@link java.io.BufferedOutputStream} being flushed and dropped.
 */
public final class Streams {
  private Streams() {}

  /** {@code out} behind a wrapper whose {@code close()} only flushes. */
  public static OutputStream nonClosing(OutputStream out) {
    return new FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush();
      }
    };
  }

  /** {@code in} behind a wrapper whose {@code close()} does nothing. */
  public static InputStream nonClosing(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public void close() {}
    };
  }
}
