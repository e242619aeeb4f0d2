package dev.sparq.openai;

import dev.sparq.core.ConfigException;
import java.util.Objects;
import java.util.function.Function;

/**
 * A secret bearer token for an OpenAI-compatible server. Its {@link #toString()} never shows the
 * value, and {@link #redact(String)} removes it from any text (server error bodies, exception
 * messages) before that text reaches a log line or an exception.
 */
public final class ApiKey {
  private static final String MASK = "****";
  private final String value;
  private final String source;
  /** The key as a server may echo it (as is, escaped in JSON once or twice, URL-encoded), longest first. */
  private final java.util.List<String> echoes;

  private ApiKey(String value, String source) {
    this.value = value;
    this.source = source;
    java.util.Set<String> forms = new java.util.LinkedHashSet<>();
    forms.add(value);
    String json = jsonEscaped(value, false);
    forms.add(json);
    forms.add(jsonEscaped(json, false));
    forms.add(jsonEscaped(value, true));
    forms.add(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
    this.echoes = forms.stream()
        .sorted(java.util.Comparator.comparingInt(String::length).reversed()).toList();
  }

  /**
   * {@code s} as a JSON encoder writes it inside a string: quote and backslash escaped, and with
   * {@code strict} also {@code /}, {@code <}, {@code >}, {@code &} and {@code '} (as some encoders
   * do, for embedding in HTML). Keys are printable ASCII, so nothing else needs escaping.
   */
  private static String jsonEscaped(String s, boolean strict) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (strict && c == '/') {
        b.append("\\/");
      } else if (strict && (c == '<' || c == '>' || c == '&' || c == '\'')) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * A key given in configuration. Surrounding white space is dropped.
   *
   * @throws IllegalArgumentException when the key is blank, or holds a character that cannot go in
   *     an HTTP header as is (a line break or other control character, a zero-width or other
   *     invisible character, anything outside printable ASCII); the message names the position
   *     and code point, never the key
   */
  public static ApiKey of(String value) {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("an API key must not be blank");
    }
    String v = value.strip();
    String problem = problem(v);
    if (problem != null) {
      throw new IllegalArgumentException("the API key from configuration " + problem);
    }
    return new ApiKey(v, "configuration");
  }

  /**
   * Why {@code key} cannot be sent as a bearer token, or null when it can. A key pasted with a
   * trailing newline in the middle of a file, or with a zero-width space from a web page, would
   * otherwise either be refused by the HTTP client with the header (and so the key) in its message,
   * or be sent and fail as "invalid key" with no hint why.
   */
  static String problem(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        String what = Character.isISOControl(c) ? "a control character"
            : Character.getType(c) == Character.FORMAT || c == 0x200B ? "a zero-width character"
            : Character.isWhitespace(c) || Character.isSpaceChar(c) ? "a space"
            : "a non-ASCII character";
        return "contains " + what + String.format(" (U+%04X) at position %d", (int) c, i + 1)
            + "; API keys are printable ASCII without spaces (the key is not shown)";
      }
    }
    return null;
  }

  /**
   * The key held by an environment variable.
   *
   * @throws ConfigException when the variable is unset or blank
   */
  public static ApiKey fromEnvironment(String variable) {
    return fromEnvironment(variable, System::getenv);
  }

  /** As {@link #fromEnvironment(String)}, reading variables through {@code env} (for tests). */
  static ApiKey fromEnvironment(String variable, Function<String, String> env) {
    Objects.requireNonNull(variable, "variable");
    String v = env.apply(variable);
    if (v == null || v.isBlank()) {
      throw new ConfigException(
          "environment variable '" + variable + "' is not set or empty, but the API key is read from it");
    }
    String key = v.strip();
    String problem = problem(key);
    if (problem != null) {
      throw new ConfigException("the API key in environment variable '" + variable + "' " + problem);
    }
    return new ApiKey(key, "environment variable " + variable);
  }

  /** The value of the {@code Authorization} header. Package-private on purpose. */
  String authorizationHeader() {
    return "Bearer " + value;
  }

  /**
   * {@code text} with every occurrence of the key replaced by {@code ****}: as is, and in the forms
   * a server echoing it back may use (escaped in a JSON string, once or twice, with or without
   * {@code /}, {@code <}, {@code >}, {@code &}, {@code '} escaped; URL-encoded). Null stays null.
   */
  public String redact(String text) {
    if (text == null) {
      return null;
    }
    String t = text;
    for (String echo : echoes) {
      t = t.replace(echo, MASK);
    }
    return t;
  }

  /** Where the key came from, e.g. {@code environment variable OPENAI_API_KEY}; never the key. */
  public String source() {
    return source;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ApiKey k && k.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  /** {@code ApiKey[****, from <source>]}: the value is never shown. */
  @Override
  public String toString() {
    return "ApiKey[" + MASK + ", from " + source + "]";
  }
}
