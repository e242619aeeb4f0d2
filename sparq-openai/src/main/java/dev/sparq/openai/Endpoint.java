package dev.sparq.openai;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * One OpenAI-compatible server: its base URL (what the OpenAI SDKs call {@code base_url}, e.g.
 * {@code http://127.0.0.1:8000/v1}; a URL without a path gets {@code /v1}), and optionally the model
 * name it serves, its concurrency limit, its own API key and whether it accepts {@code n > 1}.
 * Unset options fall back to the {@link OpenAiLanguageModel.Builder}'s values. Immutable; change it
 * with the {@code with...} methods.
 */
public final class Endpoint {
  private final URI baseUri;
  private final String model;
  private final int maxConcurrency;
  private final ApiKey apiKey;
  private final NSupport nSupport;

  private Endpoint(URI baseUri, String model, int maxConcurrency, ApiKey apiKey, NSupport nSupport) {
    this.baseUri = baseUri;
    this.model = model;
    this.maxConcurrency = maxConcurrency;
    this.apiKey = apiKey;
    this.nSupport = nSupport;
  }

  /**
   * An endpoint at {@code baseUrl}.
   *
   * @throws IllegalArgumentException when the URL is not an absolute http(s) URL
   */
  public static Endpoint of(String baseUrl) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    URI uri;
    try {
      uri = URI.create(baseUrl.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("endpoint URL '" + baseUrl + "' is not a valid URI", e);
    }
    return of(uri);
  }

  /** An endpoint at {@code baseUri}; see {@link #of(String)}. */
  public static Endpoint of(URI baseUri) {
    String scheme = baseUri.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || baseUri.getHost() == null) {
      throw new IllegalArgumentException(
          "endpoint URL '" + baseUri + "' must be an absolute http:// or https:// URL with a host");
    }
    if (baseUri.getRawQuery() != null || baseUri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "endpoint URL '" + baseUri + "' must not have a query or fragment");
    }
    String path = baseUri.getRawPath() == null ? "" : baseUri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (path.isEmpty()) {
      path = "/v1";
    }
    URI normalised = URI.create(
        scheme.toLowerCase(java.util.Locale.ROOT) + "://" + baseUri.getRawAuthority() + path);
    return new Endpoint(normalised, null, 0, null, null);
  }

  /** This endpoint serving {@code model} (the {@code model} field of each request). */
  public Endpoint withModel(String model) {
    Objects.requireNonNull(model, "model");
    if (model.isBlank()) {
      throw new IllegalArgumentException("model name must not be blank");
    }
    return new Endpoint(baseUri, model, maxConcurrency, apiKey, nSupport);
  }

  /** This endpoint taking at most {@code limit} requests at once. */
  public Endpoint withMaxConcurrency(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("maxConcurrency must be >= 1, was " + limit);
    }
    return new Endpoint(baseUri, model, limit, apiKey, nSupport);
  }

  /** This endpoint authenticating with its own key. */
  public Endpoint withApiKey(ApiKey key) {
    return new Endpoint(baseUri, model, maxConcurrency, Objects.requireNonNull(key, "key"), nSupport);
  }

  /** This endpoint with a known (or learned, {@link NSupport#AUTO}) handling of {@code n > 1}. */
  public Endpoint withNSupport(NSupport support) {
    return new Endpoint(
        baseUri, model, maxConcurrency, apiKey, Objects.requireNonNull(support, "support"));
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
        && e.nSupport == nSupport;
  }

  @Override
  public int hashCode() {
    return Objects.hash(baseUri, model, maxConcurrency, apiKey, nSupport);
  }

  /** The URL without user information; a key is shown only as {@code ****}. */
  @Override
  public String toString() {
    return "Endpoint[" + displayName()
        + (model == null ? "" : ", model=" + model)
        + (maxConcurrency == 0 ? "" : ", maxConcurrency=" + maxConcurrency)
        + (apiKey == null ? "" : ", apiKey=" + apiKey)
        + (nSupport == null ? "" : ", n=" + nSupport)
        + "]";
  }
}
