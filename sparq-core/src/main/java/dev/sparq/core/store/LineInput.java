package dev.sparq.core.store;

import dev.sparq.core.internal.BoundedLines;
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
  /**
   * The longest line read (64 MiB). A record of the candidate log is a problem with its rollouts, far
   * below this; a longer line is a corrupt or hostile file (a gzip shard of 1 MiB can hold a 1 GiB
   * line), and reading it whole would exhaust memory.
   */
  static final int MAX_LINE_BYTES = 64 << 20;

  /** A line longer than the limit; the reader stops without buffering the rest of it. */
  static final class LineTooLongException extends IOException {
    private static final long serialVersionUID = 1L;

    LineTooLongException(int limit) {
      super("a line is longer than " + limit + " bytes (" + (limit >> 20) + " MiB), the most a log line may "
          + "hold: the file is corrupt or was not written by sparq");
    }
  }

  private final InputStream in;
  private final int maxLine;
  private byte[] buf = new byte[1 << 16];
  private int start;
  private int end;
  private boolean eof;
  private boolean torn;
  private int lineStart;
  private int lineLength;

  LineInput(InputStream in) {
    this(in, MAX_LINE_BYTES);
  }

  LineInput(InputStream in, int maxLine) {
    this.in = in;
    this.maxLine = maxLine;
  }

  /** Advances to the next complete line; false at the end (check {@link #tornTail()}). */
  boolean next() throws IOException {
    int scanned = start;
    while (true) {
      int i = BoundedLines.indexOfNewline(buf, scanned, end);
      if (i >= 0) {
        lineStart = start;
        lineLength = i - start;
        start = i + 1;
        return true;
      }
      if (eof) {
        if (end > start) {
          torn = true;
          start = end;
        }
        return false;
      }
      int pending = end - start; // bytes already scanned; fill() moves them to the front
      fill();
      scanned = start + pending;
    }
  }

  private void fill() throws IOException {
    if (start > 0) {
      System.arraycopy(buf, start, buf, 0, end - start);
      end -= start;
      start = 0;
    }
    if (end == buf.length) {
      if (end >= maxLine) {
        throw new LineTooLongException(maxLine);
      }
      byte[] bigger = new byte[(int) Math.min((long) buf.length * 2, maxLine)];
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
      if (e instanceof ZipException) {
        damage = e; // or bytes that are not what was written (a bad CRC, an invalid block)
      }
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

  /**
   * The {@link ZipException} that ended a gzip input (damaged compressed bytes, or a crash's
   * leftovers that are not a clean cut), or null when the input ended at its end or was cut off.
   */
  IOException damage() {
    return damage;
  }

  private IOException damage;

  /** Whether the input ended inside a line (or inside a compressed block). */
  boolean tornTail() {
    return torn;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
