package dev.sparq.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The JSON Schema (draft 2020-12) of {@code run.yaml}, generated from {@link ConfigKeys}: YAML
 * editors that speak JSON Schema (for example with the line
 * {@code # yaml-language-server: $schema=run.schema.json}) complete keys and flag unknown ones. The
 * build writes it into the distribution as {@code run.schema.json}; {@code sparq config --schema}
 * prints it.
 */
public final class ConfigSchema {
  private ConfigSchema() {}

  /** The file name in the distribution. */
  public static final String FILE = "run.schema.json";

  /** The schema. */
  public static ObjectNode schema() {
    ObjectNode s = Json.mapper().createObjectNode();
    s.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    s.put("$id", "https://sparq.dev/schema/" + FILE);
    s.put("title", "SPARQ run configuration (run.yaml)");
    s.put("description", "Generated from dev.sparq.examples.cli.ConfigKeys; see src-docs/configuration.md.");
    s.put("type", "object");
    s.set("properties", properties(""));
    s.putArray("required").add("output").add("budget");
    s.put("additionalProperties", false);
    ObjectNode defs = s.putObject("$defs");
    ObjectNode backend = defs.putObject("backend");
    backend.put("type", "object");
    backend.put("description", ConfigKeys.BACKEND.description());
    backend.set("properties", properties("backend"));
    backend.putArray("required").add("type");
    backend.put("additionalProperties", false);
    defs.set("endpoint", endpoint());
    return s;
  }

  /** The schema as indented JSON text. */
  public static String text() {
    try {
      return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(schema()) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode properties(String prefix) {
    ObjectNode props = Json.mapper().createObjectNode();
    for (ConfigKeys.Key k : ConfigKeys.under(prefix)) {
      props.set(k.leaf(), property(k));
    }
    return props;
  }

  private static ObjectNode property(ConfigKeys.Key k) {
    ObjectNode p = Json.mapper().createObjectNode();
    String desc = k.description() + (k.def() == null ? "" : " (default: " + k.def() + ")");
    switch (k.kind()) {
      case STRING, PATH -> p.put("type", "string");
      case INTEGER -> {
        p.put("type", "integer");
        if (k.minLong() != Long.MIN_VALUE) {
          p.put("minimum", k.minLong());
        }
        if (k.maxLong() != Long.MAX_VALUE) {
          p.put("maximum", k.maxLong());
        }
      }
      case NUMBER -> p.put("type", "number").put("minimum", k.min()).put("maximum", k.max());
      case BOOLEAN -> p.put("type", "boolean");
      case CHOICE -> {
        p.put("type", "string");
        ArrayNode e = p.putArray("enum");
        k.allowed().forEach(e::add);
      }
      case PAIR -> {
        p.put("type", "array").put("minItems", 2).put("maxItems", 2);
        p.putObject("items").put("type", "number").put("minimum", k.min()).put("maximum", k.max());
      }
      case STRINGS, PATHS -> {
        ArrayNode one = p.putArray("oneOf");
        one.addObject().put("type", "string");
        ObjectNode list = one.addObject().put("type", "array");
        list.putObject("items").put("type", "string");
      }
      case FREE_MAPPING -> p.put("type", "object");
      case ENDPOINTS -> {
        ArrayNode one = p.putArray("oneOf");
        one.addObject().put("type", "string");
        ObjectNode list = one.addObject().put("type", "array").put("minItems", 1);
        ArrayNode any = list.putObject("items").putArray("oneOf");
        any.addObject().put("type", "string");
        any.addObject().put("$ref", "#/$defs/endpoint");
      }
      case BACKEND -> p.put("$ref", "#/$defs/backend");
      case MAPPING -> {
        p.put("type", "object");
        p.set("properties", properties(k.name()));
        p.put("additionalProperties", false);
      }
      case LIST_OF_MAPPINGS -> {
        p.put("type", "array").put("minItems", 1);
        ObjectNode item = p.putObject("items");
        item.put("type", "object");
        item.set("properties", properties(k.name() + "[]"));
        item.putArray("required").add("type");
        item.put("additionalProperties", false);
      }
      default -> throw new IllegalStateException(k.kind().name());
    }
    p.put("description", desc);
    return p;
  }

  private static ObjectNode endpoint() {
    ObjectNode e = Json.mapper().createObjectNode();
    e.put("type", "object");
    e.put("description", "one OpenAI-compatible server with its own settings");
    ObjectNode props = e.putObject("properties");
    props.putObject("url").put("type", "string").put("description", "the base URL");
    props.putObject("max_concurrency").put("type", "integer").put("minimum", 1).put("maximum", 100_000)
        .put("description", "requests in flight at most (default 64)");
    props.putObject("timeout").put("type", "number").put("minimum", 0.001).put("maximum", 86_400)
        .put("description", "seconds per attempt (default 300)");
    props.putObject("extra_body").put("type", "object")
        .put("description", "fields added to every request body");
    e.putArray("required").add("url");
    e.put("additionalProperties", false);
    if (!List.of("url", "max_concurrency", "timeout", "extra_body").equals(ConfigKeys.ENDPOINT_KEYS)) {
      throw new IllegalStateException("endpoint keys changed: " + ConfigKeys.ENDPOINT_KEYS);
    }
    return e;
  }

  /**
   * The dotted key names a schema declares, in the registry's notation ({@code operators[].type};
   * the keys of {@code $defs/backend} under {@code backend}).
   */
  public static List<String> keys(JsonNode schema) {
    List<String> out = new ArrayList<>();
    walk(schema.path("properties"), "", schema, out);
    return out;
  }

  private static void walk(JsonNode props, String prefix, JsonNode root, List<String> out) {
    Iterator<Map.Entry<String, JsonNode>> it = props.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> f = it.next();
      String name = prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey();
      out.add(name);
      JsonNode v = f.getValue();
      if (v.has("properties")) {
        walk(v.get("properties"), name, root, out);
      } else if (v.path("items").has("properties")) {
        walk(v.get("items").get("properties"), name + "[]", root, out);
      } else if (name.equals("backend") && "#/$defs/backend".equals(v.path("$ref").asText())) {
        walk(root.path("$defs").path("backend").path("properties"), name, root, out);
      }
    }
  }

  /** Writes the schema to the file given as the only argument (used by the build). */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ConfigSchema FILE");
    }
    Path file = Path.of(args[0]);
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, text());
  }
}
