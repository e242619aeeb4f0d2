package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sparq.core.ModelException;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.onnx.testing.TinyDecoder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The downloader against a local hub (JDK HttpServer on 127.0.0.1) serving a tiny model. */
class ModelHubTest {
  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  @TempDir Path tmp;
  HttpServer server;
  final Map<String, byte[]> files = new TreeMap<>();
  final List<String> log = new CopyOnWriteArrayList<>();
  /** The request paths as sent, still percent-encoded. */
  final List<String> rawPaths = new CopyOnWriteArrayList<>();
  volatile String truncateOnce;
  volatile String lieAboutSize;
  /** Changes the listing's entries before it is served (a malicious or broken hub). */
  volatile java.util.function.Consumer<ArrayNode> tamper = a -> {};
  /** A file whose served bytes differ from the listed ones (one byte flipped). */
  volatile String corruptServed;
  /** A file served with this many bytes more than listed. */
  volatile String oversize;
  /** A file whose body stalls after half of it. */
  volatile String stall;
  /** A file redirected to {@link #cdn}. */
  volatile String redirectToCdn;
  HttpServer cdn;
  final List<String> cdnLog = new CopyOnWriteArrayList<>();
  URI endpoint;
  /** The status the listing is answered with (a hub that is down answers 5xx). */
  volatile int listingStatus = 200;
  /** A file answered after a second's pause. */
  volatile String slow;

