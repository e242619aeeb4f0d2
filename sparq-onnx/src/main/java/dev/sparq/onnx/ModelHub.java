package dev.sparq.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparq.core.ModelException;
import dev.sparq.core.internal.IoMessages;
import dev.sparq.core.internal.Urls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a model repository from the Hugging Face Hub (or a mirror) into a local cache laid out
 * like {@code huggingface_hub}'s: {@code <cache>/models--<org>--<name>/blobs/<sha>},
 * {@code snapshots/<commit>/<path>} (links to the blobs) and {@code refs/<revision>}. Only what
 * {@link OnnxLanguageModel} needs is fetched: the top-level JSON files, {@code chat_template.jinja}
 * and the chosen ONNX variant with its external data files, not the other variants.
 *
 * <p>Environment, as in {@code huggingface_hub}: {@code HF_ENDPOINT} (default
 * {@code https://huggingface.co}), {@code HF_HOME} (default {@code ~/.cache/huggingface}; the cache
 * is its {@code hub/} folder, or {@code HF_HUB_CACHE}), {@code HF_TOKEN} (sent as a bearer token).
 * An endpoint that does not parse, is not an http(s) URL with a host, or carries credentials
 * ({@code user:password@}) is refused with a message that shows it with the credentials masked
 * and never repeats the token.
 *
 * <p>Repository file names, the repository id and the revision are percent-encoded segment by
 * segment when put into a URL, as {@code huggingface_hub} does ({@code my config.json} is requested
 * as {@code my%20config.json}, {@code a#b.json} as {@code a%23b.json}); the file lands in the
 * snapshot under its listed name.
 *
 * <p>Partial downloads are kept as {@code blobs/<sha>.incomplete} and resumed with an HTTP
 * {@code Range} request. Every file's size is checked against the repository listing, and LFS
 * files' SHA-256 against their pointer; a mismatch deletes the file and throws.
 */
public final class ModelHub {
  private static final Logger LOG = LoggerFactory.getLogger(ModelHub.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Most redirects followed for one request. */
  static final int MAX_REDIRECTS = 5;
  /** Largest repository listing accepted, in bytes. */
  static final long MAX_LISTING_BYTES = 32L << 20;
  /** Largest file accepted when the listing gives no size (configs, tokenizer, template). */
  static final long MAX_UNSIZED_FILE_BYTES = 256L << 20;

  private final URI endpoint;
  private final Path cache;
  private final String token;
  private final HttpClient http;
  private final Duration readTimeout;

  /**
   * @param endpoint hub base address, for example {@code https://huggingface.co}
   * @param cache the hub cache folder (the one holding {@code models--*} folders)
   * @param token bearer token, or null
   */
  public ModelHub(URI endpoint, Path cache, String token) {
    this(endpoint, cache, token, Duration.ofSeconds(60));
  }

  /**
   * @param endpoint hub base address, for example {@code https://huggingface.co}
   * @param cache the hub cache folder (the one holding {@code models--*} folders)
   * @param token bearer token, or null
   * @param readTimeout longest wait for the next bytes of a response body before the download fails
   *     (a partial file is kept and resumed on the next call)
   * @throws IllegalArgumentException if the token holds characters a token never has (line breaks,
   *     spaces, zero-width or other invisible characters); the message does not repeat the token.
   *     Also if the endpoint carries credentials ({@code user:password@}; the message shows them
   *     masked) or is not an absolute http(s) URL with a host and without query or fragment
   */
  public ModelHub(URI endpoint, Path cache, String token, Duration readTimeout) {
    checkEndpoint(Objects.requireNonNull(endpoint, "endpoint"), "the hub endpoint");
    this.endpoint = URI.create(stripSlash(endpoint.toString()));
    this.cache = Objects.requireNonNull(cache, "cache");
    this.token = checkToken(token);
    this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
    this.http = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER) // followed by hand: the token stays on the hub's host
        .connectTimeout(Duration.ofSeconds(30))
        .build();
  }

  /**
   * The token with surrounding white space removed, or null. A token is printable ASCII without
   * spaces; anything else (a pasted line break, a zero-width space) is refused without echoing it.
   */
  static String checkToken(String token) {
    if (token == null || token.isBlank()) {
      return null;
    }
    String t = token.strip();
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException("HF_TOKEN (" + t.length() + " characters) holds a character"
            + " no token has at position " + i + " (U+" + String.format("%04X", (int) c)
            + "); copy the token again without line breaks or invisible characters");
      }
    }
    return t;
  }

  /**
   * Refuses an endpoint that carries credentials or is not an absolute http(s) URL with a host and
   * without query or fragment; the message names {@code what} and shows the URL with any user
   * information masked.
   */
  static void checkEndpoint(URI endpoint, String what) {
    String shown = Urls.maskUserInfo(endpoint.toString());
    if (Urls.hasUserInfo(endpoint)) {
      throw new IllegalArgumentException(what + " '" + shown + "' must not carry credentials"
          + " (user:password@); give the token as HF_TOKEN instead");
    }
    String scheme = endpoint.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || endpoint.getHost() == null) {
      throw new IllegalArgumentException(what + " '" + shown
          + "' must be an absolute http:// or https:// URL with a host");
    }
    if (endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
      throw new IllegalArgumentException(what + " '" + shown + "' must not have a query or fragment");
    }
  }

  /** A hub configured from the process environment. */
  public static ModelHub fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /**
   * A hub configured from the given environment variables.
   *
   * @throws IllegalArgumentException if {@code HF_ENDPOINT} does not parse, carries credentials or
   *     is not an http(s) URL with a host (the message names {@code HF_ENDPOINT} and masks the
   *     credentials), or {@code HF_TOKEN} holds characters no token has; no message repeats the
   *     token
   */
  public static ModelHub fromEnvironment(Map<String, String> env) {
    String endpointText = env.get("HF_ENDPOINT");
    if (endpointText == null || endpointText.isBlank()) {
      endpointText = "https://huggingface.co";
    }
    String token = env.get("HF_TOKEN");
    URI endpoint;
    try {
      // Urls.parse neither repeats nor chains the URI parser's message, which holds the input.
      endpoint = Urls.parse(endpointText.strip(), "HF_ENDPOINT");
      checkEndpoint(endpoint, "HF_ENDPOINT");
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      if (token != null && !token.isBlank() && message.contains(token.strip())) {
        message = message.replace(token.strip(), "****"); // the token pasted into the URL
      }
      throw new IllegalArgumentException(message);
    }
    Path cache;
    if (env.get("HF_HUB_CACHE") != null) {
      cache = Path.of(env.get("HF_HUB_CACHE"));
    } else {
      Path home = env.get("HF_HOME") != null ? Path.of(env.get("HF_HOME"))
          : Path.of(System.getProperty("user.home"), ".cache", "huggingface");
      cache = home.resolve("hub");
    }
    return new ModelHub(endpoint, cache, token);
  }

  /** The cache folder. */
  public Path cache() {
    return cache;
  }

  /** The endpoint. */
  public URI endpoint() {
    return endpoint;
  }

  /** A file of a repository listing. */
  record RepoFile(String path, long size, String sha256, String blobId) {}

  /**
   * Downloads what a model needs at a revision and returns the snapshot folder, ready for
   * {@link OnnxLanguageModel#open(Path, OnnxOptions)}.
   *
   * @param repoId for example {@code onnx-community/Qwen2.5-0.5B-Instruct}
   * @param revision branch, tag or commit (for example {@code main})
   * @param variant ONNX variant, see {@link OnnxOptions#variant()}
   * @throws ModelException on HTTP errors, a missing variant, or a size or checksum mismatch
   */
  public Path download(String repoId, String revision, String variant) {
    if (!repoId.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("repoId must be 'owner/name', was '" + repoId + "'");
    }
    Path repoDir = cache.resolve("models--" + repoId.replace("/", "--"));
    // The revision is one segment here ("refs/pr/1" as refs%2Fpr%2F1), as huggingface_hub sends it.
    JsonNode info = getJson(endpoint + "/api/models/" + encodePath(repoId) + "/revision/"
        + encodeSegment(revision) + "?blobs=true");
    String commit = info.path("sha").asText(null);
    if (commit == null || !commit.matches("[0-9a-fA-F]{7,64}")) {
      throw new ModelException(repoId + "@" + revision + ": the hub's listing has no commit sha");
    }
    List<RepoFile> files = select(info, variant, repoId, revision);
    Path snapshot = repoDir.resolve("snapshots").resolve(commit);
    try {
      Files.createDirectories(repoDir.resolve("blobs"));
      Files.createDirectories(snapshot);
      for (RepoFile f : files) {
        fetch(repoId, commit, repoDir, snapshot, f);
      }
      if (!revision.equals(commit)) {
        Files.createDirectories(repoDir.resolve("refs"));
        Files.writeString(confined(repoDir.resolve("refs"), revision.replace("/", "%2F")), commit);
      }
    } catch (IOException e) {
      throw new ModelException(repoId + "@" + revision + ": download into " + repoDir
          + " failed: " + IoMessages.describe(e), e);
    }
    return snapshot;
  }

  static List<RepoFile> select(JsonNode info, String variant, String repoId, String revision) {
    String onnx = "onnx/" + OnnxOptions.fileOfVariant(variant);
    List<RepoFile> out = new ArrayList<>();
    boolean model = false;
    for (JsonNode s : info.path("siblings")) {
      String path = s.path("rfilename").asText();
      checkNoTraversal(repoId, path);
      boolean wanted = (!path.contains("/") && (path.endsWith(".json") || path.equals("chat_template.jinja")))
          || path.equals(onnx) || path.startsWith(onnx + "_data");
      if (!wanted) {
        continue;
      }
      checkRepoPath(repoId, path);
      model |= path.equals(onnx);
      JsonNode lfs = s.path("lfs");
      long size = lfs.has("size") ? lfs.path("size").asLong() : s.path("size").asLong(-1);
      String sha256 = lfs.path("sha256").asText(null);
      String blobId = s.path("blobId").asText(null);
      if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
        throw new ModelException(repoId + ": the listing gives " + path + " an invalid lfs.sha256 "
            + printable(sha256) + " (64 lower-case hex digits expected)");
      }
      if (blobId != null && !blobId.matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
        throw new ModelException(repoId + ": the listing gives " + path + " an invalid blobId "
            + printable(blobId) + " (a 40 or 64 hex digit git object id expected)");
      }
      out.add(new RepoFile(path, size, sha256, blobId));
    }
    if (!model) {
      List<String> present = new ArrayList<>();
      for (JsonNode s : info.path("siblings")) {
        String p = s.path("rfilename").asText();
        if (p.matches("onnx/model[^/]*\\.onnx")) {
          present.add(p);
        }
      }
      throw new ModelException(repoId + "@" + revision + ": no " + onnx + " for variant '" + variant
          + "' (the repository has: " + (present.isEmpty() ? "no onnx/ models" : String.join(", ", present)) + ")");
    }
    return out;
  }

  /**
   * Refuses a repository file name that could leave the snapshot folder or mean something else on
   * another operating system: absolute paths, drive letters, back slashes, {@code .} and {@code ..}
   * segments, empty segments, control characters.
   */
  static void checkRepoPath(String repoId, String path) {
    boolean bad = path.isEmpty() || path.length() > 1024 || path.startsWith("/") || path.endsWith("/")
        || path.contains("\\") || path.contains(":") || path.contains("//");
    for (int i = 0; !bad && i < path.length(); ) {
      int c = path.codePointAt(i);
      i += Character.charCount(c);
      // An unpaired surrogate has no UTF-8 form: it could be neither requested nor stored.
      bad = c < 0x20 || c == 0x7f || Character.getType(c) == Character.FORMAT
          || Character.getType(c) == Character.SURROGATE;
    }
    if (!bad) {
      for (String seg : path.split("/")) {
        bad |= seg.equals(".") || seg.equals("..") || seg.isEmpty();
      }
    }
    if (bad) {
      throw new ModelException(repoId + ": unsafe file name in listing: " + printable(path));
    }
  }

  /**
   * Refuses, wherever it is in the listing, a name no git repository can hold and that would leave
   * the snapshot folder: an absolute path, or a {@code .} or {@code ..} segment. Such a
   * listing was crafted; other odd names are checked only for the files that are downloaded.
   */
  static void checkNoTraversal(String repoId, String path) {
    boolean bad = path.startsWith("/");
    for (String seg : path.split("/", -1)) {
      bad |= seg.equals(".") || seg.equals("..");
    }
    if (bad) {
      throw new ModelException(repoId + ": unsafe file name in listing: " + printable(path));
    }
  }

  /**
   * A repository path for a URL: each {@code /}-separated segment percent-encoded on its own (see
   * {@link #encodeSegment}), the {@code /} between them kept.
   */
  static String encodePath(String path) {
    String[] segments = path.split("/", -1);
    StringBuilder b = new StringBuilder(path.length() + 16);
    for (int i = 0; i < segments.length; i++) {
      b.append(i == 0 ? "" : "/").append(encodeSegment(segments[i]));
    }
    return b.toString();
  }

  /**
   * One URL path segment: the UTF-8 bytes of {@code s}, each byte other than an RFC 3986
   * unreserved character ({@code A-Z a-z 0-9 - . _ ~}) written as {@code %XX}. A {@code /} is
   * encoded too, so the result is always a single segment; {@code %} is encoded, so a name holding
   * {@code %2e} is requested as itself and not decoded into a dot by the server.
   */
  static String encodeSegment(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
          || c == '-' || c == '.' || c == '_' || c == '~') {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return b.toString();
  }

  /** A value from outside, shortened and with invisible characters escaped, for an error message. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder("'");
    for (int i = 0; i < s.length() && i < 120; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || Character.getType(c) == Character.FORMAT) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append(s.length() > 120 ? "...'" : "'").toString();
  }

  /** {@code child} resolved under {@code dir}, refusing anything that would land outside it. */
  static Path confined(Path dir, String child) {
    Path base = dir.toAbsolutePath().normalize();
    Path p;
    try {
      p = base.resolve(child).normalize();
    } catch (InvalidPathException e) {
      throw new ModelException("refusing to write " + printable(child) + ": not a valid file name here");
    }
    if (!p.startsWith(base) || p.equals(base)) {
      throw new ModelException("refusing to write " + printable(child) + " outside " + base);
    }
    return p;
  }

  private void fetch(String repoId, String commit, Path repoDir, Path snapshot, RepoFile f)
      throws IOException {
    Path link = confined(snapshot, f.path());
    if (Files.exists(link) && (f.size() < 0 || Files.size(link) == f.size())) {
      return;
    }
    String blobName = f.sha256() != null ? f.sha256() : f.blobId() != null ? f.blobId()
        : sha256Hex((commit + "/" + f.path()).getBytes(StandardCharsets.UTF_8));
    Path blob = confined(repoDir.resolve("blobs"), blobName);
    if (!Files.exists(blob) || (f.size() >= 0 && Files.size(blob) != f.size())) {
      Path part = confined(repoDir.resolve("blobs"), blobName + ".incomplete");
      downloadTo(endpoint + "/" + encodePath(repoId) + "/resolve/" + encodeSegment(commit) + "/"
          + encodePath(f.path()), part, f);
      Files.move(part, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.createDirectories(link.getParent());
    Files.deleteIfExists(link);
    try {
      Files.createSymbolicLink(link, link.getParent().relativize(blob));
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(blob, link); // file systems without symbolic links
    }
  }

  private void downloadTo(String url, Path part, RepoFile f) throws IOException {
    long have = Files.exists(part) ? Files.size(part) : 0;
    if (f.size() >= 0 && have > f.size()) {
      Files.delete(part);
      have = 0;
    }
    HttpRequest.Builder rb = request(url);
    if (have > 0) {
      rb.header("Range", "bytes=" + have + "-");
    }
    HttpResponse<InputStream> resp = send(rb.build());
    int code = resp.statusCode();
    boolean append;
    if (code == 206 && have > 0) {
      append = true;
      LOG.info("resuming {} at byte {}", f.path(), have);
    } else if (code == 200) {
      append = false;
    } else if (code == 416 && f.size() >= 0 && have == f.size()) {
      resp.body().close();
      verify(part, f);
      return;
    } else {
      resp.body().close();
      throw new ModelException("GET " + url + ": HTTP " + code);
    }
    long limit = (f.size() >= 0 ? f.size() : MAX_UNSIZED_FILE_BYTES) - (append ? have : 0);
    try (InputStream in = resp.body();
        OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE,
            append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
      long copied = BoundedBody.copy(in, out, limit, readTimeout, url);
      if (copied > limit) {
        out.close();
        Files.deleteIfExists(part);
        throw new ModelException(f.path() + ": the server sent more than the "
            + (f.size() >= 0 ? "listed " + f.size() + " bytes" : MAX_UNSIZED_FILE_BYTES + " bytes allowed for a file without a listed size")
            + "; the download was stopped and deleted");
      }
    }
    verify(part, f);
  }

  private static void verify(Path part, RepoFile f) throws IOException {
    long got = Files.size(part);
    if (f.size() >= 0 && got != f.size()) {
      if (got > f.size()) {
        Files.delete(part);
      }
      throw new ModelException(f.path() + ": downloaded " + got + " bytes, the listing says "
          + f.size() + (got < f.size() ? " (the partial file is kept; run again to resume)" : ""));
    }
    if (f.sha256() != null) {
      String actual = digest(part, "SHA-256", null);
      if (!actual.equals(f.sha256())) {
        Files.delete(part);
        throw new ModelException(f.path() + ": SHA-256 " + actual + " does not match the hub's "
            + f.sha256() + "; the file was deleted");
      }
    } else if (f.blobId() != null) {
      String actual = gitBlobId(part, f.blobId().length() == 64 ? "SHA-256" : "SHA-1");
      if (!actual.equals(f.blobId())) {
        Files.delete(part);
        throw new ModelException(f.path() + ": git object id " + actual + " does not match the hub's "
            + f.blobId() + "; the file was deleted");
      }
    }
  }

  /** The git object id of a file's content ({@code "blob <size>\0"} + content). */
  static String gitBlobId(Path file, String algorithm) throws IOException {
    return digest(file, algorithm, "blob " + Files.size(file) + "\0");
  }

  /** The hex digest of {@code prefix} (when not null) followed by the file's bytes. */
  private static String digest(Path file, String algorithm, String prefix) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance(algorithm);
      if (prefix != null) {
        md.update(prefix.getBytes(StandardCharsets.US_ASCII));
      }
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode getJson(String url) {
    HttpResponse<InputStream> resp = send(request(url).header("Accept", "application/json").build());
    try (InputStream in = resp.body()) {
      if (resp.statusCode() != 200) {
        throw new ModelException("GET " + url + ": HTTP " + resp.statusCode()
            + (resp.statusCode() == 401 || resp.statusCode() == 403
                ? " (gated or private repository: set HF_TOKEN)" : ""));
      }
      java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
      if (BoundedBody.copy(in, buf, MAX_LISTING_BYTES, readTimeout, url) > MAX_LISTING_BYTES) {
        throw new ModelException("GET " + url + ": the listing is larger than " + MAX_LISTING_BYTES
            + " bytes; refusing it");
      }
      return JSON.readTree(buf.toByteArray());
    } catch (IOException e) {
      throw new ModelException("GET " + url + ": " + IoMessages.describe(e), e);
    }
  }

  private HttpRequest.Builder request(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (java.net.URISyntaxException e) {
      // Every part is validated or encoded, so this is a bug; still a ModelException, not chained.
      throw new ModelException("GET " + Urls.maskUserInfo(url) + ": not a valid URL (" + e.getReason() + ")");
    }
    return HttpRequest.newBuilder(uri)
        .timeout(Duration.ofMinutes(2)) // until the response headers; the body has readTimeout
        .header("User-Agent", "sparq-onnx");
  }

  /**
   * Sends a request, following up to {@link #MAX_REDIRECTS} redirects by hand. The token is sent
   * only to the hub's own scheme, host and port: the real hub redirects large files to CDN hosts,
   * which must not see it (the JDK's own redirect handling would copy the header).
   */
  private HttpResponse<InputStream> send(HttpRequest first) {
    HttpRequest req = first;
    for (int hop = 0; ; hop++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(req, (n, v) -> true);
      if (token != null && sameOrigin(req.uri(), endpoint)) {
        b.setHeader("Authorization", "Bearer " + token);
      }
      HttpResponse<InputStream> resp;
      try {
        resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        throw new ModelException(req.method() + " " + req.uri() + ": " + IoMessages.describe(e), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ModelException(req.method() + " " + req.uri() + ": interrupted", e);
      }
      int code = resp.statusCode();
      if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) {
        return resp;
      }
      try {
        resp.body().close();
      } catch (IOException ignored) {
        // nothing to keep of a redirect's body
      }
      String location = resp.headers().firstValue("Location").orElse(null);
      if (location == null || hop >= MAX_REDIRECTS) {
        throw new ModelException(req.method() + " " + req.uri() + ": HTTP " + code
            + (location == null ? " without a Location header" : " after " + MAX_REDIRECTS + " redirects"));
      }
      URI next;
      try {
        next = req.uri().resolve(location.trim());
      } catch (IllegalArgumentException e) {
        throw new ModelException(req.method() + " " + req.uri() + ": HTTP " + code
            + " to an invalid Location " + printable(location), e);
      }
      if (!"https".equalsIgnoreCase(next.getScheme()) && !"http".equalsIgnoreCase(next.getScheme())) {
        throw new ModelException(req.method() + " " + req.uri() + ": redirect to unsupported scheme "
            + printable(String.valueOf(next.getScheme())));
      }
      if ("https".equalsIgnoreCase(req.uri().getScheme()) && "http".equalsIgnoreCase(next.getScheme())) {
        throw new ModelException(req.method() + " " + req.uri() + ": refusing a redirect from https to http");
      }
      req = HttpRequest.newBuilder(req, (n, v) -> true).uri(next).build();
    }
  }

  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  private static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
