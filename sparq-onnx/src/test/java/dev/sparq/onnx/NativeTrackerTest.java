package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NativeTrackerTest {

  @Test
  void countsOpenValuesAndClosesEachOnce() {
    NativeTracker t = new NativeTracker();
    AtomicInteger closed = new AtomicInteger();
    AutoCloseable a = closed::incrementAndGet;
    AutoCloseable b = closed::incrementAndGet;
    assertSame(a, t.track(a));
    t.track(b);
    assertEquals(2, t.openCount());
    t.close(a);
    t.close(a);
    t.close(null);
    assertEquals(1, closed.get());
    assertEquals(1, t.openCount());
    t.close(b);
    assertEquals(0, t.openCount());
    assertEquals(2, closed.get());
    assertEquals(2, t.createdCount());
  }

  @Test
  void aFailingCloseIsReportedAndForgotten() {
    NativeTracker t = new NativeTracker();
    AutoCloseable bad = () -> {
      throw new Exception("boom");
    };
    t.track(bad);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.close(bad));
    assertEquals("boom", e.getCause().getMessage());
    assertEquals(0, t.openCount());
  }
}
