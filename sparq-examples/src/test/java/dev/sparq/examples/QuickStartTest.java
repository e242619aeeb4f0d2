package dev.sparq.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class QuickStartTest {
  @Test
  void runsEndToEndAndPrintsArchiveStatistics() {
    PrintStream old = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      QuickStart.main(new String[] {"DYNAMIC_DIVERSE", "10", "3"});
    } finally {
      System.setOut(old);
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("SIMULATED"), out);
    assertTrue(out.matches("(?s).*archive: [1-9]\\d* members in [1-9]\\d* niches.*"), out);
  }
}
