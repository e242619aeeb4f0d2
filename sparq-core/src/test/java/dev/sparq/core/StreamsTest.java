package dev.sparq.core;

import dev.sparq.core.internal.Streams;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

class StreamsTest {
  @Test
  void outputWrapperWritesAndFlushesButLeavesTheStreamOpen() throws IOException {
    boolean[] closed = {false};
    int[] flushes = {0};
    ByteArrayOutputStream bytes = new ByteArrayOutputStream() {
      @Override
      public void close() {
        closed[0] = true;
      }

      @Override
      public void flush() {
        flushes[0]++;
      }
    };
    try (OutputStream out = Streams.nonClosing(bytes)) {
      out.write(new byte[] {1, 2, 3}, 1, 2);
      out.write(9);
    }
    assertArrayEquals(new byte[] {2, 3, 9}, bytes.toByteArray());
    assertFalse(closed[0]);
    assertEquals(1, flushes[0], "close flushes");
  }

  @Test
  void inputWrapperReadsButLeavesTheStreamOpen() throws IOException {
    boolean[] closed = {false};
    InputStream base = new ByteArrayInputStream(new byte[] {5, 6, 7}) {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    try (InputStream in = Streams.nonClosing(base)) {
      assertEquals(5, in.read());
    }
    assertFalse(closed[0]);
    assertEquals(6, base.read(), "the underlying stream continues where the wrapper stopped");
    assertTrue(base.available() > 0);
  }
}
