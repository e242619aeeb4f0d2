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
 * <p>The cache is the one {@code huggingface_hub} and {@code hf download} use, read and written
 * the same way: a snapshot they filled is used as it is (only the listing is fetched, no file
 * again), and what this class writes is read by {@code try_to_load_from_cache},
 * {@code snapshot_download(..., local_files_only=True)} and {@code hf cache scan}. Links from a
 * snapshot to its blobs are relative; {@code refs/<revision>} holds the commit hash without a line
 * break, a revision with slashes being a nested path ({@code refs/refs/pr/1}); a blob is downloaded
 * under {@code .locks/models--<org>--<name>/<blob>.lock}.
 *
 * <p>Environment, as in {@code huggingface_hub} (see {@link #fromEnvironment(Map)}):
 * {@code HF_ENDPOINT} (default {@code https://huggingface.co}); {@code HF_HUB_CACHE} or
 * {@code HUGGINGFACE_HUB_CACHE}, else the {@code hub/} folder of {@code HF_HOME} (default
 * {@code $XDG_CACHE_HOME/huggingface} or {@code ~/.cache/huggingface}); {@code HF_TOKEN},
 * {@code HUGGING_FACE_HUB_TOKEN} or the token file {@code hf auth login} writes (sent as a bearer
 * token, to the endpoint's host only); {@code HF_HUB_OFFLINE} (work from the cache alone, see
 * {@link #download}). An endpoint that does not parse, is not an http(s) URL with a host, or
 * carries credentials ({@code user:password@}) is refused with a message that shows it with the
 * credentials masked and never repeats the token.
 *
 * <p>Repository file names, the repository id and the revision are percent-encoded segment by
 * segment when put into a URL, as {@code huggingface_hub} does ({@code my config.json} is requested
 * as {@code my%20config.json}, {@code a#b.json} as {@code a%23b.json}); the file lands in the
 * snapshot under its listed name.
 *
 * <p>Partial downloads are kept as {@code blobs/<sha>.incomplete} and resumed with an HTTP
 * {@code Range} request ({@code hf cache scan} lists them as incomplete downloads; the Python
 * client downloads into a file of its own and never touches them). Every file's size is checked against the repository listing, and LFS
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
  private final boolean offline;

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
    this(endpoint, cache, token, readTimeout, false);
  }

  /**
   * @param endpoint hub base address, for example {@code https://huggingface.co}
   * @param cache the hub cache folder (the one holding {@code models--*} folders)
   * @param token bearer token, or null
   * @param readTimeout longest wait for the next bytes of a response body before the download fails
   * @param offline true to never contact the endpoint and resolve every download from the cache
   *     alone, as {@code HF_HUB_OFFLINE=1} does (see {@link #download})
   * @throws IllegalArgumentException as {@link #ModelHub(URI, Path, String, Duration)}
   */
  public ModelHub(URI endpoint, Path cache, String token, Duration readTimeout, boolean offline) {
    this.offline = offline;
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
    return checkToken(token, "HF_TOKEN");
  }

  /** {@link #checkToken(String)}, the message naming {@code source} (a variable or a file). */
  static String checkToken(String token, String source) {
    if (token == null || token.isBlank()) {
      return null;
    }
    String t = token.strip();
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException(source + " (" + t.length() + " characters) holds a character"
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
   * A hub configured from the given environment variables, read as {@code huggingface_hub} reads
   * them. The cache is {@code HF_HUB_CACHE}, else {@code HUGGINGFACE_HUB_CACHE}, else the
   * {@code hub} folder of {@code HF_HOME}, else of {@code $XDG_CACHE_HOME/huggingface}, else of
   * {@code ~/.cache/huggingface}; a leading {@code ~} is the user's home. The token is
   * {@code HF_TOKEN}, else {@code HUGGING_FACE_HUB_TOKEN}, else the file {@code hf auth login}
   * writes (see {@link #tokenFromEnvironment}). {@code HF_HUB_OFFLINE} (else
   * {@code TRANSFORMERS_OFFLINE}) set to {@code 1}, {@code ON}, {@code YES} or {@code TRUE} (any
   * case) makes the hub offline. Blank values count as unset.
   *
   * @throws IllegalArgumentException if {@code HF_ENDPOINT} does not parse, carries credentials or
   *     is not an http(s) URL with a host (the message names {@code HF_ENDPOINT} and masks the
   *     credentials), or the token holds characters no token has; no message repeats the token
   */
  public static ModelHub fromEnvironment(Map<String, String> env) {
    String endpointText = env.get("HF_ENDPOINT");
    if (endpointText == null || endpointText.isBlank()) {
      endpointText = "https://huggingface.co";
    }
    String token = tokenFromEnvironment(env);
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
    return new ModelHub(endpoint, cacheFromEnvironment(env), token, Duration.ofSeconds(60),
        isTrue(firstSet(env, "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")));
  }

  /** Largest token file read. */
  static final int MAX_TOKEN_FILE_BYTES = 4096;

  /**
   * The token as {@code huggingface_hub} finds it: {@code HF_TOKEN}, else
   * {@code HUGGING_FACE_HUB_TOKEN}, else the file {@code hf auth login} writes
   * ({@code HF_TOKEN_PATH}, default {@code <HF_HOME>/token}); none at all when
   * {@code HF_HUB_DISABLE_IMPLICIT_TOKEN} is true. Checked as {@link #checkToken(String, String)}
   * does, the message naming where it came from and never the token.
   */
  static String tokenFromEnvironment(Map<String, String> env) {
    if (isTrue(env.get("HF_HUB_DISABLE_IMPLICIT_TOKEN"))) {
      return null;
    }
    String fromEnv = firstSet(env, "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN");
    if (fromEnv != null) {
      return checkToken(fromEnv, env.get("HF_TOKEN") != null && !env.get("HF_TOKEN").isBlank()
          ? "HF_TOKEN" : "HUGGING_FACE_HUB_TOKEN");
    }
    String pathText = env.get("HF_TOKEN_PATH");
    Path file = pathText != null && !pathText.isBlank() ? expandHome(pathText) : hfHome(env).resolve("token");
    try {
      if (!Files.isRegularFile(file)) {
        return null;
      }
      long size = Files.size(file);
      if (size > MAX_TOKEN_FILE_BYTES) {
        throw new IllegalArgumentException("the token file " + file + " holds " + size
            + " bytes, more than a token; fix or delete it (it is read when HF_TOKEN is not set)");
      }
      return checkToken(Files.readString(file, StandardCharsets.ISO_8859_1), "the token file " + file);
    } catch (IOException e) {
      LOG.warn("cannot read the token file {}: {}; going on without a token", file, IoMessages.describe(e));
      return null;
    }
  }

  /** {@code HF_HOME}, else {@code $XDG_CACHE_HOME/huggingface}, else {@code ~/.cache/huggingface}. */
  private static Path hfHome(Map<String, String> env) {
    String home = env.get("HF_HOME");
    if (home != null && !home.isBlank()) {
      return expandHome(home);
    }
    String xdg = env.get("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? expandHome(xdg)
        : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("huggingface");
  }

  /** The hub cache folder the environment names, as {@code huggingface_hub} finds it. */
  static Path cacheFromEnvironment(Map<String, String> env) {
    String hubCache = firstSet(env, "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE");
    if (hubCache != null) {
      return expandHome(hubCache);
    }
    return hfHome(env).resolve("hub");
  }

  /** The value of the first of {@code names} that is set and not blank, or null. */
  private static String firstSet(Map<String, String> env, String... names) {
    for (String n : names) {
      String v = env.get(n);
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  /** {@code ~} or a leading {@code ~/} replaced by the user's home folder. */
  private static Path expandHome(String p) {
    String s = p.strip();
    if (s.equals("~") || s.startsWith("~/") || s.startsWith("~" + java.io.File.separator)) {
      return Path.of(System.getProperty("user.home") + s.substring(1));
    }
    return Path.of(s);
  }

  /** True for the values {@code huggingface_hub} takes as yes: 1, ON, YES, TRUE in any case. */
  static boolean isTrue(String v) {
    if (v == null) {
      return false;
    }
    String u = v.strip().toUpperCase(java.util.Locale.ROOT);
    return u.equals("1") || u.equals("ON") || u.equals("YES") || u.equals("TRUE");
  }

  /** The cache folder. */
  public Path cache() {
    return cache;
  }

  /** The endpoint. */
  public URI endpoint() {
    return endpoint;
  }

  /** Whether this hub works from the cache alone ({@code HF_HUB_OFFLINE}). */
  public boolean offline() {
    return offline;
  }

  /** A file of a repository listing. */
  record RepoFile(String path, long size, String sha256, String blobId) {}

  /**
   * Downloads what a model needs at a revision and returns the snapshot folder, ready for
   * {@link OnnxLanguageModel#open(Path, OnnxOptions)}. Files already in the snapshot, whoever put
   * them there ({@code huggingface_hub}, {@code hf download}, an earlier call), are not fetched
   * again; only the listing is.
   *
   * <p>Offline ({@link #offline()}, {@code HF_HUB_OFFLINE=1}) nothing is sent: a branch or tag is
   * resolved through {@code refs/<revision>} (a full 40-digit commit hash needs no ref), the files
   * are chosen from the tree listing {@code huggingface_hub} keeps in {@code trees/<commit>.json}
   * when there is one, else from the snapshot's contents, and anything missing is an error that
   * names the repository, revision, commit and files. The same happens when the endpoint cannot
   * be reached or answers 5xx, as {@code huggingface_hub} does; if the cache cannot serve the
   * revision either, the network error is thrown with the cache's reason added.
   *
   * @param repoId for example {@code onnx-community/Qwen2.5-0.5B-Instruct}
   * @param revision branch, tag or commit (for example {@code main} or {@code refs/pr/1})
   * @param variant ONNX variant, see {@link OnnxOptions#variant()}
   * @throws IllegalArgumentException if the repository id is not {@code owner/name} or the
   *     revision is not a name git could hold (empty, {@code ..} segments, control characters)
   * @throws ModelException on HTTP errors, a missing variant, a size or checksum mismatch, or
   *     (offline) anything the cache lacks
   */
  public Path download(String repoId, String revision, String variant) {
    if (!repoId.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("repoId must be 'owner/name', was '" + repoId + "'");
    }
    checkRevision(revision);
    Path repoDir = cache.resolve("models--" + repoId.replace("/", "--"));
    if (offline) {
      return cached(repoId, revision, variant, repoDir, "HF_HUB_OFFLINE is set");
    }
    JsonNode info;
    try {
      // The revision is one segment here ("refs/pr/1" as refs%2Fpr%2F1), as huggingface_hub sends it.
      info = getJson(endpoint + "/api/models/" + encodePath(repoId) + "/revision/"
          + encodeSegment(revision) + "?blobs=true");
    } catch (Unreachable e) {
      try {
        Path snapshot = cached(repoId, revision, variant, repoDir, "the hub could not be reached");
        LOG.warn("{}@{}: {}; using the cached snapshot {}", repoId, revision, e.getMessage(), snapshot);
        return snapshot;
      } catch (ModelException fromCache) {
        throw new ModelException(e.getMessage() + "; nor could the cache serve it: "
            + fromCache.getMessage(), e);
      }
    }
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
        writeRef(repoDir, revision, commit);
      }
    } catch (IOException e) {
      throw new ModelException(repoId + "@" + revision + ": download into " + repoDir
          + " failed: " + IoMessages.describe(e), e);
    }
    return snapshot;
  }

  /**
   * Refuses a revision that could not be a git ref or commit, or that would leave the
   * {@code refs} folder when stored there as {@code refs/<revision>}.
   */
  static void checkRevision(String revision) {
    boolean bad = revision == null || revision.isEmpty() || revision.length() > 255
        || revision.startsWith("/") || revision.endsWith("/") || revision.contains("\\")
        || revision.contains("//") || revision.contains(":");
    for (int i = 0; !bad && i < revision.length(); i++) {
      char c = revision.charAt(i);
      bad = c < 0x20 || c == 0x7f || Character.getType(c) == Character.FORMAT
          || Character.getType(c) == Character.SURROGATE;
    }
    if (!bad) {
      for (String seg : revision.split("/")) {
        bad |= seg.equals(".") || seg.equals("..");
      }
    }
    if (bad) {
      throw new IllegalArgumentException("revision " + (revision == null ? "null" : printable(revision))
          + " is not a branch, tag or commit name");
    }
  }

  /** A full commit hash, which names a snapshot without a ref (as {@code huggingface_hub} has it). */
  static boolean isCommitHash(String revision) {
    return revision.matches("[0-9a-f]{40}");
  }

  /**
   * Records {@code refs/<revision>} = {@code commit} as {@code huggingface_hub} does: a revision with
   * slashes ({@code refs/pr/1}) is a nested path, the file holds the hash without a line break, it
   * is replaced atomically (readers never see it empty) and left alone when it already says so (a
   * read-only cache that holds everything still works).
   */
  static void writeRef(Path repoDir, String revision, String commit) throws IOException {
    Path refs = repoDir.resolve("refs");
    Path ref = confined(refs, revision);
    if (commit.equals(readRef(repoDir, revision))) {
      return;
    }
    Files.createDirectories(ref.getParent());
    dev.sparq.core.internal.AtomicFiles.write(ref, commit.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The commit {@code refs/<revision>} names, or null if there is no such ref. Surrounding white
   * space is ignored (an edited ref may end in a line break); anything but a 40 or 64 digit hex
   * hash is an error naming the file.
   */
  static String readRef(Path repoDir, String revision) throws IOException {
    Path ref = confined(repoDir.resolve("refs"), revision);
    if (!Files.isRegularFile(ref) && revision.contains("/")) {
      // where earlier versions of this class kept it: refs/refs%2Fpr%2F1
      ref = confined(repoDir.resolve("refs"), revision.replace("/", "%2F"));
    }
    if (!Files.isRegularFile(ref)) {
      return null;
    }
    if (Files.size(ref) > 256) {
      throw new ModelException(ref + ": not a commit hash (" + Files.size(ref) + " bytes)");
    }
    String commit = Files.readString(ref, StandardCharsets.ISO_8859_1).strip();
    if (!commit.matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
      throw new ModelException(ref + ": not a commit hash: " + printable(commit));
    }
    return commit;
  }

  /**
   * The snapshot of {@code revision} as the cache holds it, without the network; {@code why} says
   * why the hub was not asked. Every error names the repository, the revision and what is missing.
   */
  Path cached(String repoId, String revision, String variant, Path repoDir, String why) {
    String what = repoId + "@" + revision;
    String again = "; download it once with network access (without HF_HUB_OFFLINE), with this"
        + " downloader or `hf download " + repoId + " --revision " + revision + " --include \"*.json\""
        + " --include chat_template.jinja --include \"onnx/" + OnnxOptions.fileOfVariant(variant) + "*\"`";
    if (!Files.isDirectory(repoDir)) {
      throw new ModelException(what + ": " + why + " and the cache " + cache + " holds no "
          + repoDir.getFileName() + again);
    }
    String commit;
    try {
      commit = isCommitHash(revision) ? revision : readRef(repoDir, revision);
    } catch (IOException e) {
      throw new ModelException(what + ": " + why + " and refs/" + revision + " could not be read: "
          + IoMessages.describe(e), e);
    }
    if (commit == null) {
      throw new ModelException(what + ": " + why + " and " + repoDir + " has no refs/" + revision
          + " saying which commit it is (or name a full commit hash)" + again);
    }
    what += " (commit " + commit + ")";
    Path snapshot = repoDir.resolve("snapshots").resolve(commit);
    if (!Files.isDirectory(snapshot)) {
      throw new ModelException(what + ": " + why + " and the cache has no snapshot " + snapshot + again);
    }
    String onnx = "onnx/" + OnnxOptions.fileOfVariant(variant);
    try {
      JsonNode listing = treeListing(repoDir, commit);
      boolean fromTree = listing != null;
      if (listing == null) {
        listing = snapshotListing(snapshot);
      }
      // a link whose blob is gone is reported below, with the other files the snapshot lacks
      if (!Files.exists(confined(snapshot, onnx), java.nio.file.LinkOption.NOFOLLOW_LINKS) && !fromTree) {
        boolean absent = Files.isRegularFile(confined(repoDir.resolve(".no_exist").resolve(commit), onnx));
        List<String> present = new ArrayList<>();
        for (JsonNode n : listing.path("siblings")) {
          if (n.path("rfilename").asText().matches("onnx/model[^/]*\\.onnx")) {
            present.add(n.path("rfilename").asText());
          }
        }
        throw new ModelException(what + ": " + why + " and " + (absent
            ? "the repository has no " + onnx + " at that commit (huggingface_hub recorded it in .no_exist)"
            : "the cached snapshot has no " + onnx) + " for variant '" + variant + "' (it has: "
            + (present.isEmpty() ? "no onnx/ models" : String.join(", ", present)) + ")"
            + (absent ? "" : again));
      }
      List<RepoFile> files = select(listing, variant, repoId, revision);
      List<String> missing = new ArrayList<>();
      for (RepoFile f : files) {
        Path p = confined(snapshot, f.path());
        // isRegularFile follows the link: a link whose blob is gone counts as missing
        if (!Files.isRegularFile(p)) {
          missing.add(f.path());
        } else if (f.size() >= 0 && Files.size(p) != f.size()) {
          missing.add(f.path() + " (" + Files.size(p) + " bytes, the listing says " + f.size() + ")");
        }
      }
      if (!missing.isEmpty()) {
        throw new ModelException(what + ": " + why + " and the cached snapshot " + snapshot
            + " lacks " + String.join(", ", missing) + again);
      }
    } catch (IOException e) {
      throw new ModelException(what + ": " + why + " and reading the cached snapshot " + snapshot
          + " failed: " + IoMessages.describe(e), e);
    }
    LOG.info("{}: {}; using the cached snapshot {}", what, why, snapshot);
    return snapshot;
  }

  /**
   * The tree listing {@code huggingface_hub} stores as {@code trees/<commit>.json} (format 1:
   * {@code files} maps each path to its {@code size}, {@code blob_id} and, for LFS files,
   * {@code lfs_sha256} and {@code lfs_size}), as a listing in the hub's {@code siblings} form; null
   * if there is none or it is not in a form known here.
   */
  static JsonNode treeListing(Path repoDir, String commit) throws IOException {
    Path tree = repoDir.resolve("trees").resolve(commit + ".json");
    if (!Files.isRegularFile(tree) || Files.size(tree) > MAX_LISTING_BYTES) {
      return null;
    }
    JsonNode root;
    try {
      root = JSON.readTree(tree.toFile());
    } catch (IOException e) {
      LOG.warn("ignoring the unreadable tree listing {}: {}", tree, IoMessages.describe(e));
      return null;
    }
    if (root == null || root.path("format_version").asInt(-1) != 1 || !root.path("files").isObject()) {
      return null;
    }
    com.fasterxml.jackson.databind.node.ObjectNode out = JSON.createObjectNode();
    com.fasterxml.jackson.databind.node.ArrayNode siblings = out.putArray("siblings");
    root.path("files").properties().forEach(e -> {
      com.fasterxml.jackson.databind.node.ObjectNode s = siblings.addObject();
      JsonNode v = e.getValue();
      s.put("rfilename", e.getKey());
      s.put("size", v.path("size").asLong(-1));
      if (v.hasNonNull("lfs_sha256")) {
        s.putObject("lfs").put("sha256", v.path("lfs_sha256").asText())
            .put("size", v.path("lfs_size").asLong(v.path("size").asLong(-1)));
      } else if (v.hasNonNull("blob_id")) {
        s.put("blobId", v.path("blob_id").asText());
      }
    });
    return out;
  }

  /** A listing in the hub's {@code siblings} form of the files a snapshot holds, sizes unknown. */
  static JsonNode snapshotListing(Path snapshot) throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode out = JSON.createObjectNode();
    com.fasterxml.jackson.databind.node.ArrayNode siblings = out.putArray("siblings");
    try (java.util.stream.Stream<Path> s = Files.walk(snapshot, 8)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (!p.equals(snapshot) && (Files.isRegularFile(p) || Files.isSymbolicLink(p))) {
          StringBuilder name = new StringBuilder();
          for (Path seg : snapshot.relativize(p)) {
            name.append(name.length() == 0 ? "" : "/").append(seg);
          }
          siblings.addObject().put("rfilename", name.toString()).put("size", -1);
        }
      }
    }
    return out;
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
    if (linked(link, f)) {
      return;
    }
    String blobName = f.sha256() != null ? f.sha256() : f.blobId() != null ? f.blobId()
        : sha256Hex((commit + "/" + f.path()).getBytes(StandardCharsets.UTF_8));
    Path blob = confined(repoDir.resolve("blobs"), blobName);
    // One download and one link of a blob at a time, under the lock file huggingface_hub uses for
    // it: two threads fetching the same file must not both delete and create its snapshot link
    Path lockFile = confined(cache.resolve(".locks").resolve(repoDir.getFileName().toString()),
        blobName + ".lock");
    BlobLock lock = BlobLock.take(lockFile);
    try {
      if (linked(link, f)) { // another thread or process linked it meanwhile
        return;
      }
      if (!blobComplete(blob, f)) {
        Path part = confined(repoDir.resolve("blobs"), blobName + ".incomplete");
        downloadTo(endpoint + "/" + encodePath(repoId) + "/resolve/" + encodeSegment(commit) + "/"
            + encodePath(f.path()), part, f);
        Files.move(part, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.createDirectories(link.getParent());
      Files.deleteIfExists(link);
      try {
        Files.createSymbolicLink(link, link.getParent().relativize(blob));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (!linked(link, f)) { // made by a process outside our lock (huggingface_hub's is another kind)
          throw e;
        }
      } catch (UnsupportedOperationException | IOException e) {
        Files.copy(blob, link, StandardCopyOption.REPLACE_EXISTING); // file systems without symbolic links
      }
    } finally {
      lock.release();
    }
  }

  private static boolean linked(Path link, RepoFile f) throws IOException {
    return Files.exists(link) && (f.size() < 0 || Files.size(link) == f.size());
  }

  private static boolean blobComplete(Path blob, RepoFile f) throws IOException {
    return Files.exists(blob) && (f.size() < 0 || Files.size(blob) == f.size());
  }

  /**
   * Holds {@code .locks/models--org--name/<blob>.lock} while a blob is downloaded: threads of this
   * JVM queue on a monitor per lock file, other JVMs on an OS file lock. (On Linux an OS file lock
   * taken by Java does not exclude {@code huggingface_hub}'s {@code flock}; that client downloads
   * into a file of its own and renames it into place, so the two never write the same file.) Where
   * the lock file cannot be created or locked (a read-only or lock-less file system) the download
   * goes ahead unlocked, as before.
   */
  static final class BlobLock {
    private static final Map<Path, java.util.concurrent.locks.ReentrantLock> LOCAL =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.locks.ReentrantLock local;
    private final java.nio.channels.FileChannel channel;

    private BlobLock(java.util.concurrent.locks.ReentrantLock local, java.nio.channels.FileChannel channel) {
      this.local = local;
      this.channel = channel;
    }

    static BlobLock take(Path lockFile) {
      java.util.concurrent.locks.ReentrantLock local =
          LOCAL.computeIfAbsent(lockFile.toAbsolutePath().normalize(), k -> new java.util.concurrent.locks.ReentrantLock());
      local.lock();
      java.nio.channels.FileChannel channel = null;
      try {
        Files.createDirectories(lockFile.getParent());
        channel = java.nio.channels.FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        channel.lock();
      } catch (IOException | UnsupportedOperationException | java.nio.channels.OverlappingFileLockException e) {
        LOG.debug("downloading without the lock {}: {}", lockFile, e.toString());
        closeQuietly(channel);
        channel = null;
      }
      return new BlobLock(local, channel);
    }

    private static void closeQuietly(java.nio.channels.FileChannel c) {
      if (c != null) {
        try {
          c.close(); // releases the lock
        } catch (IOException ignored) {
          // nothing left to release
        }
      }
    }

    void release() {
      closeQuietly(channel);
      local.unlock();
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
      if (resp.statusCode() >= 500) {
        throw new Unreachable("GET " + url + ": HTTP " + resp.statusCode(), null);
      }
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
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ModelException("GET " + url + ": not a JSON listing: " + IoMessages.describe(e), e);
    } catch (IOException e) {
      throw new Unreachable("GET " + url + ": " + IoMessages.describe(e), e);
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
        throw new Unreachable(req.method() + " " + req.uri() + ": " + IoMessages.describe(e), e);
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

  /** The hub did not answer (connection or time-out failure) or answered 5xx. */
  static final class Unreachable extends ModelException {
    private static final long serialVersionUID = 1L;

    Unreachable(String message, Throwable cause) {
      super(message, cause);
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
