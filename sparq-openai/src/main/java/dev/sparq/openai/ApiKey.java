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
   * A key given in configuration.
   *
   * @throws IllegalArgumentException when the key is blank
   */
  public static ApiKey of(String value) {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("an API key must not be blank");
    }
    return new ApiKey(value.strip(), "configuration");
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
    return new ApiKey(v.strip(), "environment variable " + variable);
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
