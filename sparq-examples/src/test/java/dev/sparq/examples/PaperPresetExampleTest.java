package dev.sparq.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PaperPresetExampleTest {
  @Test
  void runsAndReportsAnArchiveAndTheVocabulary() {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      PaperPresetExample.main(new String[0]);
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("generated 640"), out);
    assertTrue(out.contains("skill vocabulary: [addition, multiplication]"), out);
    assertTrue(!out.contains("archive 0 members"), out);
  }
}
