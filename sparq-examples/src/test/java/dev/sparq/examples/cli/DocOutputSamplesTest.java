package dev.sparq.examples.cli;

import static dev.sparq.examples.cli.CliTestSupport.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the samples of command output in src-docs honest: the demo's output in quickstart.md has the
 * lines the demo prints, field for field (numbers and paths aside), and the error lines in
 * configuration.md are the ones the command prints for those files.
 */
class DocOutputSamplesTest {
  @TempDir Path tmp;

  private static Path docs() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("src-docs"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("src-docs not found above " + Path.of("").toAbsolutePath());
    }
    return p.resolve("src-docs");
  }

  /** The lines of the first fenced block after {@code marker} in {@code page}. */
  static List<String> block(String page, String marker) {
    int at = page.indexOf(marker);
    assertTrue(at >= 0, "the page has '" + marker + "'");
    int open = page.indexOf("```", at);
    int start = page.indexOf('\n', open) + 1;
    int end = page.indexOf("```", start);
    List<String> lines = new ArrayList<>();
    for (String l : page.substring(start, end).split("\n")) {
      if (!l.isBlank()) {
        lines.add(l);
      }
    }
    return lines;
  }

  /**
   * A line's shape: numbers become {@code #}, paths {@code PATH} (rates such as {@code it/s} stay),
   * {@code java -jar PATH} (how the jar is called again) becomes {@code sparq}, spaces collapse.
   */
  static String shape(String line) {
    StringBuilder sb = new StringBuilder();
    for (String tok : line.trim().split("\\s+")) {
      if (tok.contains("/") && !tok.matches("[a-z]+/s,?")) {
        tok = "PATH";
      } else {
        tok = tok.replaceAll("\\d+(?:[.:]\\d+)*", "#");
      }
      sb.append(tok).append(' ');
    }
    return sb.toString().trim().replace("java -jar PATH", "sparq");
  }

  private static Set<String> shapes(List<String> lines) {
    Set<String> out = new LinkedHashSet<>();
    for (String l : lines) {
      if (!l.isBlank()) {
        out.add(shape(l));
      }
    }
    return out;
  }

  @Test
  void theDemoOutputInTheQuickStartHasTheLinesTheDemoPrints() throws IOException {
    String page = Files.readString(docs().resolve("quickstart.md"), StandardCharsets.UTF_8);
    List<String> doc = block(page, "It prints something like this");
    CliTestSupport.Result r = sparq("demo", "-o", tmp.resolve("demo").toString(), "--iterations", "2",
        "--batch", "8", "--seeds", "40", "-k", "4", "--progress", "log");
    assertEquals(0, r.status(), r.err());
    List<String> real = new ArrayList<>(List.of(r.out().split("\n")));
    real.addAll(List.of(r.err().split("\n")));
    Set<String> docShapes = shapes(doc);
    Set<String> realShapes = shapes(real);
    for (String s : docShapes) {
      assertTrue(realShapes.contains(s), "quickstart.md shows a line the demo does not print: " + s
          + "\nthe demo prints:\n" + String.join("\n", realShapes));
    }
    for (String s : realShapes) {
      assertTrue(docShapes.contains(s), "the demo prints a line quickstart.md does not show: " + s
          + "\nquickstart.md shows:\n" + String.join("\n", docShapes));
    }
  }

  @Test
  void theErrorLinesInTheConfigurationReferenceAreTheOnesPrinted() throws IOException {
    String page = Files.readString(docs().resolve("configuration.md"), StandardCharsets.UTF_8);
    List<String> doc = block(page, "Every error\nnames the file");
    String[] files = {"backend: {type: gpt}\n", "backend: {type: demo}\nbudget: {iterations: 1}\noutput: o\nkk: 1\n"};
    assertEquals(files.length, doc.size(), "one sample line per file: " + doc);
    for (int i = 0; i < files.length; i++) {
      Path dir = Files.createDirectories(tmp.resolve("c" + i));
      Files.writeString(dir.resolve("run.yaml"), files[i], StandardCharsets.UTF_8);
      CliTestSupport.Result r = sparq("run", "--config", dir.resolve("run.yaml").toString());
      assertEquals(2, r.status(), r.out() + r.err());
      assertEquals(doc.get(i), r.err().strip().replace(dir + java.io.File.separator, ""));
    }
  }
}
