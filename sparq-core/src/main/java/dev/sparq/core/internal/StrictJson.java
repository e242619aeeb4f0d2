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
    m = shortenTokens(m);
    return m.replaceAll("\\s+", " ").strip();
  }

  /** The longest unrecognized token quoted in a message (a typo such as {@code tru} or {@code None}). */
  static final int MAX_QUOTED_TOKEN = 8;

  private static final java.util.regex.Pattern TOKEN =
      java.util.regex.Pattern.compile("(Unrecognized token) '([^']*)'");

  /**
   * Jackson quotes a bad token whole ({@code Unrecognized token 'hf_...'}, up to 256 characters):
   * when the file is a link to a secret, or holds one, that would echo it. A token longer than
   * {@link #MAX_QUOTED_TOKEN} characters is replaced by its length.
   */
  private static String shortenTokens(String m) {
    java.util.regex.Matcher t = TOKEN.matcher(m);
    StringBuilder sb = new StringBuilder();
    while (t.find()) {
      String token = t.group(2);
      String shown = token.length() <= MAX_QUOTED_TOKEN && token.codePoints().allMatch(c -> c >= 0x20 && c < 0x7f)
          ? t.group(0)
          : t.group(1) + " of " + token.length() + " characters (not shown)";
      t.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement(shown));
    }
    t.appendTail(sb);
    return sb.toString();
  }

  private static String column(JsonLocation loc) {
    return loc == null || loc.getColumnNr() <= 0 ? "" : " (column " + loc.getColumnNr() + ")";
  }
}
