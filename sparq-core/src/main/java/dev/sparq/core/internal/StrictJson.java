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

  /**
   * Where in the document a data-binding error is, as a field path such as
   * {@code members[1].elite.difficulty} (empty at the root), from Jackson's reference chain.
   */
  public static String path(com.fasterxml.jackson.databind.DatabindException e) {
    StringBuilder sb = new StringBuilder();
    if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
      for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : m.getPath()) {
        if (r.getFieldName() != null) {
          if (sb.length() > 0) {
            sb.append('.');
          }
          sb.append(r.getFieldName());
        } else if (r.getIndex() >= 0) {
          sb.append('[').append(r.getIndex()).append(']');
        }
      }
    }
    return sb.toString();
  }

  /**
   * What a data-binding error says about the value, without Jackson's wording about classes: for a
   * value the model's own checks refused ("quality must be finite, was Infinity") their message;
   * otherwise the parser's words ({@link #problem}) with fully qualified class names cut to their
   * simple names and Jackson's "(class ...)" and "Cannot construct instance of" phrases removed.
   */
  public static String bindingProblem(com.fasterxml.jackson.databind.DatabindException e) {
    if (e instanceof com.fasterxml.jackson.databind.exc.ValueInstantiationException && e.getCause() != null
        && e.getCause().getMessage() != null) {
      return e.getCause().getMessage().replaceAll("\\s*\\n\\s*", " ").strip();
    }
    String m = problem(e);
    m = m.replaceAll("^Cannot construct instance of `[^`]*`(?: \\([^)]*\\))?,? ?(?:problem: )?", "");
    m = m.replaceAll(" ?\\(class [\\w.$]+\\)", "");
    m = m.replaceAll("`(?:[a-z_$][\\w$]*\\.)+([A-Za-z_$][\\w$]*)`", "$1");
    return m.isBlank() ? "invalid value" : m.strip();
  }

  /**
   * A {@link DataException} for a value of {@code file} that could not be bound: the field is
   * {@code prefix} followed by the path Jackson reports ({@code archive.members[1].elite.difficulty}),
   * the problem {@link #bindingProblem}.
   */
  public static DataException bindingError(Path file, String prefix,
      com.fasterxml.jackson.databind.DatabindException e) {
    String path = path(e);
    String field = prefix == null || prefix.isEmpty() ? path
        : path.isEmpty() ? prefix : path.startsWith("[") ? prefix + path : prefix + "." + path;
    return new DataException(file, 0, field.isEmpty() ? null : field, bindingProblem(e), e);
  }

  private static String column(JsonLocation loc) {
    return loc == null || loc.getColumnNr() <= 0 ? "" : " (column " + loc.getColumnNr() + ")";
  }
}
