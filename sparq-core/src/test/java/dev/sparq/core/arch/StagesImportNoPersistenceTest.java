package dev.sparq.core.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: the pipeline stages, the archive and the model types keep no persistence. Sources in
 * these packages must not reference {@code dev.sparq.core.store} (imports or qualified names in
 * code); components expose state through {@code dev.sparq.core.state.Stateful}, which the storage
 * layer discovers. A standalone check until the architecture test of issue 11 carries the rule.
 */
class StagesImportNoPersistenceTest {
  /** Packages under dev.sparq.core that must stay free of persistence. */
  static final List<String> STAGE_PACKAGES = List.of("stage", "generate", "solve", "difficulty",
      "describe", "archive", "model", "state", "engine");

  private static final Pattern STORE = Pattern.compile("\\bdev\\.sparq\\.core\\.store\\b");

  /** The source text with comments and string literals removed (Javadoc links do not count). */
  static String code(String src) {
    StringBuilder out = new StringBuilder(src.length());
    int i = 0;
    int n = src.length();
    while (i < n) {
      char c = src.charAt(i);
      if (c == '/' && i + 1 < n && src.charAt(i + 1) == '/') {
        while (i < n && src.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '/' && i + 1 < n && src.charAt(i + 1) == '*') {
        int end = src.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (c == '"') {
        i++;
        while (i < n && src.charAt(i) != '"') {
          i += src.charAt(i) == '\\' ? 2 : 1;
        }
        i++;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static Path sources() {
    for (Path p : List.of(Path.of("src/main/java/dev/sparq/core"),
        Path.of("sparq-core/src/main/java/dev/sparq/core"))) {
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    throw new AssertionError("sparq-core sources not found from " + Path.of("").toAbsolutePath());
  }

  @Test
  void stagesReferenceNoPersistencePackage() {
    Path root = sources();
    List<String> offenders = new ArrayList<>();
    int files = 0;
    for (String pkg : STAGE_PACKAGES) {
      Path dir = root.resolve(pkg);
      assertTrue(Files.isDirectory(dir), "package " + pkg + " is missing: update the rule");
      try (Stream<Path> s = Files.list(dir)) {
        for (Path f : s.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
          files++;
          Matcher m = STORE.matcher(code(Files.readString(f)));
          if (m.find()) {
            offenders.add(root.relativize(f).toString());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    assertTrue(files > 30, "too few sources checked: " + files);
    assertEquals(List.of(), offenders, "these stage sources use dev.sparq.core.store; expose state"
        + " through dev.sparq.core.state.Stateful instead");
  }

  @Test
  void theCheckSeesAnImportAndIgnoresComments() {
    assertTrue(STORE.matcher(code("import dev.sparq.core.store.CheckpointSlot;")).find());
    assertTrue(!STORE.matcher(code("/** {@link dev.sparq.core.store.SparqRun} */ class A {}")).find());
    assertTrue(!STORE.matcher(code("String s = \"dev.sparq.core.store\";")).find());
  }
}
