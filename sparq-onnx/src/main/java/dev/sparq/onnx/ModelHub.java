package dev.sparq.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparq.core.ModelException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 *
 * <p>Partial downloads are kept as {@code blobs/<sha>.incomplete} and resumed with an HTTP
 * {@code Range} request. Every file's size is checked against the repository listing, and LFS
 * files' SHA-256 against their pointer; a mismatch deletes the file and throws.
 */
public final class ModelHub {
  private static final Logger LOG = LoggerFactory.getLogger(ModelHub.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final Path cache;
  private final String token;
  private final HttpClient http;

  /**
   * @param endpoint hub base address, for example {@code https://huggingface.co}
   * @param cache the hub cache folder (the one holding {@code models--*} folders)
   * @param token bearer token, or null
   */
  public ModelHub(URI endpoint, Path cache, String token) {
    this.endpoint = URI.create(stripSlash(Objects.requireNonNull(endpoint, "endpoint").toString()));
    this.cache = Objects.requireNonNull(cache, "cache");
    this.token = token == null || token.isBlank() ? null : token.trim();
    this.http = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(30))
        .build();
  }

  /** A hub configured from the process environment. */
  public static ModelHub fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /** A hub configured from the given environment variables. */
  public static ModelHub fromEnvironment(Map<String, String> env) {
    String endpoint = env.getOrDefault("HF_ENDPOINT", "https://huggingface.co");
    Path cache;
    if (env.get("HF_HUB_CACHE") != null) {
      cache = Path.of(env.get("HF_HUB_CACHE"));
    } else {
      Path home = env.get("HF_HOME") != null ? Path.of(env.get("HF_HOME"))
          : Path.of(System.getProperty("user.home"), ".cache", "huggingface");
      cache = home.resolve("hub");
    }
    return new ModelHub(URI.create(endpoint), cache, env.get("HF_TOKEN"));
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
    JsonNode info = getJson(endpoint + "/api/models/" + repoId + "/revision/"
        + URLEncoder.encode(revision, StandardCharsets.UTF_8) + "?blobs=true");
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
        Files.writeString(repoDir.resolve("refs").resolve(revision.replace("/", "%2F")), commit);
      }
    } catch (IOException e) {
      throw new ModelException(repoId + "@" + revision + ": download into " + repoDir
          + " failed: " + e.getMessage(), e);
    }
    return snapshot;
  }

  static List<RepoFile> select(JsonNode info, String variant, String repoId, String revision) {
    String onnx = "onnx/" + OnnxOptions.fileOfVariant(variant);
    List<RepoFile> out = new ArrayList<>();
    boolean model = false;
    for (JsonNode s : info.path("siblings")) {
      String path = s.path("rfilename").asText();
      boolean wanted = (!path.contains("/") && (path.endsWith(".json") || path.equals("chat_template.jinja")))
          || path.equals(onnx) || path.startsWith(onnx + "_data");
      if (!wanted) {
        continue;
      }
      if (path.contains("..") || path.startsWith("/")) {
        throw new ModelException(repoId + ": unsafe file name in listing: " + path);
      }
      model |= path.equals(onnx);
      JsonNode lfs = s.path("lfs");
      long size = lfs.has("size") ? lfs.path("size").asLong() : s.path("size").asLong(-1);
      out.add(new RepoFile(path, size, lfs.path("sha256").asText(null), s.path("blobId").asText(null)));
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

  private void fetch(String repoId, String commit, Path repoDir, Path snapshot, RepoFile f)
      throws IOException {
    Path link = snapshot.resolve(f.path());
    if (Files.exists(link) && (f.size() < 0 || Files.size(link) == f.size())) {
      return;
    }
    String blobName = f.sha256() != null ? f.sha256() : f.blobId() != null ? f.blobId()
        : sha256Hex((commit + "/" + f.path()).getBytes(StandardCharsets.UTF_8));
    Path blob = repoDir.resolve("blobs").resolve(blobName);
    if (!Files.exists(blob) || (f.size() >= 0 && Files.size(blob) != f.size())) {
      Path part = repoDir.resolve("blobs").resolve(blobName + ".incomplete");
      downloadTo(endpoint + "/" + repoId + "/resolve/" + commit + "/" + f.path(), part, f);
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
    try (InputStream in = resp.body();
        OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE,
            append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
      in.transferTo(out);
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
      String actual;
      try (InputStream in = Files.newInputStream(part)) {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
        }
        actual = HexFormat.of().formatHex(md.digest());
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      if (!actual.equalsIgnoreCase(f.sha256())) {
        Files.delete(part);
        throw new ModelException(f.path() + ": SHA-256 " + actual + " does not match the hub's "
            + f.sha256() + "; the file was deleted");
      }
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
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new ModelException("GET " + url + ": " + e.getMessage(), e);
    }
  }

  private HttpRequest.Builder request(String url) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofMinutes(30))
        .header("User-Agent", "sparq-onnx");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private HttpResponse<InputStream> send(HttpRequest req) {
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new ModelException(req.method() + " " + req.uri() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ModelException(req.method() + " " + req.uri() + ": interrupted", e);
    }
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
