package dev.sparq.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.sparq.core.ConfigException;
import dev.sparq.core.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * run.schema.json, the key table of configuration.md and the parser agree key by key; the schema is
 * valid JSON Schema (draft 2020-12) by a validator from outside this project (networknt), and the
 * example configurations are valid by the schema.
 */
class ConfigSchemaTest {
  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  private static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("src-docs"))) {
      p = p.getParent();
    }
    return p;
  }

  private static Set<ValidationMessage> metaValidate(JsonNode schema) {
    JsonSchema meta = FACTORY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
    return meta.validate(schema);
  }

  private static JsonSchema runSchema() {
    return FACTORY.getSchema(ConfigSchema.schema());
  }

  @Test
  void theSchemaIsValidJsonSchemaByTheMetaSchema() {
    assertEquals(Set.of(), metaValidate(ConfigSchema.schema()));
    // the validator does check: a broken schema is refused
    ObjectNode broken = ConfigSchema.schema();
    ((ObjectNode) broken.get("properties").get("k")).put("type", "whole number");
    assertFalse(metaValidate(broken).isEmpty(), "a schema with an unknown type is invalid");
  }

  /** The first column of every key table in configuration.md. */
  static List<String> documentedKeys() throws IOException {
    String page = Files.readString(root().resolve("src-docs/configuration.md"));
    String keys = page.substring(page.indexOf("\n## Keys"), page.indexOf("\n## Command-line options"));
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^\\| `([^`]+)` \\|").matcher(keys);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void schemaDocsAndRegistryAgreeKeyByKey() throws IOException {
    TreeSet<String> registry = new TreeSet<>(ConfigKeys.names());
    assertEquals(ConfigKeys.names().size(), registry.size(), "no key declared twice");
    assertEquals(registry, new TreeSet<>(ConfigSchema.keys(ConfigSchema.schema())), "schema vs registry");
    List<String> docs = documentedKeys();
    assertEquals(docs.size(), new TreeSet<>(docs).size(), "no key documented twice: " + docs);
    assertEquals(registry, new TreeSet<>(docs), "configuration.md vs registry");
    // every allowed value is in its row, as in the schema's enum
    String page = Files.readString(root().resolve("src-docs/configuration.md"));
    for (ConfigKeys.Key k : ConfigKeys.KEYS) {
      if (k.kind() == ConfigKeys.Kind.CHOICE) {
        int at = page.indexOf("| `" + k.name() + "` |");
        String row = page.substring(at, page.indexOf('\n', at));
        for (String v : k.allowed()) {
          assertTrue(row.contains("`" + v + "`"), k.name() + " row lacks `" + v + "`: " + row);
        }
      }
    }
  }

  /** Each mapping prefix of the every-key configuration, with an unknown key added there. */
  @org.junit.jupiter.api.io.TempDir
  Path tmp;

  @Test
  void theParserRejectsAnyKeyOutsideTheRegistryAndAcceptsEveryKeyIn() throws IOException {
    Files.writeString(tmp.resolve("mutate.txt"), "Vary: {parent_problem}");
    Files.writeString(tmp.resolve("solver.txt"), "Solve: {problem}");
    Files.writeString(tmp.resolve("labeller.txt"), "Skills ({k}): {problem}");
    JsonNode every = new YAMLMapper().readTree(StageWiringTest.EVERY_KEY.replace("URL", "http://127.0.0.1:9/v1"));
    Map<String, List<String>> paths = new LinkedHashMap<>();
    paths.put("", List.of());
    paths.put("backend", List.of("backend"));
    paths.put("models", List.of("models"));
    paths.put("models.solver", List.of("models", "solver"));
    paths.put("seeds", List.of("seeds"));
    paths.put("archive", List.of("archive"));
    paths.put("budget", List.of("budget"));
    paths.put("estimator", List.of("estimator"));
    paths.put("guard", List.of("guard"));
    paths.put("prompts", List.of("prompts"));
    paths.put("descriptor", List.of("descriptor"));
    paths.put("descriptor.embedding", List.of("descriptor", "embedding"));
    paths.put("export", List.of("export"));
    paths.put("operators[1]", List.of("operators", "1"));
    RunConfig.fromTree(every, "run.yaml", tmp); // accepted as it is
    for (Map.Entry<String, List<String>> e : paths.entrySet()) {
      JsonNode copy = every.deepCopy();
      JsonNode at = copy;
      for (String step : e.getValue()) {
        at = at.isArray() ? at.get(Integer.parseInt(step)) : at.get(step);
      }
      ((ObjectNode) at).put("zzz", 1);
      String expect = "key '" + (e.getKey().isEmpty() ? "" : e.getKey() + ".") + "zzz': unknown key";
      ConfigException ex = assertThrows(ConfigException.class,
          () -> RunConfig.fromTree(copy, "run.yaml", tmp), e.getKey());
      assertTrue(ex.getMessage().contains("run.yaml: " + expect), ex.getMessage());
      assertEquals(Set.of(), Set.copyOf(runSchema().validate(every)), "the every-key configuration is valid");
      assertFalse(runSchema().validate(copy).isEmpty(), "the schema also refuses zzz under " + e.getKey());
    }
  }

  @Test
  void exampleConfigurationsAreValidByTheSchema() throws IOException {
    List<JsonNode> examples = new ArrayList<>();
    examples.add(new YAMLMapper().readTree(root().resolve("sparq-examples/configs/paper.yaml").toFile()));
    for (String page : List.of("configuration.md", "quickstart.md")) {
      Matcher m = Pattern.compile("(?s)```yaml\\n(.*?)```").matcher(Files.readString(root().resolve("src-docs/" + page)));
      while (m.find()) {
        examples.add(new YAMLMapper().readTree(m.group(1)));
      }
    }
    assertTrue(examples.size() >= 5, "examples found: " + examples.size());
    for (JsonNode ex : examples) {
      assertEquals(Set.of(), Set.copyOf(runSchema().validate(ex)), ex.toString());
    }
    // and a few bad ones are refused with the key named
    JsonNode bad = Json.mapper().readTree("{\"output\": \"o\", \"budget\": {\"iterations\": 1},"
        + " \"estimator\": {\"type\": \"magic\"}, \"k\": 0}");
    String msgs = runSchema().validate(bad).toString();
    assertTrue(msgs.contains("estimator.type") && msgs.contains("$.k"), msgs);
  }

  @Test
  void theShippedSchemaFileIsTheGeneratedOneWhenBuilt() throws IOException {
    // the distribution's copy (written at package time) must be the one the code generates now
    Path dist = Path.of(System.getProperty("sparq.dist", "target/none"));
    Path file = dist.resolve(ConfigSchema.FILE);
    if (Files.exists(file)) {
      assertEquals(ConfigSchema.text(), Files.readString(file));
    }
    // the generator's main writes exactly the text
    Path out = Files.createTempFile("run", ".schema.json");
    ConfigSchema.main(new String[] {out.toString()});
    assertEquals(ConfigSchema.text(), Files.readString(out));
    Files.delete(out);
  }
}
