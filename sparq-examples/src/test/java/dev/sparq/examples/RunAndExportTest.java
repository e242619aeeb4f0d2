package dev.sparq.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunAndExportTest {
  @TempDir Path tmp;

  private String run(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      RunAndExport.main(args);
    } finally {
      System.setOut(old);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void runsResumesAndExports() throws Exception {
    String dir = tmp.resolve("run").toString();
    String first = run(dir, "6");
    assertTrue(first.contains("finished at iteration 6"), first);
    String second = run(dir, "12");
    assertTrue(second.contains("resumed, now at iteration 12"), second);
    assertTrue(second.matches("(?s).*exported [1-9]\\d* rows.*"), second);
    Path data = tmp.resolve("run/export/arithmetic-sft.jsonl");
    assertTrue(Files.readString(data).startsWith("{\"messages\":[{\"role\":\"user\""));
    assertTrue(Files.exists(tmp.resolve("run/export/README.md")));
  }
}
