package dev.sparq.examples.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line in-process and captures its output. */
final class CliTestSupport {
  private CliTestSupport() {}

  record Result(int status, String out, String err) {}

  static Result sparq(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = SparqCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** A small demo run (2 iterations of 8, 40 seeds, K = 4) in {@code dir}; fails the test if it fails. */
  static java.nio.file.Path smallDemo(java.nio.file.Path dir) {
    Result r = sparq("demo", "-o", dir.toString(), "--iterations", "2", "--batch", "8", "--seeds", "40",
        "-k", "4", "--progress", "none");
    org.junit.jupiter.api.Assertions.assertEquals(0, r.status(), r.err());
    return dir;
  }
}
