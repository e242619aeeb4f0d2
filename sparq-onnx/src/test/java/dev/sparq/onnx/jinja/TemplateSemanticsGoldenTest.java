package dev.sparq.onnx.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Small templates covering the Jinja2 features chat templates use, against what Python Jinja2
 * renders in the environment {@code transformers} builds ({@code src/test/golden/
 * make_jinja_goldens.py} wrote {@code jinja-goldens/jinja-semantics.json}).
 */
class TemplateSemanticsGoldenTest {
  @TestFactory
  Stream<DynamicTest> everySnippetRendersAsPythonJinja2Does() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode doc = json.readTree(
        Path.of("src/test/resources/jinja-goldens/jinja-semantics.json").toFile());
    Map<String, Object> vars = json.convertValue(doc.get("variables"),
        new TypeReference<Map<String, Object>>() {});
    Clock clock = Clock.fixed(LocalDateTime.of(2026, 3, 5, 14, 7, 9).toInstant(ZoneOffset.UTC),
        ZoneOffset.UTC);
    Stream.Builder<DynamicTest> out = Stream.builder();
    int i = 0;
    for (JsonNode c : doc.get("cases")) {
      String src = c.get("source").asText();
      out.add(DynamicTest.dynamicTest("snippet " + (i++) + ": " + src, () -> {
        if (c.has("expected_error")) {
          TemplateException e = assertThrows(TemplateException.class,
              () -> Template.parse("snippet", src).render(vars, clock, Template.Limits.DEFAULT));
          assertTrue(e.getMessage().startsWith("snippet"), e.getMessage());
        } else {
          assertEquals(c.get("expected").asText(),
              Template.parse("snippet", src).render(vars, clock, Template.Limits.DEFAULT));
        }
      }));
    }
    return out.build();
  }
}
