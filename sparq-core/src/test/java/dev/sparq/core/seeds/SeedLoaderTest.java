package dev.sparq.core.seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.DataException;
import dev.sparq.core.model.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedLoaderTest {
  @TempDir Path tmp;

  private Path write(String name, String content) throws IOException {
    Path p = tmp.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void boxedExtractionMatchesBraces() {
    assertEquals(Optional.of("\\frac{1}{2}"), AnswerExtraction.BOXED.extract(
        "So $x = \\boxed{\\frac{1}{2}}$."));
    assertEquals(Optional.of("\\{1, 2\\}"), AnswerExtraction.BOXED.extract("\\boxed{\\{1, 2\\}}"));
    assertEquals(Optional.of("7"), AnswerExtraction.BOXED.extract("\\boxed{3} then \\boxed{7}"));
    assertEquals(Optional.of("5"), AnswerExtraction.BOXED.extract("is $\\boxed 5$"));
    assertEquals(Optional.of("3"), AnswerExtraction.BOXED.extract("\\fbox{3}"));
    // a malformed last box is no answer (an earlier box is usually an intermediate result)
    assertEquals(Optional.empty(), AnswerExtraction.BOXED.extract("\\boxed{2} and \\boxed{unclosed"));
    assertEquals(Optional.empty(), AnswerExtraction.BOXED.extract("The answer is 5."));
    assertEquals(Optional.empty(), AnswerExtraction.BOXED.extract("no box here"));
    assertEquals(Optional.of("1000"), AnswerExtraction.GSM8K.extract("so 1,000\n#### 1,000"));
    assertEquals(Optional.empty(), AnswerExtraction.GSM8K.extract("no marker"));
  }

  @Test
  void mathDirectoryTree() throws IOException {
    write("MATH/train/algebra/1.json", "{\"problem\": \"Solve $x+1=2$.\", \"level\": \"Level 1\","
        + " \"type\": \"Algebra\", \"solution\": \"$x = \\\\boxed{1}$\"}");
    write("MATH/train/geometry/7.json", "{\"problem\": \"Area of unit square?\", \"level\": \"Level 2\","
        + " \"type\": \"Geometry\", \"solution\": \"It is $\\\\boxed{1}$.\"}");
    write("MATH/README.txt", "ignored");
    SeedSet s = SeedLoader.math(tmp.resolve("MATH"));
    assertEquals(2, s.size());
    Problem p = s.problems().get(0);
    assertEquals("Solve $x+1=2$.", p.statement());
    assertEquals("1", p.answer());
    assertEquals("Level 1", p.attributes().get("level"));
    assertEquals("Algebra", p.attributes().get("type"));
    assertEquals("math", p.attributes().get("source"));
    assertEquals("train/algebra/1.json", p.attributes().get("origin"));
    assertTrue(p.lineage().isSeed());
  }

  @Test
  void mathJsonLinesAndMissingBoxedAnswer() throws IOException {
    Path f = write("math.jsonl", "{\"problem\":\"A\",\"level\":\"Level 3\",\"type\":\"Prealgebra\","
        + "\"solution\":\"\\\\boxed{4}\"}\n\n{\"problem\":\"B\",\"solution\":\"no box\"}\n");
    DataException e = assertThrows(DataException.class, () -> SeedLoader.math(f));
    assertEquals(3, e.line());
    assertEquals(Optional.of("solution"), e.field());
    assertTrue(e.getMessage().startsWith(f + ":3: field 'solution': no \\boxed{...}"), e.getMessage());

    SeedSet lenient = SeedLoader.lenient().loadMath(f);
    assertEquals(1, lenient.size());
    assertEquals(1, lenient.skipped());
    assertTrue(lenient.warnings().get(0).contains(":3:"));
  }

  @Test
  void gsm8kAnswersAndSolutions() throws IOException {
    Path f = write("gsm8k.jsonl",
        "{\"question\":\"Tom has 3 bags of 1,000 coins. How many coins?\","
            + "\"answer\":\"3 * 1000 = <<3*1000=3000>>3000\\n#### 3,000\"}\n"
            + "{\"question\":\"No answer here\",\"answer\":\"just text\"}\n");
    DataException e = assertThrows(DataException.class, () -> SeedLoader.gsm8k(f));
    assertEquals(2, e.line());
    assertTrue(e.getMessage().contains("field 'answer': no '#### <answer>' line"), e.getMessage());
    SeedSet s = SeedLoader.lenient().loadGsm8k(f);
    Problem p = s.problems().get(0);
    assertEquals("3000", p.answer());
    assertEquals("3 * 1000 = 3000", p.solution());
    assertEquals("gsm8k", p.attributes().get("source"));
    assertEquals("gsm8k.jsonl:1", p.attributes().get("origin"));
  }

  @Test
  void genericJsonArrayWithMapping() throws IOException {
    Path f = write("mine.json", "[\n  {\"q\": \"One?\", \"a\": 1, \"topic\": \"count\", \"key\": \"k1\"},\n"
        + "  {\"q\": \"Two?\", \"a\": \"2\", \"topic\": \"count\", \"key\": \"k2\"}\n]\n");
    FieldMapping m = FieldMapping.of("q", "a").withId("key").withAttributes(List.of("topic"));
    SeedSet s = SeedLoader.generic(f, m);
    assertEquals(2, s.size());
    assertEquals("k1", s.problems().get(0).id());
    assertEquals("1", s.problems().get(0).answer());
    assertEquals("count", s.problems().get(1).attributes().get("topic"));
    assertEquals("mine.json:3", s.problems().get(1).attributes().get("origin"));

    Path bad = write("bad.json", "[\n {\"q\": \"One?\"}\n]");
    DataException e = assertThrows(DataException.class, () -> SeedLoader.generic(bad, m));
    assertEquals(2, e.line());
    assertEquals(Optional.of("a"), e.field());
    assertTrue(e.getMessage().contains("the answer is missing"), e.getMessage());
    // no mapping is the caller's mistake, not the file's
    NullPointerException npe = assertThrows(NullPointerException.class,
        () -> SeedLoader.generic(f, null));
    assertTrue(npe.getMessage().startsWith("mapping"), npe.getMessage());
  }

  @Test
  void wrongFieldTypeAndBadJsonLine() throws IOException {
    Path f = write("t.jsonl", "{\"q\": [\"x\"], \"a\": \"1\"}\n{not json\n{\"q\":\"fine\",\"a\":\"2\"}\n");
    FieldMapping m = FieldMapping.of("q", "a");
    DataException e = assertThrows(DataException.class, () -> SeedLoader.generic(f, m));
    assertEquals(1, e.line());
    assertTrue(e.getMessage().contains("field 'q': expected text, found ARRAY"), e.getMessage());
    SeedSet s = SeedLoader.lenient().loadGeneric(f, m);
    assertEquals(1, s.size());
    assertEquals(2, s.skipped());
    assertTrue(s.warnings().get(1).contains(":2: not valid JSON"), s.warnings().get(1));
  }

  @Test
  void emptyFilesAreReported() throws IOException {
    Path f = write("empty.jsonl", "  \n\n");
    DataException e = assertThrows(DataException.class, () -> SeedLoader.gsm8k(f));
    assertTrue(e.getMessage().contains("the file is empty"), e.getMessage());
    DataException lenient = assertThrows(DataException.class, () -> SeedLoader.lenient().loadGsm8k(f));
    assertTrue(lenient.getMessage().contains("no seed problem could be loaded"), lenient.getMessage());
  }

  @Test
  void malformedUtf8IsDetectedNotReplaced() throws IOException {
    Path f = tmp.resolve("latin1.jsonl");
    byte[] good = "{\"q\":\"ok\",\"a\":\"1\"}\n".getBytes(StandardCharsets.UTF_8);
    byte[] bad = "{\"q\":\"caf\u00e9\",\"a\":\"2\"}\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[good.length + bad.length];
    System.arraycopy(good, 0, all, 0, good.length);
    System.arraycopy(bad, 0, all, good.length, bad.length);
    Files.write(f, all);
    FieldMapping m = FieldMapping.of("q", "a");
    DataException e = assertThrows(DataException.class, () -> SeedLoader.generic(f, m));
    assertEquals(2, e.line());
    assertTrue(e.getMessage().contains("malformed UTF-8 (byte 0xE9 at column 10)"), e.getMessage());
    SeedSet s = SeedLoader.lenient().loadGeneric(f, m);
    assertEquals(1, s.size());
    assertEquals(1, s.skipped());

    Path dir = tmp.resolve("M");
    Files.createDirectories(dir);
    Files.write(dir.resolve("1.json"), ("{\n\"problem\":\"caf\u00e9\",\"solution\":\"\\\\boxed{1}\"}")
        .getBytes(StandardCharsets.ISO_8859_1));
    DataException e2 = assertThrows(DataException.class, () -> SeedLoader.math(dir));
    assertEquals(2, e2.line());
    assertTrue(e2.getMessage().contains("1.json:2"), e2.getMessage());
  }

  @Test
  void duplicatesAreReportedWithTheFirstLocation() throws IOException {
    Path f = write("dup.jsonl", "\uFEFF{\"q\":\"What is 2+2?\",\"a\":\"4\"}\n"
        + "{\"q\":\"what is  2+2\",\"a\":\"4\"}\n{\"q\":\"What is 3+3?\",\"a\":\"6\"}\r\n");
    FieldMapping m = FieldMapping.of("q", "a");
    DataException e = assertThrows(DataException.class, () -> SeedLoader.generic(f, m));
    assertEquals(2, e.line());
    assertTrue(e.getMessage().contains("duplicate problem") && e.getMessage().contains("dup.jsonl:1"),
        e.getMessage());
    SeedSet s = SeedLoader.lenient().loadGeneric(f, m);
    assertEquals(2, s.size());
    assertEquals(1, s.skipped());
    assertEquals("What is 3+3?", s.problems().get(1).statement());
  }


  @Test
  void aLinkInsideAMathDirectoryIsRefusedStrictlyAndSkippedLeniently() throws IOException {
    Path secret = tmp.resolve("token");
    Files.writeString(secret, "hf_SECRETSECRETSECRETSECRET0123456789");
    Path dir = Files.createDirectories(tmp.resolve("math/algebra"));
    Files.writeString(dir.resolve("1.json"), "{\"problem\": \"What is $1+1$?\", \"level\": \"Level 1\", "
        + "\"type\": \"Algebra\", \"solution\": \"$\\\\boxed{2}$\"}");
    Path link = Files.createSymbolicLink(dir.resolve("2.json"), secret);
    DataException e = assertThrows(DataException.class, () -> SeedLoader.math(tmp.resolve("math")));
    assertTrue(e.getMessage().startsWith(link + ": refusing to read the seed file through a symbolic link"),
        e.getMessage());
    assertTrue(!e.getMessage().contains("SECRET"), e.getMessage());
    SeedSet lenient = SeedLoader.lenient().loadMath(tmp.resolve("math"));
    assertEquals(1, lenient.problems().size());
    assertEquals(1, lenient.skipped());
    // a linked folder is not entered
    Files.delete(link);
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("3.json"), "{\"problem\": \"What is $2+2$?\", \"solution\": \"$\\\\boxed{4}$\"}");
    Files.createSymbolicLink(tmp.resolve("math/linked"), outside);
    assertEquals(1, SeedLoader.math(tmp.resolve("math")).problems().size());
  }

  @Test
  void seedFilesThatAreDevicesFifosOrTooLargeAreRefusedBeforeReading() throws IOException {
    if (Files.exists(Path.of("/dev/zero"))) {
      for (String format : List.of("jsonl", "gsm8k", "math")) {
        DataException e = assertThrows(DataException.class, () -> {
          SeedSet unused = switch (format) {
            case "gsm8k" -> SeedLoader.gsm8k(Path.of("/dev/zero"));
            case "math" -> SeedLoader.math(Path.of("/dev/zero"));
            default -> SeedLoader.strict().loadJsonl(Path.of("/dev/zero"));
          };
        });
        assertTrue(e.getMessage().startsWith("/dev/zero: refusing to read the seed file: it is a FIFO, socket or "
            + "device, not a regular file"), e.getMessage());
      }
    }
    // a sparse file over the limit: refused by its size, before a byte is read
    Path huge = tmp.resolve("huge.jsonl");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(SeedLoader.MAX_FILE_BYTES + 1);
    }
    DataException big = assertThrows(DataException.class, () -> SeedLoader.strict().loadJsonl(huge));
    assertTrue(big.getMessage().startsWith(huge + ": the seed file is larger than 1073741824 bytes (1 GiB)"),
        big.getMessage());
    Files.delete(huge);
    // one line over 64 MiB is refused naming file and line, before it is decoded or parsed
    Path longLine = tmp.resolve("long.jsonl");
    Files.writeString(longLine, "{\"problem\": \"What is 2+2?\", \"answer\": \"4\"}\n");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(longLine.toFile(), "rw")) {
      f.setLength(f.length() + SeedLoader.MAX_RECORD_BYTES + 1);
    }
    DataException line = assertThrows(DataException.class, () -> SeedLoader.strict().loadJsonl(longLine));
    assertTrue(line.getMessage().startsWith(longLine + ":2: the line is " + (SeedLoader.MAX_RECORD_BYTES + 1)
        + " bytes long; a seed record may have at most"), line.getMessage());
    Files.delete(longLine);
    org.junit.jupiter.api.Assumptions.assumeTrue(dev.sparq.testkit.io.Fifos.make(tmp.resolve("seeds.jsonl")), "no mkfifo here");
    Path fifo = tmp.resolve("seeds.jsonl");
    DataException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
        () -> assertThrows(DataException.class, () -> SeedLoader.gsm8k(fifo)));
    assertTrue(e.getMessage().startsWith(fifo + ": refusing to read the seed file: it is a FIFO"), e.getMessage());
  }

  /** Loads a JSON Lines seed file leniently in a small heap (run by the test below in its own JVM). */
  public static final class LenientLoadChild {
    public static void main(String[] args) {
      SeedSet s = SeedLoader.lenient().loadJsonl(Path.of(args[0]));
      System.out.println("loaded " + s.size() + " skipped " + s.skipped());
    }
  }

  @Test
  void aJsonLinesSeedFileLargerThanTheHeapIsStreamed() throws Exception {
    // 160 MB of records that are skipped (no answer), then one good one; the loader used to read the
    // whole file into one array first, which a 64 MB heap cannot hold
    Path big = tmp.resolve("big.jsonl");
    String filler = "x".repeat(100_000);
    int bad = 1_600;
    try (java.io.Writer w = Files.newBufferedWriter(big)) {
      for (int i = 0; i < bad; i++) {
        w.write("{\"problem\": \"" + i + filler + "\", \"solution\": \"no answer here\"}\n");
      }
      w.write("{\"problem\": \"What is 2+2?\", \"answer\": \"4\"}\n");
    }
    assertTrue(Files.size(big) > 160_000_000L);
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(javaBin, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
        "-cp", System.getProperty("java.class.path"), LenientLoadChild.class.getName(), big.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("loaded 1 skipped " + bad), out);
    Files.delete(big);
  }

  @Test
  void anOverLongLineIsSkippedLenientlyAndTheLinesAfterItKeepTheirNumbers() throws IOException {
    Path f = tmp.resolve("mixed.jsonl");
    Files.writeString(f, "{\"problem\": \"What is 1+1?\", \"answer\": \"2\"}\r\n");
    try (java.io.OutputStream o = Files.newOutputStream(f, java.nio.file.StandardOpenOption.APPEND)) {
      byte[] chunk = new byte[1 << 20];
      java.util.Arrays.fill(chunk, (byte) 'x');
      for (int i = 0; i < 65; i++) {
        o.write(chunk); // line 2: 65 MiB
      }
      o.write("\r\n\n{\"problem\": \"What is 3+3?\", \"answer\": \"6\"}".getBytes(StandardCharsets.UTF_8));
    }
    SeedSet s = SeedLoader.lenient().loadJsonl(f);
    assertEquals(List.of("What is 1+1?", "What is 3+3?"), s.problems().stream().map(q -> q.statement()).toList());
    assertEquals(1, s.skipped());
    assertTrue(s.warnings().get(0).startsWith(f + ":2: the line is " + (65 << 20) + " bytes long"),
        s.warnings().get(0));
    assertEquals("mixed.jsonl:4", s.problems().get(1).attributes().get("origin"));
  }
}
