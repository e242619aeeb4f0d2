package dev.sparq.core.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * Streams the lines of a file someone else wrote as undecoded byte ranges, holding at most one line
 * (up to a limit) in memory. A line longer than the limit is not buffered: it is skipped to its end
 * and reported with its length, and reading goes on with the next line, so a caller that skips bad
 * records can keep going. A final line without a newline is a line; a trailing {@code '\r'} is
 * dropped from every line, and a UTF-8 byte-order mark at the very start is skipped.
 *
 * <p>Typical use:
 *
 * <pre>{@code
 * try (BoundedLines lines = new BoundedLines(in, 64 << 20)) {
 *   while (lines.next()) {
 *     if (lines.tooLong()) { ... lines.number(), lines.length() ... continue; }
 *     String text = decode(lines.buffer(), lines.start(), lines.length());
 *   }
 * }
 * }</pre>
 */
public final class BoundedLines implements AutoCloseable {
  private final InputStream in;
  private final int maxLine;
  private byte[] buf;
  private int pos;
  private int end;
  private boolean eof;
  private boolean started;
  private long number;
  private int lineStart;
  private long lineLength;
  private boolean tooLong;

  /**
   * @param in the stream, closed by {@link #close()}
   * @param maxLine the longest line held (without its {@code "\r\n"}); at least 1
   */
  public BoundedLines(InputStream in, int maxLine) {
    if (maxLine < 1 || maxLine > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("maxLine out of range: " + maxLine);
    }
    this.in = in;
    this.maxLine = maxLine;
    this.buf = new byte[Math.min(1 << 16, maxLine + 2)];
  }

  /** Advances to the next line; false at the end of the stream. */
  public boolean next() throws IOException {
    if (!started) {
      started = true;
      skipByteOrderMark();
    }
    tooLong = false;
    int scanned = pos;
    while (true) {
      int nl = indexOfNewline(buf, scanned, end);
      if (nl >= 0) {
        return line(pos, nl - pos, nl + 1);
      }
      if (eof) {
        return end > pos && line(pos, end - pos, end);
      }
      if (end - pos > maxLine + 1) { // longer than any line kept, even with a '\r' to drop
        return skipLongLine();
      }
      int pending = end - pos;
      fill();
      scanned = pos + pending;
    }
  }

  private boolean line(int from, int length, int next) {
    number++;
    pos = next;
    if (length > 0 && buf[from + length - 1] == '\r') {
      length--;
    }
    lineStart = from;
    lineLength = length;
    tooLong = length > maxLine;
    return true;
  }

  /** Consumes the rest of a line that is over the limit, counting its bytes. */
  private boolean skipLongLine() throws IOException {
    number++;
    tooLong = true;
    long length = 0;
    byte last = 0;
    while (true) {
      int nl = indexOfNewline(buf, pos, end);
      int stop = nl >= 0 ? nl : end;
      length += stop - pos;
      if (stop > pos) {
        last = buf[stop - 1];
      }
      pos = nl >= 0 ? nl + 1 : end;
      if (nl >= 0 || eof) {
        lineLength = last == '\r' ? length - 1 : length;
        lineStart = 0;
        return true;
      }
      pos = 0;
      end = 0;
      fill();
    }
  }

  private void skipByteOrderMark() throws IOException {
    while (end - pos < 3 && !eof) {
      fill();
    }
    if (end - pos >= 3 && (buf[pos] & 0xff) == 0xEF && (buf[pos + 1] & 0xff) == 0xBB
        && (buf[pos + 2] & 0xff) == 0xBF) {
      pos += 3;
    }
  }

  private void fill() throws IOException {
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, end - pos);
      end -= pos;
      pos = 0;
    }
    if (end == buf.length) {
      // grow up to one byte past the longest line kept (plus its '\r'), never beyond
      byte[] bigger = new byte[(int) Math.min((long) buf.length * 2, (long) maxLine + 2)];
      System.arraycopy(buf, 0, bigger, 0, end);
      buf = bigger;
    }
    int n = in.read(buf, end, buf.length - end);
    if (n < 0) {
      eof = true;
    } else {
      end += n;
    }
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class,
          java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long NEWLINES = ONES * '\n';

  /**
   * The index of the first {@code '\n'} in {@code b[from, to)}, or -1; eight bytes at a time (the
   * scan of every line reader here, the candidate log's included).
   */
  public static int indexOfNewline(byte[] b, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long x = (long) LONGS.get(b, i) ^ NEWLINES;
      long found = (x - ONES) & ~x & HIGHS;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /**
   * The first byte of a stream after a UTF-8 byte-order mark that is not white space (as
   * {@link Character#isWhitespace(int)} sees a byte), or -1 when there is none; reads only as far
   * as it takes to find it. It tells a JSON array ({@code '['}) from JSON Lines without reading the
   * whole file.
   */
  public static int firstByte(InputStream in) throws IOException {
    byte[] head = in.readNBytes(3);
    boolean bom = head.length == 3 && (head[0] & 0xff) == 0xEF && (head[1] & 0xff) == 0xBB
        && (head[2] & 0xff) == 0xBF;
    for (int i = bom ? 3 : 0; i < head.length; i++) {
      if (!Character.isWhitespace(head[i])) {
        return head[i] & 0xff;
      }
    }
    byte[] chunk = new byte[1 << 13];
    int n;
    while ((n = in.read(chunk)) > 0) {
      for (int i = 0; i < n; i++) {
        if (!Character.isWhitespace(chunk[i])) {
          return chunk[i] & 0xff;
        }
      }
    }
    return -1;
  }

  /** The current line's number, counted from 1. */
  public long number() {
    return number;
  }

  /** Whether the current line is longer than the limit (then only {@link #length()} is known). */
  public boolean tooLong() {
    return tooLong;
  }

  /** The current line's length in bytes, without its line end. */
  public long length() {
    return lineLength;
  }

  /** The buffer holding the current line (valid until the next call of {@link #next()}). */
  public byte[] buffer() {
    return buf;
  }

  /** Where the current line starts in {@link #buffer()}. */
  public int start() {
    return lineStart;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
