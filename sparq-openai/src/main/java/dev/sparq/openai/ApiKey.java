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

  private ApiKey(String value, String source) {
    this.value = value;
    this.source = source;
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

  /** {@code text} with every occurrence of the key replaced by {@code ****}; null stays null. */
  public String redact(String text) {
    return text == null ? null : text.replace(value, MASK);
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
