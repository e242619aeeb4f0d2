package dev.sparq.openai;

import dev.sparq.core.internal.Urls;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One OpenAI-compatible server: its base URL (what the OpenAI SDKs call {@code base_url}), and
 * optionally the model name it serves, its concurrency limit, its own API key, request timeout,
 * extra body fields and whether it accepts {@code n > 1}. Unset options fall back to the {@link
 * OpenAiLanguageModel.Builder}'s values. Immutable; change it with the {@code with...} methods.
 *
 * <p><b>Paths.</b> A path given in the URL is used as given: {@code http://host:8000/v1} posts to
 * {@code /v1/chat/completions}, {@code http://host:8000/} (an explicit root) to
 * {@code /chat/completions}, {@code http://host:8000/api/v1} to {@code /api/v1/chat/completions}.
 * Only a URL with no path at all ({@code http://host:8000}) gets the conventional {@code /v1}.
 *
 * <p><b>Credentials.</b> A URL carrying user information ({@code user:pass@host}) is refused, with a
 * message that does not repeat it: give keys with {@link #withApiKey} or the builder's {@code
 * apiKey...} methods, which keep them out of logs, {@code run.json} and reports.
 */
public final class Endpoint {
  private final URI baseUri;
  private final String model;
  private final int maxConcurrency;
  private final ApiKey apiKey;
  private final NSupport nSupport;
  private final Duration timeout;
  private final Map<String, Object> extraBody;

  private Endpoint(URI baseUri, String model, int maxConcurrency, ApiKey apiKey, NSupport nSupport,
      Duration timeout, Map<String, Object> extraBody) {
    this.baseUri = baseUri;
    this.model = model;
    this.maxConcurrency = maxConcurrency;
    this.apiKey = apiKey;
    this.nSupport = nSupport;
    this.timeout = timeout;
    this.extraBody = extraBody;
  }

  /**
   * An endpoint at {@code baseUrl}; see the class comment for how the path is used.
   *
   * @throws IllegalArgumentException when the URL is not an absolute http(s) URL, or carries
   *     credentials (the message then shows the URL with them masked)
   */
  public static Endpoint of(String baseUrl) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    // The URI parser's message repeats the input: Urls.parse neither shows nor chains it.
    return of(Urls.parse(baseUrl.strip(), "endpoint URL"));
  }

  /** An endpoint at {@code baseUri}; see {@link #of(String)}. */
  public static Endpoint of(URI baseUri) {
    String shown = Urls.maskUserInfo(baseUri.toString());
    if (Urls.hasUserInfo(baseUri)) {
      throw new IllegalArgumentException("endpoint URL '" + shown + "' carries credentials "
          + "(user:password@); they would end up in logs and run files. Give the key as an API key "
          + "(apiKey, or apiKeyEnv in run.yaml) instead");
    }
    String scheme = baseUri.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || baseUri.getHost() == null) {
      throw new IllegalArgumentException(
          "endpoint URL '" + shown + "' must be an absolute http:// or https:// URL with a host");
    }
    if (baseUri.getRawQuery() != null || baseUri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "endpoint URL '" + shown + "' must not have a query or fragment");
    }
    String raw = baseUri.getRawPath() == null ? "" : baseUri.getRawPath();
    String path = raw;
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (raw.isEmpty()) {
      // No path at all: the conventional mount point. An explicit "/" means the root.
      path = "/v1";
    }
    URI normalised = URI.create(
        scheme.toLowerCase(java.util.Locale.ROOT) + "://" + baseUri.getRawAuthority() + path);
    return new Endpoint(normalised, null, 0, null, null, null, Map.of());
  }

  /** This endpoint serving {@code model} (the {@code model} field of each request). */
  public Endpoint withModel(String model) {
    Objects.requireNonNull(model, "model");
    if (model.isBlank()) {
      throw new IllegalArgumentException("model name must not be blank");
    }
    return new Endpoint(baseUri, model, maxConcurrency, apiKey, nSupport, timeout, extraBody);
  }

  /** This endpoint taking at most {@code limit} requests at once. */
  public Endpoint withMaxConcurrency(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("maxConcurrency must be >= 1, was " + limit);
    }
    return new Endpoint(baseUri, model, limit, apiKey, nSupport, timeout, extraBody);
  }

  /** This endpoint authenticating with its own key. */
  public Endpoint withApiKey(ApiKey key) {
    return new Endpoint(baseUri, model, maxConcurrency, Objects.requireNonNull(key, "key"), nSupport,
        timeout, extraBody);
  }

  /** This endpoint with a known (or learned, {@link NSupport#AUTO}) handling of {@code n > 1}. */
  public Endpoint withNSupport(NSupport support) {
    return new Endpoint(baseUri, model, maxConcurrency, apiKey,
        Objects.requireNonNull(support, "support"), timeout, extraBody);
  }

  /** This endpoint with its own time limit per attempt (instead of the builder's). */
  public Endpoint withTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be > 0, was " + timeout);
    }
    return new Endpoint(baseUri, model, maxConcurrency, apiKey, nSupport, timeout, extraBody);
  }

  /**
   * This endpoint adding {@code fields} to every request body it gets (after the builder's
   * {@code extraBody}, so these win), e.g. {@code chat_template_kwargs} for one server only.
   */
  public Endpoint withExtraBody(Map<String, ?> fields) {
    Map<String, Object> copy = new LinkedHashMap<>();
    fields.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "field"), v));
    return new Endpoint(baseUri, model, maxConcurrency, apiKey, nSupport, timeout,
        Collections.unmodifiableMap(copy));
  }

  /** This endpoint's own time limit per attempt, when set. */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /** The fields added to every request body sent here (empty when none). */
  public Map<String, Object> extraBody() {
    return extraBody;
  }

  /** The normalised base URL, e.g. {@code http://127.0.0.1:8000/v1}. */
  public URI baseUri() {
    return baseUri;
  }

  /** The model name, when set on this endpoint. */
  public Optional<String> model() {
    return Optional.ofNullable(model);
  }

  /** The concurrency limit, when set on this endpoint (0 otherwise). */
  public int maxConcurrency() {
    return maxConcurrency;
  }

  /** This endpoint's own key, when set. */
  public Optional<ApiKey> apiKey() {
    return Optional.ofNullable(apiKey);
  }

  /** How {@code n > 1} is handled, when set on this endpoint. */
  public Optional<NSupport> nSupport() {
    return Optional.ofNullable(nSupport);
  }

  /** The base URL without any user information, for logs and error messages. */
  public String displayName() {
    String authority = baseUri.getRawAuthority();
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      authority = authority.substring(at + 1);
    }
    return baseUri.getScheme() + "://" + authority + baseUri.getRawPath();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Endpoint e
        && e.baseUri.equals(baseUri)
        && Objects.equals(e.model, model)
        && e.maxConcurrency == maxConcurrency
        && Objects.equals(e.apiKey, apiKey)
        && e.nSupport == nSupport
        && Objects.equals(e.timeout, timeout)
        && e.extraBody.equals(extraBody);
  }

  @Override
  public int hashCode() {
    return Objects.hash(baseUri, model, maxConcurrency, apiKey, nSupport, timeout, extraBody);
  }

  /** The URL without user information; a key is shown only as {@code ****}. */
  @Override
  public String toString() {
    return "Endpoint[" + displayName()
        + (model == null ? "" : ", model=" + model)
        + (maxConcurrency == 0 ? "" : ", maxConcurrency=" + maxConcurrency)
        + (apiKey == null ? "" : ", apiKey=" + apiKey)
        + (nSupport == null ? "" : ", n=" + nSupport)
        + (timeout == null ? "" : ", timeout=" + timeout)
        + (extraBody.isEmpty() ? "" : ", extraBody=" + extraBody.keySet())
        + "]";
  }
}
