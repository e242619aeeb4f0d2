package dev.sparq.core.export;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.BoundedLines;
import dev.sparq.core.internal.Json;
import dev.sparq.core.internal.StrictJson;
import dev.sparq.core.internal.UntrustedFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
   * line. Must be UTF-8 and a regular file (a FIFO or device is refused before it is opened).
   *
   * <p>The file is streamed: a line, or one element of a JSON array, at a time, so the memory
   * needed is that of the texts kept, not several copies of the whole file (a 226 MB text file
   * ran a 512 MB heap out of memory when it was read, decoded and split whole). A line may have at
   * most {@link #MAX_LINE_BYTES}; a longer one is refused, naming it, without being held in
   * memory. A UTF-8 byte-order mark at the start is skipped.
   */
  public static Benchmark load(String name, Path file) {
    String fn = file.getFileName().toString();
    boolean json = fn.endsWith(".json") || fn.endsWith(".jsonl");
    List<String> texts = new ArrayList<>();
    if (json && startsWithBracket(file)) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(
          UntrustedFiles.open(file, UntrustedFiles.Links.FOLLOW, "benchmark"),
          StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16)) {
        r.mark(1);
        if (r.read() != '\uFEFF') { // a byte-order mark is not part of the JSON text
          r.reset();
        }
        readArray(r, file, texts);
      } catch (CharacterCodingException e) {
        throw new DataException(file, 0, null, "malformed UTF-8: the file must be UTF-8");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read benchmark " + file, e);
      }
    } else {
      readLines(file, json, texts);
    }
    if (texts.isEmpty()) {
      throw new DataException(file, 0, null, "the benchmark file has no problems");
    }
    return new Benchmark(name, texts);
  }

  /** The longest line of a benchmark file (64 MiB); a longer one is refused naming its line. */
  public static final int MAX_LINE_BYTES = 64 << 20;

  /** Whether the file's first byte after a byte-order mark and white space is '['. */
  private static boolean startsWithBracket(Path file) {
    try (InputStream in = UntrustedFiles.open(file, UntrustedFiles.Links.FOLLOW, "benchmark")) {
      return BoundedLines.firstByte(in) == '[';
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read benchmark " + file, e);
    }
  }

  /** JSON Lines or plain text, one line in memory at a time (at most {@link #MAX_LINE_BYTES}). */
  private static void readLines(Path file, boolean json, List<String> texts) {
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try (BoundedLines lines = new BoundedLines(
        UntrustedFiles.open(file, UntrustedFiles.Links.FOLLOW, "benchmark"), MAX_LINE_BYTES)) {
      while (lines.next()) {
        long line = lines.number();
        if (lines.tooLong()) {
          throw new DataException(file, line, null, "the line is " + lines.length() + " bytes long; a "
              + "benchmark line may have at most " + MAX_LINE_BYTES + " bytes (64 MiB)");
        }
        String l;
        try {
          l = utf8.decode(ByteBuffer.wrap(lines.buffer(), lines.start(), (int) lines.length())).toString();
        } catch (CharacterCodingException e) {
          throw new DataException(file, line, null, "malformed UTF-8: the file must be UTF-8");
        }
        if (l.isBlank()) {
          continue;
        }
        if (json) {
          try {
            texts.add(textOf(Json.mapper().readTree(l), file, line));
          } catch (JsonProcessingException e) {
            throw new DataException(file, line, null, "not valid JSON: " + StrictJson.problem(e));
          }
        } else {
          texts.add(l.strip());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read benchmark " + file, e);
    }
  }

  /** The texts of a JSON array of objects, one element in memory at a time. */
  private static void readArray(BufferedReader r, Path file, List<String> texts) throws IOException {
    try (JsonParser p = Json.mapper().createParser(r)) {
      p.nextToken(); // [
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t == null) {
          throw new DataException(file, p.currentLocation().getLineNr(), null,
              "not valid JSON: the array is not closed");
        }
        long at = p.currentLocation().getLineNr();
        JsonNode element = p.readValueAsTree();
        texts.add(textOf(element == null ? Json.mapper().nullNode() : element, file, at));
      }
    } catch (JsonProcessingException e) {
      long at = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getLineNr());
      throw new DataException(file, at, null, "not valid JSON: " + StrictJson.problem(e));
    }
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
