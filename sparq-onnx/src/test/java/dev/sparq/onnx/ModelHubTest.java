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
  volatile String truncateOnce;
  volatile String lieAboutSize;
  URI endpoint;

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
    server.start();
    endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String range = ex.getRequestHeaders().getFirst("Range");
    log.add(path + " range=" + range + " auth=" + ex.getRequestHeaders().getFirst("Authorization"));
    try (ex) {
      if (path.equals("/api/models/org/tiny/revision/main")) {
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
        s.put("blobId", sha256(e.getKey().getBytes(StandardCharsets.UTF_8)).substring(0, 40));
      }
    }
    return om.writeValueAsBytes(root);
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
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
}
