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

  /**
   * The parser's own words, on one line, without source excerpts or Jackson's names: a position
   * it embeds ({@code [Source: REDACTED (`StreamReadFeature...` disabled); line: 1, column: 1]},
   * as in "expected close marker for Object (start marker at ...)") becomes {@code line 1, column
   * 1}, and the read limits it names ({@code from `StreamReadConstraints.getMaxStringLength()`})
   * and feature or class names are dropped.
   */
  public static String problem(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    if (m == null) {
      m = e.getClass().getSimpleName();
    }
    m = m.replaceAll("\\s*\\n\\s*", " ");
    m = m.replaceAll("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]", "line $1, column $2");
    m = m.replaceAll("\\[Source: [^\\]]*\\]", "");
    m = m.replaceAll(",? from `StreamReadConstraints\\.\\w+\\(\\)`", "");
    m = m.replaceAll("`?(com\\.fasterxml\\.jackson\\.|StreamReadFeature\\.|JsonReadFeature\\.)[\\w.]*`?",
        "");
    return m.replaceAll("\\s+", " ").strip();
  }

  private static String column(JsonLocation loc) {
    return loc == null || loc.getColumnNr() <= 0 ? "" : " (column " + loc.getColumnNr() + ")";
  }
}
