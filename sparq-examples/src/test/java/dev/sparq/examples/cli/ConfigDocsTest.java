package dev.sparq.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Keeps the configuration docs honest: every YAML example parses, and every key is documented. */
class ConfigDocsTest {
  private static Path docs() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("src-docs"))) {
      p = p.getParent();
    }
    return p.resolve("src-docs");
  }

  private static List<String> yamlBlocks(String markdown) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("(?s)```yaml\\n(.*?)```").matcher(markdown);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void everyYamlExampleInTheDocsIsAValidConfiguration() throws IOException {
    int n = 0;
    for (String page : List.of("configuration.md", "quickstart.md", "backends.md")) {
      for (String block : yamlBlocks(Files.readString(docs().resolve(page)))) {
        JsonNode tree = new YAMLMapper().readTree(block);
        RunConfig c = RunConfig.fromTree(tree, page, Path.of("/tmp"));
        assertEquals(c, RunConfig.fromTree(c.toTree(), page, null));
        n++;
      }
    }
    assertTrue(n >= 3, "expected YAML examples in the docs, found " + n);
  }

  @Test
  void everyKeyIsDocumented() throws IOException {
    String page = Files.readString(docs().resolve("configuration.md"));
    for (String key : RunConfig.KEYS) {
      assertTrue(page.contains("| `" + key + "` |"), "configuration.md has no row for '" + key + "'");
    }
  }
}