  @BeforeEach
  void start() throws Exception {
    Path model = new TinyDecoder(TinyDecoder.Spec.tiny()).writeTo(tmp.resolve("src"));
    try (Stream<Path> s = Files.walk(model)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        files.put(model.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
      }
    }
    files.put("onnx/model_q4.onnx", new byte[100_000]); // another variant: must not be fetched
    files.put("README.md", "# tiny".getBytes(StandardCharsets.UTF_8));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    cdn = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    cdn.createContext("/", ex -> {
      try (ex) {
        cdnLog.add(ex.getRequestURI().getPath() + " auth=" + ex.getRequestHeaders().getFirst("Authorization"));
        byte[] data = files.get(ex.getRequestURI().getPath().substring(1));
        ex.sendResponseHeaders(200, data.length);
        ex.getResponseBody().write(data);
      }
    });
    cdn.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    cdn.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String range = ex.getRequestHeaders().getFirst("Range");
    log.add(path + " range=" + range + " auth=" + ex.getRequestHeaders().getFirst("Authorization"));
    rawPaths.add(ex.getRequestURI().getRawPath());
    try (ex) {
      if (path.startsWith("/api/models/org/tiny/revision/") && listingStatus != 200) {
        ex.sendResponseHeaders(listingStatus, -1);
        return;
      }
      if (path.equals("/api/models/org/tiny/revision/main") || path.equals("/api/models/org/tiny/revision/refs/pr/1")
          || path.equals("/api/models/org/tiny/revision/" + COMMIT)) {
        byte[] body = listing();
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
        return;
      }
      String prefix = "/org/tiny/resolve/" + COMMIT + "/";
      byte[] data = path.startsWith(prefix) ? files.get(path.substring(prefix.length())) : null;
      if (data == null) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      String name = path.substring(prefix.length());
      if (name.equals(redirectToCdn)) {
        ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/" + name);
        ex.sendResponseHeaders(302, -1);
        return;
      }
      if (name.equals(slow)) {
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (name.equals(corruptServed)) {
        data = data.clone();
        data[data.length / 2] ^= 1;
      }
      if (name.equals(oversize)) {
        ex.sendResponseHeaders(200, 0); // chunked: no length to check against
        OutputStream out = ex.getResponseBody();
        out.write(data);
        out.write(new byte[1 << 20]);
        return;
      }
      if (name.equals(stall)) {
        ex.sendResponseHeaders(200, data.length);
        ex.getResponseBody().write(data, 0, data.length / 2);
        ex.getResponseBody().flush();
        try {
          Thread.sleep(10_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return;
      }
      int from = 0;
      if (range != null) {
        from = Integer.parseInt(range.substring("bytes=".length(), range.indexOf('-')));
        ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + data.length);
        ex.sendResponseHeaders(206, data.length - from);
      } else {
        ex.sendResponseHeaders(200, data.length);
      }
      OutputStream out = ex.getResponseBody();
      if (name.equals(truncateOnce)) {
        truncateOnce = null;
        out.write(data, from, (data.length - from) / 2);
        out.flush();
        ex.getHttpContext().getServer(); // keep reference; the abrupt close below cuts the body
        ex.getRequestBody().close();
        throw new IOException("simulated connection drop");
      }
      out.write(data, from, data.length - from);
    }
  }

  private byte[] listing() throws IOException {
    ObjectMapper om = new ObjectMapper();
    ObjectNode root = om.createObjectNode();
    root.put("id", "org/tiny");
    root.put("sha", COMMIT);
    ArrayNode sib = root.putArray("siblings");
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      ObjectNode s = sib.addObject();
      s.put("rfilename", e.getKey());
      long size = e.getValue().length + (e.getKey().equals(lieAboutSize) ? 10 : 0);
      s.put("size", size);
      if (e.getKey().endsWith(".onnx")) {
        ObjectNode lfs = s.putObject("lfs");
        lfs.put("size", size);
        lfs.put("sha256", sha256(e.getValue()));
      } else {
        s.put("blobId", gitSha1(e.getValue()));
      }
    }
    tamper.accept(sib);
    return om.writeValueAsBytes(root);
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The git blob id of some bytes, as {@code git hash-object} computes it. */
  static String gitSha1(byte[] b) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      md.update(("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(md.digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  ModelHub hub(String token) {
    return ModelHub.fromEnvironment(Map.of(
        "HF_ENDPOINT", endpoint.toString(), "HF_HOME", tmp.resolve("hf").toString(), "HF_TOKEN", token));
  }

  @Test
  void downloadsTheChosenVariantIntoAnHfCacheLayoutAndTheModelRuns() throws IOException {
    Path snap = hub("secret").download("org/tiny", "main", "fp32");
    Path repo = tmp.resolve("hf/hub/models--org--tiny");
    assertEquals(repo.resolve("snapshots").resolve(COMMIT), snap);
    assertEquals(COMMIT, Files.readString(repo.resolve("refs/main")));
    assertTrue(Files.isSymbolicLink(snap.resolve("onnx/model.onnx")));
    assertArrayEquals(files.get("onnx/model.onnx"), Files.readAllBytes(snap.resolve("onnx/model.onnx")));
    assertTrue(Files.exists(repo.resolve("blobs").resolve(sha256(files.get("onnx/model.onnx")))));
    assertFalse(Files.exists(snap.resolve("onnx/model_q4.onnx")), "other variants are skipped");
    assertFalse(Files.exists(snap.resolve("README.md")));
    assertTrue(log.stream().noneMatch(l -> l.contains("model_q4")));
    assertTrue(log.stream().allMatch(l -> l.endsWith("auth=Bearer secret")), log.toString());
    try (OnnxLanguageModel m = OnnxLanguageModel.open(snap, OnnxOptions.builder().intraOpThreads(1).build())) {
      assertEquals(3, m.completeTokens(List.of(new long[] {1, 2}),
          SamplingParams.builder().temperature(0).maxTokens(3).build()).get(0).get(0).completionTokens());
    }
    // A second call finds everything cached and downloads nothing but the listing.
    log.clear();
    hub("secret").download("org/tiny", "main", "fp32");
    assertEquals(1, log.size(), log.toString());
  }

  @Test
  void resumesAPartialDownloadWithARangeRequest() throws IOException {
    truncateOnce = "onnx/model.onnx";
    ModelHub hub = hub("");
    assertThrows(ModelException.class, () -> hub.download("org/tiny", "main", "fp32"));
    Path blobs = tmp.resolve("hf/hub/models--org--tiny/blobs");
    Path part = blobs.resolve(sha256(files.get("onnx/model.onnx")) + ".incomplete");
    assertTrue(Files.exists(part));
    long partial = Files.size(part);
    assertTrue(partial > 0 && partial < files.get("onnx/model.onnx").length, "partial " + partial);
    log.clear();
    Path snap = hub.download("org/tiny", "main", "fp32");
    assertTrue(log.stream().anyMatch(l -> l.contains("model.onnx range=bytes=" + partial + "-")), log.toString());
    assertArrayEquals(files.get("onnx/model.onnx"), Files.readAllBytes(snap.resolve("onnx/model.onnx")));
    assertTrue(log.stream().allMatch(l -> l.endsWith("auth=null")), "no token, no header");
  }

  @Test
  void sizeMismatchIsAnError() {
    lieAboutSize = "config.json";
    ModelException e = assertThrows(ModelException.class, () -> hub("").download("org/tiny", "main", "fp32"));
    assertTrue(e.getMessage().contains("config.json: downloaded"), e.getMessage());
  }

  @Test
  void missingVariantNamesWhatExists() {
    ModelException e = assertThrows(ModelException.class, () -> hub("").download("org/tiny", "main", "fp16"));
    assertTrue(e.getMessage().contains("onnx/model_fp16.onnx"), e.getMessage());
    assertTrue(e.getMessage().contains("onnx/model.onnx, onnx/model_q4.onnx"), e.getMessage());
  }

  @Test
  void unknownRepositoryIsAnHttpError() {
    ModelException e = assertThrows(ModelException.class, () -> hub("").download("org/none", "main", "fp32"));
    assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
  }

  @Test
  void environmentDefaults() {
    ModelHub h = ModelHub.fromEnvironment(Map.of());
    assertEquals(URI.create("https://huggingface.co"), h.endpoint());
    assertTrue(h.cache().endsWith(Path.of(".cache", "huggingface", "hub")));
    assertEquals(Path.of("/x/hub"), ModelHub.fromEnvironment(Map.of("HF_HUB_CACHE", "/x/hub")).cache());
  }

  @Test
  void gitBlobIdMatchesGitHashObject() throws IOException {
    // `printf 'hello\n' | git hash-object --stdin` prints ce013625030ba8dba906f756967f9e9ca394464a
    Path f = Files.writeString(tmp.resolve("hello"), "hello\n");
    assertEquals("ce013625030ba8dba906f756967f9e9ca394464a", ModelHub.gitBlobId(f, "SHA-1"));
  }

  @Test
  void nonLfsFilesAreCheckedAgainstTheirGitBlobId() {
    corruptServed = "config.json";
    ModelException e = assertThrows(ModelException.class, () -> hub("").download("org/tiny", "main", "fp32"));
    assertTrue(e.getMessage().contains("config.json: git object id"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("hf/hub/models--org--tiny/blobs").resolve(gitSha1(files.get("config.json")))));
  }

  @Test
  void lfsFilesAreCheckedAgainstTheirSha256() {
    corruptServed = "onnx/model.onnx";
    ModelException e = assertThrows(ModelException.class, () -> hub("").download("org/tiny", "main", "fp32"));
    assertTrue(e.getMessage().contains("onnx/model.onnx: SHA-256"), e.getMessage());
  }

  @Test
  void blobIdsThatArePathsAreRefusedBeforeAnythingIsWritten() throws IOException {
    Path victim = Files.writeString(tmp.resolve("victim.txt"), "keep");
    for (String evil : List.of("../../../../victim.txt", victim.toString(), "..", "abc",
        "0123456789abcdef0123456789abcdef0123456/")) {
      tamper = sib -> sib.forEach(n -> {
        if (n.has("blobId")) {
          ((ObjectNode) n).put("blobId", evil);
        }
      });
      ModelException e = assertThrows(ModelException.class, () -> hub("").download("org/tiny", "main", "fp32"));
      assertTrue(e.getMessage().contains("invalid blobId"), e.getMessage());
    }
    tamper = sib -> sib.forEach(n -> {
      if (n.has("lfs")) {
        ((ObjectNode) n.get("lfs")).put("sha256", "../../../victim.txt");
      }
    });
    ModelException e = assertThrows(ModelException.class, () -> hub("").download("org/tiny", "main", "fp32"));
    assertTrue(e.getMessage().contains("invalid lfs.sha256"), e.getMessage());
    assertEquals("keep", Files.readString(victim));
    assertFalse(Files.exists(tmp.resolve("hf/hub/models--org--tiny/blobs")), "nothing written");
  }

  @Test
  void repositoryFileNamesThatLeaveTheSnapshotAreRefused() {
    for (String evil : List.of("C:\\Users\\x\\.bashrc.json", "a\\..\\..\\x.json", "onnx/model.onnx_data//x",
        "onnx/model.onnx_data/../../../x", "onnx/model.onnx_data\u202e.json", "onnx/model.onnx_data\n",
        // Names that leave the snapshot are refused even where they are not downloaded.
        "../x.json", "../../../../victim.json", "/etc/x.json", "/onnx/model.onnx", "onnx/./model.onnx",
        "docs/../../README.md", "onnx/model.onnx_data/..")) {
      tamper = sib -> sib.addObject().put("rfilename", evil).put("size", 1);
      ModelException e = assertThrows(ModelException.class, () -> hub("").download("org/tiny", "main", "fp32"),
          evil);
      assertTrue(e.getMessage().contains("unsafe file name"), e.getMessage());
      assertFalse(e.getMessage().contains("\u202e") || e.getMessage().contains("\n"),
          "the name is shown escaped: " + e.getMessage());
    }
  }

  @Test
  void listingNamesThatLeaveTheSnapshotAreRefusedByTheChecksThemselves() {
    Path snap = tmp.resolve("snap");
    for (String evil : List.of("../x", "/etc/passwd", "a/../../x", "..", ".", "./x")) {
      assertThrows(ModelException.class, () -> ModelHub.checkNoTraversal("org/tiny", evil), evil);
      assertThrows(ModelException.class, () -> ModelHub.checkRepoPath("org/tiny", evil), evil);
    }
    for (String evil : List.of("../x", "/etc/passwd", "a/../../x", "..", ".")) {
      assertThrows(ModelException.class, () -> ModelHub.confined(snap, evil), evil);
    }
    assertThrows(ModelException.class, () -> ModelHub.checkRepoPath("org/tiny", "bad\ud800.json"),
        "an unpaired surrogate has no UTF-8 form");
    for (String fine : List.of("my config.json", "a#b.json", "c%2e.json", "..json", "...", "onnx/x.onnx_data")) {
      ModelHub.checkNoTraversal("org/tiny", fine);
      ModelHub.checkRepoPath("org/tiny", fine);
      assertEquals(snap.toAbsolutePath().resolve(fine), ModelHub.confined(snap, fine));
    }
  }

  /** Names a URL would misread unencoded: a space, a fragment mark, an escape, non-ASCII, more. */
  static final List<String> ODD_NAMES = List.of("my config.json", "a#b.json", "c%2e.json",
      "\u00fcber-\u6a21\u578b-\ud83d\ude00.json", "q?x=1&y=2.json", "plus+semi;at@eq=.json");

  @Test
  void fileNamesArePercentEncodedPerSegmentAndLandUnderTheirListedNames() throws IOException {
    // Under a non-UTF-8 locale (sun.jnu.encoding ASCII) a non-ASCII file name cannot be created.
    boolean unicodeNames = java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"))
        .newEncoder().canEncode(ODD_NAMES.get(3));
    List<String> names = ODD_NAMES.stream().filter(n -> unicodeNames || n.chars().allMatch(c -> c < 0x80)).toList();
    for (String name : names) {
      files.put(name, ("{\"name\": \"" + name.replace("\\", "") + "\"}").getBytes(StandardCharsets.UTF_8));
    }
    files.put("onnx/model.onnx_data x#1", "external data".getBytes(StandardCharsets.UTF_8));
    Path snap = hub("").download("org/tiny", "main", "fp32");
    String prefix = "/org/tiny/resolve/" + COMMIT + "/";
    for (String name : names) {
      assertArrayEquals(files.get(name), Files.readAllBytes(snap.resolve(name)), name);
    }
    assertArrayEquals(files.get("onnx/model.onnx_data x#1"), Files.readAllBytes(snap.resolve("onnx/model.onnx_data x#1")));
    for (String expected : List.of("my%20config.json", "a%23b.json", "c%252e.json",
        unicodeNames ? "%C3%BCber-%E6%A8%A1%E5%9E%8B-%F0%9F%98%80.json" : "a%23b.json", "q%3Fx%3D1%26y%3D2.json",
        "plus%2Bsemi%3Bat%40eq%3D.json", "onnx/model.onnx_data%20x%231")) {
      assertTrue(rawPaths.contains(prefix + expected), expected + " not in " + rawPaths);
    }
    assertFalse(Files.exists(snap.resolve("a")) || Files.exists(snap.resolve("c..json")), "no other name written");
  }

  @Test
  void urlSegmentsAreEncodedLikeHuggingfaceHub() {
    assertEquals("onnx/model.onnx_data", ModelHub.encodePath("onnx/model.onnx_data"));
    assertEquals("a%20b/c%23d/%25", ModelHub.encodePath("a b/c#d/%"));
    assertEquals("refs%2Fpr%2F1", ModelHub.encodeSegment("refs/pr/1"), "a revision is one segment");
    assertEquals("my%20branch", ModelHub.encodeSegment("my branch"), "a space is %20 in a path, not +");
    assertEquals("A-z_0.9~", ModelHub.encodeSegment("A-z_0.9~"));
  }

  @Test
  void theTokenIsNotSentToAnotherHostOnRedirect() throws IOException {
    redirectToCdn = "onnx/model.onnx";
    Path snap = hub("secret").download("org/tiny", "main", "fp32");
    assertArrayEquals(files.get("onnx/model.onnx"), Files.readAllBytes(snap.resolve("onnx/model.onnx")));
    assertEquals(List.of("/onnx/model.onnx auth=null"), cdnLog);
    assertTrue(log.stream().allMatch(l -> l.endsWith("auth=Bearer secret")), log.toString());
  }

  @Test
  void aBodyLargerThanListedIsStoppedAndDeleted() {
    oversize = "config.json";
    ModelException e = assertThrows(ModelException.class, () -> hub("").download("org/tiny", "main", "fp32"));
    assertTrue(e.getMessage().contains("config.json: the server sent more than the listed"), e.getMessage());
    Path blobs = tmp.resolve("hf/hub/models--org--tiny/blobs");
    assertFalse(Files.exists(blobs.resolve(gitSha1(files.get("config.json")) + ".incomplete")));
  }

  @Test
  void aStalledBodyTimesOutAndKeepsThePartForResume() throws IOException {
    stall = "onnx/model.onnx";
    // 2 s: short beside the 10 s stall, long beside any pause on the other files
    ModelHub hub = new ModelHub(endpoint, tmp.resolve("cache"), null, java.time.Duration.ofMillis(2000));
    long t0 = System.nanoTime();
    ModelException e = assertThrows(ModelException.class, () -> hub.download("org/tiny", "main", "fp32"));
    assertTrue(e.getMessage().contains("read timeout"), e.getMessage());
    assertTrue(System.nanoTime() - t0 < 8_000_000_000L, "failed before the server's 10 s stall ended");
    Path part = tmp.resolve("cache/models--org--tiny/blobs").resolve(sha256(files.get("onnx/model.onnx")) + ".incomplete");
    assertTrue(Files.size(part) > 0);
    stall = null;
    Path snap = hub.download("org/tiny", "main", "fp32");
    assertArrayEquals(files.get("onnx/model.onnx"), Files.readAllBytes(snap.resolve("onnx/model.onnx")));
  }

  @Test
  void aTokenWithInvisibleCharactersIsRefusedWithoutEchoingIt() {
    for (String bad : List.of("hf_SECRETabc\nxyz", "hf_SECRET\u200babc", "hf_SECRET abc", "hf_SECRET\u00e9")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hub(bad));
      assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
      assertTrue(e.getMessage().contains("HF_TOKEN"), e.getMessage());
    }
    assertEquals("hf_ok", ModelHub.checkToken("  hf_ok\n"), "surrounding white space is trimmed");
  }

  @Test
  void credentialsInTheEndpointAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ModelHub(URI.create("https://user:hunter2@hub.example"), tmp, null));
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    assertTrue(e.getMessage().contains("https://****@hub.example"), e.getMessage());
  }

