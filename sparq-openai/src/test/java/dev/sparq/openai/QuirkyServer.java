package dev.sparq.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process chat server with the misbehaviours of real OpenAI-compatible servers, each switched
 * on separately ({@link Quirks}). Its tokenizer is one token per four characters, and it records
 * what it generated per sample, so tests can check the client's output and accounting exactly.
 *
 * <p>Sample {@code i} of a request with seed {@code s} is {@link #text(String, long)} of seed
 * {@code s + i}: a few dozen words, about half of them holding the stop marker {@link #STOP}.
 */
final class QuirkyServer implements AutoCloseable {
  static final String STOP = "###";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String[] WORDS = {"alpha", "beta", "x", "gamma", "delta", "42", "so", "the",
      "answer", "is", "boxed", "then", "we", "add", "7"};

  /**
   * The misbehaviours.
   *
   * @param int32Seed answer HTTP 400 to a seed outside the 32-bit signed range
   * @param ignoreStop generate past stop strings
   * @param maxN refuse {@code n} above this with a bare HTTP 400 (0: no limit)
   * @param ignoreN answer one choice whatever {@code n} asks
   * @param noUsage send no {@code usage}
   * @param stopForLength send {@code finish_reason: "stop"} for output cut at the limit
   * @param maxTokensIncludesPrompt count the prompt in {@code max_tokens}
   * @param root serve at {@code /chat/completions} instead of {@code /v1/chat/completions}
   */
  record Quirks(boolean int32Seed, boolean ignoreStop, int maxN, boolean ignoreN, boolean noUsage,
      boolean stopForLength, boolean maxTokensIncludesPrompt, boolean root) {
    static Quirks none() {
      return new Quirks(false, false, 0, false, false, false, false, false);
    }

    static Quirks all() {
      return new Quirks(true, true, 2, false, true, true, true, true);
    }
  }

  /** What the server returned for one sample: the text and whether it was cut at the limit. */
  record Sent(String text, boolean truncated, int promptTokens, int choices) {}

  private final Quirks quirks;
  private final HttpServer server;
  private final ExecutorService pool = Executors.newFixedThreadPool(16);
  final Map<String, Sent> sent = new ConcurrentHashMap<>();
  final AtomicLong promptTokens = new AtomicLong();
  final AtomicLong completionTokens = new AtomicLong();
  final AtomicInteger seedRefusals = new AtomicInteger();
  final AtomicInteger nRefusals = new AtomicInteger();
  final AtomicInteger answered = new AtomicInteger();

  QuirkyServer(Quirks quirks) throws IOException {
    this.quirks = quirks;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    server.setExecutor(pool);
    server.createContext("/", this::handle);
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + (quirks.root() ? "/" : "/v1");
  }

  static int tokens(String s) {
    return (s.codePointCount(0, s.length()) + 3) / 4;
  }

  /** The full text of the sample with prompt {@code prompt} and seed {@code seed}. */
  static String text(String prompt, long seed) {
    SplittableRandom r = new SplittableRandom(prompt.hashCode() * 1_000_003L + seed);
    int words = 3 + r.nextInt(40);
    int stopAt = r.nextBoolean() ? r.nextInt(words) : -1;
    StringBuilder b = new StringBuilder();
    for (int w = 0; w < words; w++) {
      if (w > 0) {
        b.append(' ');
      }
      if (w == stopAt) {
        b.append(STOP).append(' ');
      }
      b.append(WORDS[r.nextInt(WORDS.length)]);
    }
    return b.toString();
  }

  private void handle(HttpExchange ex) throws IOException {
    JsonNode body = MAPPER.readTree(ex.getRequestBody());
    String path = ex.getRequestURI().getPath();
    if (!path.equals(quirks.root() ? "/chat/completions" : "/v1/chat/completions")) {
      send(ex, 404, "{\"detail\":\"Not Found\"}");
      return;
    }
    long seed = body.path("seed").asLong(0);
    if (quirks.int32Seed() && (seed > Integer.MAX_VALUE || seed < Integer.MIN_VALUE)) {
      seedRefusals.incrementAndGet();
      send(ex, 400, "{\"error\":\"Failed to deserialize the JSON body: seed: invalid value\"}");
      return;
    }
    int n = body.path("n").asInt(1);
    if (quirks.maxN() > 0 && n > quirks.maxN()) {
      nRefusals.incrementAndGet();
      send(ex, 400, "Bad Request");
      return;
    }
    int served = quirks.ignoreN() ? 1 : n;
    int maxTokens = body.path("max_tokens").asInt(16);
    List<String> stops = new ArrayList<>();
    body.path("stop").forEach(s -> stops.add(s.asText()));
    int prompt = 0;
    String last = "";
    for (JsonNode m : body.path("messages")) {
      prompt += tokens(m.path("content").asText());
      last = m.path("content").asText();
    }
    int limit = quirks.maxTokensIncludesPrompt() ? Math.max(1, maxTokens - prompt) : maxTokens;
    ObjectNode out = MAPPER.createObjectNode();
    out.put("object", "chat.completion");
    ArrayNode choices = out.putArray("choices");
    long completion = 0;
    for (int i = 0; i < served; i++) {
      long sampleSeed = (seed + i) & 0x7FFF_FFFFL;
      String text = text(last, sampleSeed);
      if (!quirks.ignoreStop()) {
        for (String s : stops) {
          int at = text.indexOf(s);
          if (at >= 0) {
            text = text.substring(0, at);
          }
        }
      }
      // Reaching the limit counts as cut at it, as vLLM reports "length" then.
      boolean truncated = tokens(text) >= limit;
      if (truncated) {
        text = text.substring(0, Math.min(text.length(), 4 * limit));
      }
      completion += tokens(text);
      sent.put(last + "#" + sampleSeed, new Sent(text, truncated, prompt, served));
      ObjectNode c = choices.addObject();
      c.put("index", i);
      c.putObject("message").put("role", "assistant").put("content", text);
      c.put("finish_reason", truncated && !quirks.stopForLength() ? "length" : "stop");
    }
    promptTokens.addAndGet(prompt);
    completionTokens.addAndGet(completion);
    if (!quirks.noUsage()) {
      out.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
          .put("total_tokens", prompt + completion);
    }
    answered.incrementAndGet();
    send(ex, 200, out.toString());
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
