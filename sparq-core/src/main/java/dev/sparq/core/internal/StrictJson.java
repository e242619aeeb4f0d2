package dev.sparq.core.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparq.core.DataException;
import java.nio.file.Path;

/**
 * JSON for input files a user (or someone else) wrote: a value must be the whole text (two objects
 * on one line, or trailing text after an object, are refused), and a key may appear only once per
 * object (no silent last-wins). Errors keep the line and column and drop Jackson's internals.
 */
public final class StrictJson {
  private static final ObjectMapper MAPPER = Json.mapper().copy()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private StrictJson() {}

  /** The shared strict mapper. Do not reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * A {@link DataException} for a parse error in a whole file: {@code file:line: problem (column c)}.
   */
  public static DataException error(Path file, String what, JsonProcessingException e) {
    JsonLocation loc = e.getLocation();
    long line = loc == null ? 0 : Math.max(0, loc.getLineNr());
    return new DataException(file, line, null, what + ": " + problem(e) + column(loc), e);
  }

  /**
   * A {@link DataException} for a parse error in one line of a JSON Lines file; the line number is
   * the file's, the column the parser's.
   */
  public static DataException error(Path file, long line, String what, JsonProcessingException e) {
    return new DataException(file, line, null, what + ": " + problem(e) + column(e.getLocation()), e);
  }

  /** The parser's own words, on one line, without source excerpts. */
  public static String problem(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    if (m == null) {
      m = e.getClass().getSimpleName();
    }
    return m.replaceAll("\\s*\\n\\s*", " ").strip();
  }

  private static String column(JsonLocation loc) {
    return loc == null || loc.getColumnNr() <= 0 ? "" : " (column " + loc.getColumnNr() + ")";
  }
}
