package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparq.core.ModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ModelHub against the real {@code huggingface_hub} client, in both directions, without a network:
 * {@code src/test/python/hub_interop.py} runs a fake hub on 127.0.0.1 that answers as the
 * Hugging Face Hub does (redirected LFS files with {@code X-Linked-Etag}, quoted ETags,
 * {@code X-Repo-Commit}, a branch and a {@code refs/pr/1} revision), lets {@code huggingface_hub}
 * fill one cache ({@code snapshot_download} with {@code allow_patterns}, {@code hf_hub_download})
 * that ModelHub must then use offline and online without fetching a file again, and reads the
 * cache ModelHub fills with {@code try_to_load_from_cache}, {@code snapshot_download(...,
 * local_files_only=True)} and {@code scan_cache_dir}. Skipped unless python3 (or
 * {@code $SPARQ_PYTHON}) imports {@code huggingface_hub} ({@code pip install huggingface_hub}).
 */
class HubInteropTest {
  static final Path SCRIPT = Path.of("src/test/python/hub_interop.py");
  static final String MAIN = "1111111111111111111111111111111111111111";
  static final String PR = "2222222222222222222222222222222222222222";

  @TempDir Path tmp;
  Process server;
  Path serverLog;

  static String python() {
    String p = System.getenv("SPARQ_PYTHON");
    return p == null || p.isBlank() ? "python3" : p;
  }

  private static boolean pythonWithHuggingfaceHub() {
    try {
      Process p = new ProcessBuilder(python(), "-c", "import importlib.util as u, sys; "
          + "sys.exit(0 if u.find_spec('huggingface_hub') else 1)").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.getOutputStream().close(); // the script stops when its stdin ends
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  /** Runs the script with a time limit; its stdout parsed as JSON. */
  private JsonNode script(String name, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(python(), SCRIPT.toString()));
    cmd.addAll(List.of(args));
    Path out = tmp.resolve(name + ".json");
    Path err = tmp.resolve(name + ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("HF_") || k.startsWith("HUGGING")
        || k.equals("TRANSFORMERS_OFFLINE"));
    Process p = pb.start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(name + " did not end in 180 s: " + Files.readString(err));
    }
    assertEquals(0, p.exitValue(), name + " failed: " + Files.readString(err));
    return new ObjectMapper().readTree(out.toFile());
  }

