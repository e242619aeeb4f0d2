package dev.sparq.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BoundedLinesTest {
  /** What a reader must give: the lines of {@code data} as split by '\n', each without a final '\r'. */
  private static List<String> reference(byte[] data, int maxLine) {
    int from = data.length >= 3 && (data[0] & 0xff) == 0xEF && (data[1] & 0xff) == 0xBB
        && (data[2] & 0xff) == 0xBF ? 3 : 0;
    List<String> out = new ArrayList<>();
    int start = from;
    for (int i = from; i <= data.length; i++) {
      if (i == data.length && i == start) {
        break; // nothing after the last newline
      }
      if (i == data.length || data[i] == '\n') {
        int len = i - start;
        if (len > 0 && data[i - 1] == '\r') {
          len--;
        }
        out.add(len > maxLine ? "TOO LONG " + len
            : new String(data, start, len, StandardCharsets.ISO_8859_1));
        start = i + 1;
      }
    }
    return out;
  }

  private static List<String> read(InputStream in, int maxLine) throws IOException {
    List<String> out = new ArrayList<>();
    try (BoundedLines lines = new BoundedLines(in, maxLine)) {
      while (lines.next()) {
        assertEquals(out.size() + 1, lines.number());
        out.add(lines.tooLong() ? "TOO LONG " + lines.length()
            : new String(lines.buffer(), lines.start(), (int) lines.length(), StandardCharsets.ISO_8859_1));
      }
      assertFalse(lines.next(), "stays at the end");
    }
    return out;
  }

  /** A stream that hands out at most a few bytes per read, as a pipe or a slow disk may. */
  private static InputStream trickle(byte[] data, Random r) {
    return new ByteArrayInputStream(data) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 1 + r.nextInt(7)));
      }
    };
  }

  @Test
  void linesEndsByteOrderMarkAndOverLongLines() throws IOException {
    byte[] data = "\uFEFFab\r\n\ncdefgh\r\nij\r\r\nklmnop\nq".getBytes(StandardCharsets.UTF_8);
    assertEquals(List.of("ab", "", "TOO LONG 6", "ij\r", "TOO LONG 6", "q"),
        read(new ByteArrayInputStream(data), 4));
    // a line of exactly the limit, followed by "\r\n", is kept whole
    assertEquals(List.of("abcd", "e"), read(new ByteArrayInputStream("abcd\r\ne\n".getBytes(
        StandardCharsets.US_ASCII)), 4));
    assertEquals(List.of(), read(new ByteArrayInputStream(new byte[0]), 4));
    assertEquals(List.of(""), read(new ByteArrayInputStream("\n".getBytes(StandardCharsets.US_ASCII)), 4));
    // a byte-order mark only at the very start
    assertEquals(List.of("a", "\u00ef\u00bb\u00bfb"), read(new ByteArrayInputStream(
        "a\n\uFEFFb".getBytes(StandardCharsets.UTF_8)), 8));
  }

  @Test
  void anOverLongLineIsNotHeldInMemory() throws IOException {
    int limit = 1 << 16;
    byte[] data = new byte[40 << 20]; // one 40 MiB line, then a short one
    Arrays.fill(data, (byte) 'x');
    data[data.length - 3] = '\n';
    data[data.length - 2] = 'o';
    data[data.length - 1] = 'k';
    try (BoundedLines lines = new BoundedLines(new ByteArrayInputStream(data), limit)) {
      assertTrue(lines.next());
      assertTrue(lines.tooLong());
      assertEquals(data.length - 3, lines.length());
      assertTrue(lines.buffer().length <= limit + 2, "buffer " + lines.buffer().length);
      assertTrue(lines.next());
      assertEquals("ok", new String(lines.buffer(), lines.start(), (int) lines.length(),
          StandardCharsets.US_ASCII));
      assertEquals(2, lines.number());
    }
  }

  @Test
  void agreesWithSplittingTheWholeInputWhateverTheReadSizes() throws IOException {
    Random r = new Random(20261203L);
    byte[] alphabet = {'a', 'b', '\n', '\r', (byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    for (int c = 0; c < 3000; c++) {
      byte[] data = new byte[r.nextInt(60)];
      for (int i = 0; i < data.length; i++) {
        data[i] = alphabet[r.nextInt(alphabet.length)];
      }
      if (r.nextInt(4) == 0 && data.length >= 3) {
        data[0] = (byte) 0xEF;
        data[1] = (byte) 0xBB;
        data[2] = (byte) 0xBF;
      }
      int maxLine = 1 + r.nextInt(12);
      assertEquals(reference(data, maxLine), read(trickle(data, r), maxLine),
          "case " + c + ": " + Arrays.toString(data) + ", maxLine " + maxLine);
    }
  }

  @Test
  void firstByteSkipsTheByteOrderMarkAndWhiteSpaceOnly() throws IOException {
    assertEquals('[', BoundedLines.firstByte(new ByteArrayInputStream(
        "\uFEFF \r\n\t[1]".getBytes(StandardCharsets.UTF_8))));
    assertEquals('{', BoundedLines.firstByte(new ByteArrayInputStream(
        (" ".repeat(20_000) + "{}").getBytes(StandardCharsets.UTF_8))));
    assertEquals(-1, BoundedLines.firstByte(new ByteArrayInputStream("\uFEFF \n".getBytes(StandardCharsets.UTF_8))));
    assertEquals(-1, BoundedLines.firstByte(new ByteArrayInputStream(new byte[0])));
    // a mark that is not at the start is data, and so is a broken one
    assertEquals(0xEF, BoundedLines.firstByte(new ByteArrayInputStream(" \uFEFF[".getBytes(StandardCharsets.UTF_8))));
    assertEquals(0xEF, BoundedLines.firstByte(new ByteArrayInputStream(new byte[] {(byte) 0xEF, (byte) 0xBB, '['})));
  }

  /** The eight-bytes-at-a-time scan finds the same newline as a byte-by-byte one, at any alignment. */
  @Test
  void indexOfNewlineAgreesWithAPlainScan() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(11);
    for (int round = 0; round < 2_000; round++) {
      byte[] b = new byte[r.nextInt(40)];
      for (int i = 0; i < b.length; i++) {
        int u = r.nextInt(10);
        // newlines, bytes with the high bit set (UTF-8), and bytes one off '\n'
        b[i] = (byte) (u == 0 ? '\n' : u == 1 ? 0x8a : u == 2 ? 0x0b : u == 3 ? 0x09 : 'a' + r.nextInt(26));
      }
      int from = b.length == 0 ? 0 : r.nextInt(b.length + 1);
      int to = from + r.nextInt(b.length - from + 1);
      int want = -1;
      for (int i = from; i < to; i++) {
        if (b[i] == '\n') {
          want = i;
          break;
        }
      }
      assertEquals(want, BoundedLines.indexOfNewline(b, from, to), java.util.Arrays.toString(b) + " " + from + ".." + to);
    }
  }
}
