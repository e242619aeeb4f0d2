package dev.sparq.core.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An evaluation set to keep out of the training data: its problem texts, checked by word n-gram
 * overlap.
 *
 * @param name the name used in the contamination report
 * @param texts the benchmark's problem texts
 */
public record Benchmark(String name, List<String> texts) {
  /** Fields tried, in order, for the problem text of a JSON record. */
  public static final List<String> TEXT_FIELDS = List.of("problem", "question", "prompt", "text");

  public Benchmark {
    Objects.requireNonNull(name, "name");
    texts = List.copyOf(texts);
  }

  /**
   * Reads a benchmark file: JSON Lines or a JSON array of objects (the first of
   * {@link #TEXT_FIELDS} present is the text), or any other file as plain text, one problem per
   * line. Must be UTF-8.
   */
  public static Benchmark load(String name, Path file) {
    String content;
    try {
      content = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    } catch (CharacterCodingException e) {
      throw new DataException(file, 0, null, "malformed UTF-8: the file must be UTF-8");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read benchmark " + file, e);
    }
    String fn = file.getFileName().toString();
    List<String> texts = new ArrayList<>();
    if (fn.endsWith(".json") || fn.endsWith(".jsonl")) {
      String trimmed = content.strip();
      try {
        if (trimmed.startsWith("[")) {
          JsonNode arr = Json.mapper().readTree(trimmed);
          for (int i = 0; i < arr.size(); i++) {
            texts.add(textOf(arr.get(i), file, 0));
          }
        } else {
          String[] lines = content.split("\n", -1);
          for (int i = 0; i < lines.length; i++) {
            if (!lines[i].isBlank()) {
              texts.add(textOf(Json.mapper().readTree(lines[i]), file, i + 1));
            }
          }
        }
      } catch (IOException e) {
        throw new DataException(file, 0, null, "not valid JSON: " + e.getMessage());
      }
    } else {
      for (String line : content.split("\n")) {
        if (!line.isBlank()) {
          texts.add(line.strip());
        }
      }
    }
    if (texts.isEmpty()) {
      throw new DataException(file, 0, null, "the benchmark file has no problems");
    }
    return new Benchmark(name, texts);
  }

  private static String textOf(JsonNode node, Path file, long line) {
    for (String f : TEXT_FIELDS) {
      JsonNode v = node.get(f);
      if (v != null && v.isTextual()) {
        return v.textValue();
      }
    }
    throw new DataException(file, line, TEXT_FIELDS.get(0),
        "no text field (tried " + String.join(", ", TEXT_FIELDS) + ")");
  }
}
