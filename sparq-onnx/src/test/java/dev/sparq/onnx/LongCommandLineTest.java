package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime 1.29 crashed the JVM inside {@code OrtEnvironment.getEnvironment()} when the java
 * command line was longer than about 4,000 characters. A JVM started with a command line of more
 * than 10,000 characters (default thread stack size) must create a session and generate.
 */
class LongCommandLineTest {
  @TempDir Path tmp;

  static String testClassPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }

  @Test
  void aJvmWithATenThousandCharacterCommandLineCreatesASessionAndGenerates() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Dsparq.test.padding=" + "x".repeat(10_000));
    cmd.add("-cp");
    cmd.add(testClassPath());
    cmd.add(LongCommandLineMain.class.getName());
    cmd.add(tmp.resolve("tiny").toString());
    int length = String.join(" ", cmd).length();
    assertTrue(length > 10_000, "command line of " + length + " characters");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out;
    try (var in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
    String text = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "child JVM (command line of " + length + " chars) exited "
        + p.exitValue() + ":\n" + text);
    assertTrue(text.contains("GENERATED "), text);
  }
}
