package dev.sparq.core.store;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipException;

/**
 * Reads newline-terminated lines as byte ranges from a stream without decoding them, reusing one
 * buffer. A final line without a terminating newline, or a compressed stream that ends abruptly, is
 * reported as a torn tail instead of a line.
 */
final class LineInput implements AutoCloseable {
  private final InputStream in;
  private byte[] buf = new byte[1 << 16];
  private int start;
  private int end;
  private boolean eof;
  private boolean torn;
  private int lineStart;
  private int lineLength;

  LineInput(InputStream in) {
    this.in = in;
  }

  /** Advances to the next complete line; false at the end (check {@link #tornTail()}). */
  boolean next() throws IOException {
    while (true) {
      for (int i = start; i < end; i++) {
        if (buf[i] == '\n') {
          lineStart = start;
          lineLength = i - start;
          start = i + 1;
          return true;
        }
      }
      if (eof) {
        if (end > start) {
          torn = true;
          start = end;
        }
        return false;
      }
      fill();
    }
  }

  private void fill() throws IOException {
    if (start > 0) {
      System.arraycopy(buf, start, buf, 0, end - start);
      end -= start;
      start = 0;
    }
    if (end == buf.length) {
      byte[] bigger = new byte[buf.length * 2];
      System.arraycopy(buf, 0, bigger, 0, end);
      buf = bigger;
    }
    int n;
    try {
      n = in.read(buf, end, buf.length - end);
    } catch (EOFException | ZipException e) {
      // a gzip member cut off by a crash: whatever was not yet terminated is a torn tail
      eof = true;
      torn = true;
      return;
    }
    if (n < 0) {
      eof = true;
    } else {
      end += n;
    }
  }

  byte[] buffer() {
    return buf;
  }

  int lineStart() {
    return lineStart;
  }

  int lineLength() {
    return lineLength;
  }

  /** Whether the input ended inside a line (or inside a compressed block). */
  boolean tornTail() {
    return torn;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
