package dev.sparq.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps documentation snippets honest: every region marked {@code // snippet:NAME} ...
 * {@code // end:NAME} in the example sources must appear verbatim (after removing common
 * indentation) in at least one page of src-docs, and every page that names a snippet with
 * {@code <!-- snippet:NAME -->} must name an existing one.
 */
class DocSnippetsTest {
  private static final Pattern START = Pattern.compile("^\\s*// snippet:(\\S+)\\s*$");

  private static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("src-docs"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("src-docs not found above " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  static List<String[]> snippets(Path sources) throws IOException {
    List<String[]> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          Matcher m = START.matcher(lines.get(i));
          if (m.matches()) {
            String name = m.group(1);
            List<String> body = new ArrayList<>();
            int j = i + 1;
            while (j < lines.size() && !lines.get(j).trim().equals("// end:" + name)) {
              body.add(lines.get(j++));
            }
            if (j == lines.size()) {
              throw new IllegalStateException(f + ": snippet '" + name + "' has no end marker");
            }
            out.add(new String[] {name, dedent(body), f.toString()});
          }
        }
      }
    }
    return out;
  }

  static String dedent(List<String> body) {
    int indent = Integer.MAX_VALUE;
    for (String l : body) {
      if (!l.isBlank()) {
        indent = Math.min(indent, l.length() - l.stripLeading().length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String l : body) {
      sb.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
    }
    return sb.toString();
  }

  @Test
  void everySnippetAppearsInTheDocs() throws IOException {
    Path root = root();
    List<String[]> snippets = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root)) {
      for (Path m : modules.filter(p -> p.getFileName().toString().startsWith("sparq-")).toList()) {
        Path src = m.resolve("src/main/java");
        if (Files.isDirectory(src)) {
          snippets.addAll(snippets(src));
        }
      }
    }
    assertFalse(snippets.isEmpty(), "no snippets found");
    StringBuilder docs = new StringBuilder();
    try (Stream<Path> pages = Files.walk(root.resolve("src-docs"))) {
      for (Path p : pages.filter(x -> x.toString().endsWith(".md")).toList()) {
        docs.append(Files.readString(p)).append('\n');
      }
    }
    for (String[] s : snippets) {
      assertTrue(docs.indexOf(s[1]) >= 0,
          "snippet '" + s[0] + "' from " + s[2] + " is not in src-docs verbatim:\n" + s[1]);
    }
  }
}
