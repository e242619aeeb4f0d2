package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class OnnxSessionsCloseTest {

  @Test
  void closesEveryValueEvenAfterAFailureAndSkipsNulls() {
    List<String> closed = new ArrayList<>();
    AutoCloseable a = () -> closed.add("a");
    AutoCloseable bad = () -> {
      closed.add("bad");
      throw new IllegalStateException("boom");
    };
    AutoCloseable c = () -> closed.add("c");
    OnnxSessions.closeQuietly(LoggerFactory.getLogger(OnnxSessionsCloseTest.class), a, null, bad, c);
    assertEquals(List.of("a", "bad", "c"), closed);
  }
}
