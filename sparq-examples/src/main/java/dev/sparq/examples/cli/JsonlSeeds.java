package dev.sparq.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.Json;
import dev.sparq.core.model.Lineage;
import dev.sparq.core.model.Problem;
import dev.sparq.examples.demo.DemoAnswers;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads seed problems from JSON lines: {@code problem} (or {@code statement}) is required,
 * {@code solution} optional, {@code answer} required unless the solution has a {@code \boxed{}}
 * answer (MATH's layout); other string fields (such as {@code level} and {@code type}) become
 * attributes. Faults are reported as {@code file:line: field 'x': problem}.
 */
final class JsonlSeeds {
  private JsonlSeeds() {}

  static List<Problem> read(Path file, int limit) {
    List<Problem> out = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long n = 0;
      while ((line = in.readLine()) != null && out.size() < limit) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = Json.mapper().readTree(line);
        } catch (IOException e) {
          throw new DataException(file, n, null, "not valid JSON: " + e.getMessage().split("\n")[0]);
        }
        if (node == null || !node.isObject()) {
          throw new DataException(file, n, null, "each line must be a JSON object");
        }
        String statement = text(node, "problem");
        if (statement == null) {
          statement = text(node, "statement");
        }
        if (statement == null || statement.isBlank()) {
          throw new DataException(file, n, "problem", "is missing (or give 'statement')");
        }
        String solution = text(node, "solution");
        String answer = text(node, "answer");
        if (answer == null && solution != null) {
          answer = DemoAnswers.lastBoxed(solution).orElse(null);
        }
        if (answer == null || answer.isBlank()) {
          throw new DataException(file, n, "answer", "is missing and the solution has no \\boxed{} answer");
        }
        Map<String, String> attrs = new TreeMap<>();
        for (Map.Entry<String, JsonNode> f : node.properties()) {
          if (f.getValue().isValueNode() && !List.of("problem", "statement", "solution", "answer")
              .contains(f.getKey())) {
            attrs.put(f.getKey(), f.getValue().asText());
          }
        }
        attrs.put("source", file.getFileName() + ":" + n);
        out.add(new Problem(null, statement, solution, answer, Lineage.seed(), attrs));
      }
    } catch (NoSuchFileException e) {
      throw new DataException(file, 0, null, "the seed file does not exist");
    } catch (IOException e) {
      throw new DataException(file, 0, null, "cannot read: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new DataException(file, 0, null, "the seed file has no problems");
    }
    return out;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