  private String startServer() throws Exception {
    Path port = tmp.resolve("port");
    serverLog = tmp.resolve("server.log");
    server = new ProcessBuilder(python(), SCRIPT.toString(), "serve", port.toString(), serverLog.toString())
        .redirectOutput(tmp.resolve("serve.out").toFile()).redirectError(tmp.resolve("serve.err").toFile())
        .start();
    for (int i = 0; i < 300 && !Files.exists(port); i++) {
      assertTrue(server.isAlive(), () -> "the fake hub ended: " + read(tmp.resolve("serve.err")));
      Thread.sleep(100);
    }
    assertTrue(Files.exists(port), "the fake hub did not start in 30 s");
    return "http://127.0.0.1:" + Files.readString(port).strip();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private List<String> requests() throws IOException {
    return Files.readAllLines(serverLog);
  }

  private static ModelHub hub(String endpoint, Path cache, boolean offline, String token) {
    Map<String, String> env = new HashMap<>(Map.of("HF_ENDPOINT", endpoint, "HF_HUB_CACHE", cache.toString()));
    if (offline) {
      env.put("HF_HUB_OFFLINE", "1");
    }
    if (token != null) {
      env.put("HF_TOKEN", token);
    }
    return ModelHub.fromEnvironment(env);
  }

  private static String sha256(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  /** Every file of a snapshot ModelHub returned holds the repository's bytes at that commit. */
  private static void assertContents(JsonNode describe, String commit, Path snapshot, List<String> paths)
      throws Exception {
    assertEquals(commit, snapshot.getFileName().toString());
    for (String p : paths) {
      assertEquals(describe.path("commits").path(commit).path(p).path("sha256").asText(),
          sha256(snapshot.resolve(p)), commit + " " + p);
    }
  }

  @Test
  void modelHubAndHuggingfaceHubShareOneCacheBothWays() throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(SCRIPT), "script not found: " + SCRIPT.toAbsolutePath());
    Assumptions.assumeTrue(pythonWithHuggingfaceHub(), python() + " cannot import huggingface_hub"
        + " (pip install huggingface_hub)");
    String endpoint = startServer();
    List<String> model = List.of("config.json", "tokenizer.json", "tokenizer_config.json",
        "onnx/model.onnx", "onnx/model.onnx_data");

    // 1. huggingface_hub fills a cache; ModelHub uses it offline, then online without re-fetching.
    Path byPython = tmp.resolve("by-python");
    JsonNode filled = script("fill", "fill", endpoint, byPython.toString());
    JsonNode describe = filled.path("describe");
    int before = requests().size();
    ModelHub offline = hub(endpoint, byPython, true, null);
    assertContents(describe, MAIN, offline.download("org/tiny", "main", "fp32"), model);
    assertContents(describe, MAIN, offline.download("org/tiny", MAIN, "fp32"), model);
    assertContents(describe, PR, offline.download("org/tiny", "refs/pr/1", "fp32"),
        List.of("config.json", "tokenizer.json", "onnx/model.onnx", "onnx/model.onnx_data"));
    ModelException e = assertThrows(ModelException.class, () -> offline.download("org/tiny", "main", "q4"));
    assertTrue(e.getMessage().contains("org/tiny@main") && e.getMessage().contains("onnx/model_q4.onnx")
        && e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
    e = assertThrows(ModelException.class, () -> offline.download("org/tiny", "dev", "fp32"));
    assertTrue(e.getMessage().contains("org/tiny@dev") && e.getMessage().contains("refs/dev"), e.getMessage());
    assertEquals(before, requests().size(), "offline sent nothing: " + requests());
    // An endpoint nobody answers on: the cache serves, as huggingface_hub's does.
    assertContents(describe, MAIN, hub("http://127.0.0.1:9", byPython, false, null)
        .download("org/tiny", "main", "fp32"), model);

    ModelHub online = hub(endpoint, byPython, false, null);
    assertContents(describe, MAIN, online.download("org/tiny", "main", "fp32"), model);
    List<String> sent = requests().subList(before, requests().size());
    assertEquals(List.of("GET /api/models/org/tiny/revision/main?blobs=true auth=None"), sent,
        "only the listing: every file was already cached by huggingface_hub");

    // 2. ModelHub fills a cache through the same fake hub; huggingface_hub reads it offline, and
    //    online finds every file present without downloading one.
    Path byJava = tmp.resolve("by-java");
    ModelHub java = hub(endpoint, byJava, false, "hf_testtoken");
    before = requests().size();
    assertContents(describe, MAIN, java.download("org/tiny", "main", "fp32"), model);
    assertContents(describe, PR, java.download("org/tiny", "refs/pr/1", "fp32"), model);
    sent = requests().subList(before, requests().size());
    assertTrue(sent.stream().anyMatch(l -> l.startsWith("GET /cdn/")), "LFS files came by redirect: " + sent);
    assertTrue(sent.stream().filter(l -> l.startsWith("GET /cdn/")).allMatch(l -> l.endsWith("auth=None")),
        "the token stays on the hub's host: " + sent);
    assertEquals(MAIN, Files.readString(byJava.resolve("models--org--tiny/refs/main")));
    assertEquals(PR, Files.readString(byJava.resolve("models--org--tiny/refs/refs/pr/1")));
    JsonNode read = script("read", "read", byJava.toString());
    assertEquals(Map.of("main", MAIN, "refs/pr/1", PR),
        new ObjectMapper().convertValue(read.path("refs"), Map.class), read.toString());
    assertEquals(0, read.path("incomplete").size(), read.toString());

    before = requests().size();
    script("refill", "fill", endpoint, byJava.toString());
    sent = requests().subList(before, requests().size());
    assertFalse(sent.stream().anyMatch(l -> l.startsWith("GET /cdn/") || l.startsWith("GET /org/tiny/resolve/")),
        "huggingface_hub downloaded a file ModelHub had cached: " + sent);
  }
}