  @Test
  void malformedOrCredentialCarryingEndpointsAreRefusedNamingHfEndpointWithoutTheSecret() {
    String token = "hf_TOKENabc123";
    for (String url : List.of("http://user:SECRET pw@host/", "https://SECRETtok@hub/x y",
        "https://user:SECRET@hub.example", "http://user:SECRET@host:notaport/",
        "http://user:SE/CRET@host/", "http://u:SECRET#x@host/", "http://u:SE?CRET@host/",
        "http://user:SECRET@host/%zz", "http://user:SE@CRET@host/", "user:SECRET@host",
        "http://user:SECRET\u200b@host/", "http://host/" + token + " x",
        "http://" + token + "@host/")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ModelHub.fromEnvironment(Map.of("HF_ENDPOINT", url, "HF_HUB_CACHE", tmp.toString(),
              "HF_TOKEN", token)), url);
      assertTrue(e.getMessage().startsWith("HF_ENDPOINT "), e.getMessage());
      for (Throwable t = e; t != null; t = t.getCause()) {
        String m = String.valueOf(t.getMessage());
        assertFalse(m.contains("SECRET") || m.contains("CRET") || m.contains(token), url + " -> " + m);
      }
      assertEquals(null, e.getCause(), "the URI parser's exception repeats the input: not chained");
      assertTrue(e.getMessage().contains("****"), e.getMessage());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelHub.fromEnvironment(Map.of("HF_ENDPOINT", "ftp://mirror.example/", "HF_HUB_CACHE", "/tmp/x")));
    assertTrue(e.getMessage().contains("HF_ENDPOINT 'ftp://mirror.example/' must be an absolute http"), e.getMessage());
    assertEquals(URI.create("http://mirror.example:8080/hf"), ModelHub.fromEnvironment(
        Map.of("HF_ENDPOINT", " http://mirror.example:8080/hf/ ", "HF_HUB_CACHE", "/tmp/x")).endpoint());
  }

  @Test
  void connectionErrorsNameTheirCause() throws IOException {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ModelHub hub = new ModelHub(URI.create("http://127.0.0.1:" + port), tmp.resolve("c"), null);
    ModelException e = assertThrows(ModelException.class, () -> hub.download("org/tiny", "main", "fp32"));
    assertFalse(e.getMessage().endsWith(": null"), e.getMessage());
    assertTrue(e.getMessage().contains("ConnectException") || e.getMessage().contains("onnect"), e.getMessage());
  }

  // --- interoperability with caches huggingface_hub writes and reads (see HubInteropTest) ---

  ModelHub offlineHub() {
    return ModelHub.fromEnvironment(Map.of("HF_ENDPOINT", endpoint.toString(), "HF_HOME",
        tmp.resolve("hf").toString(), "HF_HUB_OFFLINE", "1"));
  }

  Path repo() {
    return tmp.resolve("hf/hub/models--org--tiny");
  }

  @Test
  void hfHubOfflineResolvesFromTheCacheAndSendsNothing() throws IOException {
    Path snap = hub("").download("org/tiny", "main", "fp32");
    log.clear();
    ModelHub offline = offlineHub();
    assertTrue(offline.offline());
    assertEquals(snap, offline.download("org/tiny", "main", "fp32"));
    assertEquals(snap, offline.download("org/tiny", COMMIT, "fp32"), "a full commit hash needs no ref");
    Files.writeString(repo().resolve("refs/main"), COMMIT + "\n"); // edited by hand
    assertEquals(snap, offline.download("org/tiny", "main", "fp32"));
    assertEquals(List.of(), log, "offline, the hub was not asked");
  }

  @Test
  void offlineErrorsNameTheRepositoryRevisionAndWhatIsMissing() throws IOException {
    ModelException e = assertThrows(ModelException.class, () -> offlineHub().download("org/tiny", "main", "fp32"));
    assertTrue(e.getMessage().startsWith("org/tiny@main: HF_HUB_OFFLINE is set and the cache "), e.getMessage());
    assertTrue(e.getMessage().contains("models--org--tiny"), e.getMessage());
    hub("").download("org/tiny", "main", "fp32");
    e = assertThrows(ModelException.class, () -> offlineHub().download("org/tiny", "v2", "fp32"));
    assertTrue(e.getMessage().contains("org/tiny@v2") && e.getMessage().contains("no refs/v2"), e.getMessage());
    e = assertThrows(ModelException.class, () -> offlineHub().download("org/tiny", "main", "q4"));
    assertTrue(e.getMessage().contains("org/tiny@main (commit " + COMMIT + ")")
        && e.getMessage().contains("no onnx/model_q4.onnx for variant 'q4' (it has: onnx/model.onnx)"), e.getMessage());
    // huggingface_hub records a file the hub answered 404 for under .no_exist/<commit>/
    Path marker = repo().resolve(".no_exist").resolve(COMMIT).resolve("onnx/model_q4.onnx");
    Files.createDirectories(marker.getParent());
    Files.createFile(marker);
    e = assertThrows(ModelException.class, () -> offlineHub().download("org/tiny", "main", "q4"));
    assertTrue(e.getMessage().contains("the repository has no onnx/model_q4.onnx at that commit"), e.getMessage());
    // a blob deleted behind the snapshot's link (hf cache delete, a full disk clean-up)
    Files.delete(repo().resolve("blobs").resolve(sha256(files.get("onnx/model.onnx"))));
    e = assertThrows(ModelException.class, () -> offlineHub().download("org/tiny", "main", "fp32"));
    assertTrue(e.getMessage().contains("lacks onnx/model.onnx"), e.getMessage());
    assertTrue(e.getMessage().contains("hf download org/tiny --revision main"), e.getMessage());
  }

  @Test
  void offlineChecksTheSnapshotAgainstHuggingfaceHubsTreeListing() throws IOException {
    Path snap = hub("").download("org/tiny", "main", "fp32");
    // trees/<commit>.json as huggingface_hub's snapshot_download writes it, listing one more file
    // than the snapshot holds (downloaded with allow_patterns that left it out)
    ObjectNode tree = new ObjectMapper().createObjectNode().put("format_version", 1);
    ObjectNode listed = tree.putObject("files");
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      ObjectNode entry = listed.putObject(f.getKey()).put("size", f.getValue().length).put("blob_id", gitSha1(f.getValue()));
      if (f.getKey().endsWith(".onnx")) {
        entry.put("size", 130).put("lfs_sha256", sha256(f.getValue())).put("lfs_size", f.getValue().length);
      }
    }
    listed.putObject("chat_template.jinja").put("size", 10).put("blob_id", gitSha1(new byte[10]));
    Files.createDirectories(repo().resolve("trees"));
    new ObjectMapper().writeValue(repo().resolve("trees").resolve(COMMIT + ".json").toFile(), tree);
    ModelException e = assertThrows(ModelException.class, () -> offlineHub().download("org/tiny", "main", "fp32"));
    assertTrue(e.getMessage().contains("lacks chat_template.jinja"), e.getMessage());
    Files.write(snap.resolve("chat_template.jinja"), new byte[10]);
    assertEquals(snap, offlineHub().download("org/tiny", "main", "fp32"));
    Files.write(snap.resolve("chat_template.jinja"), new byte[3]);
    e = assertThrows(ModelException.class, () -> offlineHub().download("org/tiny", "main", "fp32"));
    assertTrue(e.getMessage().contains("chat_template.jinja (3 bytes, the listing says 10)"), e.getMessage());
  }

  @Test
  void anUnreachableOrFailingHubFallsBackToTheCacheButA404DoesNot() throws IOException {
    Path snap = hub("").download("org/tiny", "main", "fp32");
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ModelHub down = new ModelHub(URI.create("http://127.0.0.1:" + port), tmp.resolve("hf/hub"), null);
    assertEquals(snap, down.download("org/tiny", "main", "fp32"));
    listingStatus = 503;
    assertEquals(snap, hub("").download("org/tiny", "main", "fp32"));
    listingStatus = 404;
    ModelException e = assertThrows(ModelException.class, () -> hub("").download("org/tiny", "main", "fp32"));
    assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
    listingStatus = 503;
    e = assertThrows(ModelException.class, () -> hub("").download("org/tiny", "v2", "fp32"));
    assertTrue(e.getMessage().contains("HTTP 503") && e.getMessage().contains("nor could the cache serve it")
        && e.getMessage().contains("no refs/v2"), e.getMessage());
  }

  @Test
  void aRevisionWithSlashesIsANestedRefAsHuggingfaceHubKeepsIt() throws IOException {
    Path snap = hub("").download("org/tiny", "refs/pr/1", "fp32");
    assertEquals(COMMIT, Files.readString(repo().resolve("refs/refs/pr/1")));
    assertFalse(Files.exists(repo().resolve("refs/refs%2Fpr%2F1")));
    assertEquals(snap, offlineHub().download("org/tiny", "refs/pr/1", "fp32"));
    // where earlier versions kept it
    Files.delete(repo().resolve("refs/refs/pr/1"));
    Files.writeString(repo().resolve("refs/refs%2Fpr%2F1"), COMMIT);
    assertEquals(snap, offlineHub().download("org/tiny", "refs/pr/1", "fp32"));
  }

  @Test
  void anUpToDateRefIsNotRewrittenSoAReadOnlyCacheWorks() throws IOException {
    hub("").download("org/tiny", "main", "fp32");
    Path ref = repo().resolve("refs/main");
    java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L);
    Files.setLastModifiedTime(ref, old);
    hub("").download("org/tiny", "main", "fp32");
    assertEquals(old, Files.getLastModifiedTime(ref), "refs/main was written again");
    Files.writeString(ref, "fedcba9876543210fedcba9876543210fedcba98");
    hub("").download("org/tiny", "main", "fp32");
    assertEquals(COMMIT, Files.readString(ref), "a moved branch is updated");
    try (Stream<Path> s = Files.list(ref.getParent())) {
      assertEquals(List.of("main"), s.map(p -> p.getFileName().toString()).toList(), "no temporary file left");
    }
  }

  @Test
  void revisionsThatLeaveTheRefsFolderAreRefusedBeforeAnyRequest() {
    for (String evil : List.of("../../../x", "a/../../b", "..", "", "/etc/x", "main/", "a\\b", "a\nb", "c:x")) {
      assertThrows(IllegalArgumentException.class, () -> hub("").download("org/tiny", evil, "fp32"), evil);
      assertThrows(IllegalArgumentException.class, () -> offlineHub().download("org/tiny", evil, "fp32"), evil);
    }
    assertEquals(List.of(), log);
    for (String fine : List.of("main", "refs/pr/1", "v1.0", "release-2024.1", COMMIT)) {
      ModelHub.checkRevision(fine);
    }
  }

  @Test
  void theEnvironmentIsReadAsHuggingfaceHubReadsIt() {
    String home = System.getProperty("user.home");
    assertEquals(Path.of("/xdg/huggingface/hub"), ModelHub.cacheFromEnvironment(Map.of("XDG_CACHE_HOME", "/xdg")));
    assertEquals(Path.of("/h/hub"), ModelHub.cacheFromEnvironment(Map.of("XDG_CACHE_HOME", "/xdg", "HF_HOME", "/h")));
    assertEquals(Path.of("/legacy"), ModelHub.cacheFromEnvironment(Map.of("HF_HOME", "/h", "HUGGINGFACE_HUB_CACHE", "/legacy")));
    assertEquals(Path.of("/new"), ModelHub.cacheFromEnvironment(Map.of("HUGGINGFACE_HUB_CACHE", "/legacy", "HF_HUB_CACHE", "/new")));
    assertEquals(Path.of(home, "models/hub"), ModelHub.cacheFromEnvironment(Map.of("HF_HOME", "~/models")));
    assertEquals(Path.of(home, ".cache/huggingface/hub"), ModelHub.cacheFromEnvironment(Map.of("HF_HOME", " ")));
    for (String yes : List.of("1", "ON", "yes", "True")) {
      assertTrue(ModelHub.fromEnvironment(Map.of("HF_HUB_OFFLINE", yes)).offline(), yes);
      assertTrue(ModelHub.fromEnvironment(Map.of("TRANSFORMERS_OFFLINE", yes)).offline(), yes);
    }
    for (String no : List.of("0", "false", "off", "")) {
      assertFalse(ModelHub.fromEnvironment(Map.of("HF_HUB_OFFLINE", no)).offline(), no);
    }
    assertFalse(ModelHub.fromEnvironment(Map.of("HF_HUB_OFFLINE", "0", "TRANSFORMERS_OFFLINE", "1")).offline(),
        "HF_HUB_OFFLINE, when set, decides");
  }

  @Test
  void theLegacyTokenVariableIsSent() throws IOException {
    ModelHub.fromEnvironment(Map.of("HF_ENDPOINT", endpoint.toString(), "HF_HOME", tmp.resolve("hf").toString(),
        "HUGGING_FACE_HUB_TOKEN", "legacy")).download("org/tiny", "main", "fp32");
    assertTrue(log.stream().allMatch(l -> l.endsWith("auth=Bearer legacy")), log.toString());
  }

  @Test
  void twoDownloadsOfOneBlobAtOnceFetchItOnceUnderHuggingfaceHubsLockFile() throws Exception {
    slow = "onnx/model.onnx";
    // eight at once: besides the slow blob, the small files must not trip over each other's
    // snapshot links either (two threads deleting and creating one link failed with "already exists")
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<Path>> runs = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        runs.add(pool.submit(() -> hub("").download("org/tiny", "main", "fp32")));
      }
      for (java.util.concurrent.Future<Path> r : runs) {
        assertArrayEquals(files.get("onnx/model.onnx"), Files.readAllBytes(r.get().resolve("onnx/model.onnx")));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, log.stream().filter(l -> l.contains("/onnx/model.onnx range")).count(), log.toString());
    assertTrue(Files.exists(tmp.resolve("hf/hub/.locks/models--org--tiny")
        .resolve(sha256(files.get("onnx/model.onnx")) + ".lock")));
  }

  @Test
  void theTokenFileHfAuthLoginWritesIsSentWhenNoVariableIsSet() throws IOException {
    Files.createDirectories(tmp.resolve("hf"));
    Files.writeString(tmp.resolve("hf/token"), "hf_fromfile\n");
    Map<String, String> env = new java.util.HashMap<>(Map.of("HF_ENDPOINT", endpoint.toString(),
        "HF_HOME", tmp.resolve("hf").toString()));
    ModelHub.fromEnvironment(env).download("org/tiny", "main", "fp32");
    assertTrue(log.stream().allMatch(l -> l.endsWith("auth=Bearer hf_fromfile")), log.toString());
    assertEquals("hf_env", ModelHub.tokenFromEnvironment(Map.of("HF_HOME", tmp.resolve("hf").toString(),
        "HF_TOKEN", "hf_env")), "the variable comes first");
    Files.writeString(tmp.resolve("elsewhere"), "hf_elsewhere");
    assertEquals("hf_elsewhere", ModelHub.tokenFromEnvironment(Map.of("HF_HOME", tmp.resolve("hf").toString(),
        "HF_TOKEN_PATH", tmp.resolve("elsewhere").toString())));
    assertEquals(null, ModelHub.tokenFromEnvironment(Map.of("HF_HOME", tmp.resolve("hf").toString(),
        "HF_TOKEN", "hf_env", "HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")), "as huggingface_hub: no token at all");
    Files.writeString(tmp.resolve("hf/token"), "hf_SECRET\u200bfile");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelHub.tokenFromEnvironment(Map.of("HF_HOME", tmp.resolve("hf").toString())));
    assertTrue(e.getMessage().startsWith("the token file " + tmp.resolve("hf/token")), e.getMessage());
    assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
    Files.write(tmp.resolve("hf/token"), new byte[ModelHub.MAX_TOKEN_FILE_BYTES + 1]);
    e = assertThrows(IllegalArgumentException.class,
        () -> ModelHub.tokenFromEnvironment(Map.of("HF_HOME", tmp.resolve("hf").toString())));
    assertTrue(e.getMessage().contains("more than a token"), e.getMessage());
  }
}
