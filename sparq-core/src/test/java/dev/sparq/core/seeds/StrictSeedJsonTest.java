package dev.sparq.core.seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.DataException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed files are read strictly: nothing on a line is silently dropped or overridden. */
class StrictSeedJsonTest {
  @TempDir Path tmp;

  private Path write(String name, String content) throws IOException {
    Path p = tmp.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  private static String error(Runnable r) {
    return assertThrows(DataException.class, r::run).getMessage();
  }

  @Test
  void twoObjectsOnOneLineOrTrailingTextAreRefusedWithTheLine() throws IOException {
    Path two = write("two.jsonl", "{\"question\": \"a?\", \"answer\": \"#### 1\"}\n"
        + "{\"question\": \"b?\", \"answer\": \"#### 2\"} {\"question\": \"c?\", \"answer\": \"#### 3\"}\n");
    String m = error(() -> SeedLoader.gsm8k(two));
    assertTrue(m.startsWith(two + ":2: not valid JSON: "), m);
    assertTrue(m.contains("column"), m);
    Path trailing = write("t.jsonl", "{\"question\": \"b?\", \"answer\": \"#### 2\"} extra\n");
    assertTrue(error(() -> SeedLoader.gsm8k(trailing)).startsWith(trailing + ":1: not valid JSON"));
    Path array = write("a.json", "[{\"q\": \"x\", \"a\": \"1\"}] [{\"q\": \"y\", \"a\": \"2\"}]");
    assertTrue(error(() -> SeedLoader.generic(array, FieldMapping.of("q", "a"))).contains("after the closing"));
  }

  @Test
  void aRepeatedKeyIsRefusedNotLastWins() throws IOException {
    Path dup = write("d.jsonl", "{\"question\": \"What is 1+1?\", \"answer\": \"#### 2\", \"answer\": \"#### 3\"}\n");
    String m = error(() -> SeedLoader.gsm8k(dup));
    assertTrue(m.startsWith(dup + ":1: ") && m.contains("Duplicate field 'answer'"), m);
  }

  @Test
  void theStatementMustBeText() throws IOException {
    Path num = write("n.jsonl", "{\"problem\": 42, \"answer\": \"4\"}\n");
    assertEquals(num + ":1: field 'problem': expected text, found NUMBER (42)", error(() -> SeedLoader.generic(num,
        FieldMapping.of("problem", "answer"))));
    // lenient mode counts it and goes on
    Path mixed = write("m.jsonl", "{\"problem\": 42, \"answer\": \"4\"}\n{\"problem\": \"2+2?\", \"answer\": \"4\"}\n");
    SeedSet s = SeedLoader.lenient().loadGeneric(mixed, FieldMapping.of("problem", "answer"));
    assertEquals(1, s.problems().size());
    assertEquals(1, s.skipped());
  }

  @Test
  void jsonlLayoutReadsStatementAliasBomAndRefusesDuplicates() throws IOException {
    Path f = tmp.resolve("s.jsonl");
    Files.write(f, ("\uFEFF{\"statement\": \"What is 2+2?\", \"answer\": \"4\", \"level\": \"Level 1\"}\n"
        + "{\"problem\": \"What is 3+3?\", \"solution\": \"so \\\\boxed{6}\"}\n").getBytes(StandardCharsets.UTF_8));
    SeedSet s = SeedLoader.strict().loadJsonl(f);
    assertEquals(2, s.problems().size());
    assertEquals("Level 1", s.problems().get(0).attributes().get("level"));
    assertEquals("6", s.problems().get(1).answer());
    Path dup = write("dup.jsonl", "{\"problem\": \"What is 2+2?\", \"answer\": \"4\"}\n"
        + "{\"problem\": \"What is 2+2?\", \"answer\": \"4\"}\n");
    assertTrue(error(() -> SeedLoader.strict().loadJsonl(dup)).startsWith(dup + ":2: field 'problem': duplicate"));
    Path utf16 = tmp.resolve("u16.jsonl");
    Files.write(utf16, "{\"problem\": \"x\", \"answer\": \"1\"}\n".getBytes(StandardCharsets.UTF_16));
    String m = error(() -> SeedLoader.strict().loadJsonl(utf16));
    assertTrue(m.startsWith(utf16 + ":1: malformed UTF-8"), m);
  }

  @Test
  void lenientMathTreeSkipsAnUnreadableFileAndStrictNamesTheCause() throws IOException {
    write("MATH/train/algebra/1.json", "{\"problem\": \"Solve x+1=2.\", \"solution\": \"\\\\boxed{1}\", "
        + "\"level\": \"Level 1\", \"type\": \"Algebra\"}");
    // a symbolic link loop named like a problem file: links inside the tree are never read
    Path loop = tmp.resolve("MATH/train/algebra/2.json");
    Files.createSymbolicLink(loop, loop.getFileName());
    Path root = tmp.resolve("MATH");
    SeedSet s = SeedLoader.lenient().loadMath(root);
    assertEquals(1, s.problems().size());
    assertEquals(1, s.skipped());
    assertTrue(s.warnings().get(0).startsWith(loop + ": refusing to read the seed file through a symbolic link"),
        s.warnings().toString());
    String strict = error(() -> SeedLoader.strict().loadMath(root));
    assertTrue(strict.startsWith(loop + ": refusing to read the seed file through a symbolic link"), strict);
    Path unreadable = tmp.resolve("plain/1.json");
    Files.createDirectories(unreadable); // a directory where a file is expected
    String m = error(() -> SeedLoader.strict().loadGeneric(unreadable, FieldMapping.of("p", "a")));
    assertEquals(unreadable + ": refusing to read the seed file: it is a directory, not a regular file", m);
    Path missing = tmp.resolve("plain/none.jsonl");
    m = error(() -> SeedLoader.strict().loadGeneric(missing, FieldMapping.of("p", "a")));
    assertTrue(m.startsWith(missing + ": cannot read the seed file: "), m);
    assertFalse(m.endsWith("cannot read the seed file: "), m);
  }
}
