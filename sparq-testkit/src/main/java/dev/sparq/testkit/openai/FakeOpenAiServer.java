package dev.sparq.testkit.openai;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-process server speaking the subset of the OpenAI API that sparq-openai's {@code OpenAiLanguageModel}
 * uses, bound to 127.0.0.1 on a free port. Answers are a deterministic function of the request:
 * choice {@code i} of a request with prompt {@code P} and seed {@code s} is
 * {@code "answer(P)#s+i w1 w2 ..."}, so asking for {@code n} samples at once with seed {@code s}
 * gives the same texts as asking for one sample at a time with seeds {@code s, s+1, ...}.
 * {@code max_tokens} cuts the answer (finish reason {@code length}), {@code stop} strings end it.
 * Usage counts whitespace-separated words.
 *
 * <p>Fault injection: a deterministic fraction of attempts (a hash of the request key, the
 * attempt number and a seed) fail with one of {@link Fault}'s kinds; at most
 * {@link Config#maxFaultsInRow} attempts of one request in a row fail, so every request succeeds
 * eventually. The server counts successful answers per sample key ({@code prompt#seed}), so tests
 * can check that nothing was lost or answered twice.
 *
 * <p>Used by sparq-openai's tests and by the client benchmark in sparq-bench.
 */
public final class FakeOpenAiServer implements AutoCloseable {

  /** The kinds of injected failure. */
  public enum Fault {
    /** HTTP 500 with a JSON error body. */
    ERROR_500,
    /** The connection is closed without a response. */
    RESET,
    /** HTTP 429 with {@code Retry-After: 1} and {@code retry-after-ms}. */
    RATE_LIMITED,
    /** A valid answer, but only after {@link Config#slowDelay} (beyond the client's timeout). */
    SLOW,
    /** HTTP 200 with a truncated JSON body. */
    MALFORMED
  }

  /** Server settings; public fields, set before {@link #start}. */
  public static final class Config {
    /** Fraction of attempts that fail. */
    public double faultRate = 0.0;
    /** Seed of the fault schedule. */
    public long faultSeed = 1;
    /** At most this many failed attempts in a row per request key. */
    public int maxFaultsInRow = 3;
    /** Delay of a {@link Fault#SLOW} answer. */
    public Duration slowDelay = Duration.ofMillis(600);
    /** {@code retry-after-ms} value of a {@link Fault#RATE_LIMITED} answer. */
    public long retryAfterMs = 20;
    /** Delay added to every answer (simulated inference time). */
    public Duration latency = Duration.ZERO;
    /** Largest {@code n} served; larger ones are refused (or cut, with {@link #ignoreN}). */
    public int maxN = Integer.MAX_VALUE;
    /** With {@code n > maxN}: answer {@code maxN} choices instead of refusing (Ollama-like). */
    public boolean ignoreN = false;
    /** Handler threads. */
    public int threads = 64;
    /** Keep every request body (for tests of the mapping). */
    public boolean recordBodies = false;
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** Ids in error bodies, unique over all servers of the JVM, as real servers' request ids are. */
  private static final AtomicLong ERROR_IDS = new AtomicLong();

  private final Config config;
  private final HttpServer server;
  private final ExecutorService pool;
  private final Map<String, AtomicInteger> attemptsByKey = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> faultsInRowByKey = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> answersBySample = new ConcurrentHashMap<>();
  private final Map<Fault, AtomicInteger> faults = new ConcurrentHashMap<>();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicInteger lateAnswers = new AtomicInteger();
  private final AtomicInteger refusedN = new AtomicInteger();
  private final AtomicReference<String> lastAuthorization = new AtomicReference<>();
  private final List<JsonNode> bodies = Collections.synchronizedList(new ArrayList<>());
  private final InFlightCounter inFlight = new InFlightCounter();

  private FakeOpenAiServer(Config config) throws IOException {
    this.config = config;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    this.pool = Executors.newFixedThreadPool(config.threads, r -> {
      Thread t = new Thread(r, "fake-openai");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(pool);
    server.createContext("/v1/chat/completions", ex -> handle(ex, true));
    server.createContext("/v1/completions", ex -> handle(ex, false));
  }

  /** Starts a server with {@code config} on 127.0.0.1 and a free port. */
  public static FakeOpenAiServer start(Config config) throws IOException {
    FakeOpenAiServer s = new FakeOpenAiServer(config);
    s.server.start();
    return s;
  }

  /** Starts a fault-free server. */
  public static FakeOpenAiServer start() throws IOException {
    return start(new Config());
  }

  /** The base URL, e.g. {@code http://127.0.0.1:41234/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /**
   * The text of sample {@code sampleSeed} of {@code prompt}, before {@code max_tokens} and stop
   * strings: what a test expects back.
   */
  public static String answer(String prompt, String sampleSeed) {
    int h = (prompt + "#" + sampleSeed).hashCode();
    return "answer(" + prompt + ")#" + sampleSeed + " w" + Math.floorMod(h, 97) + " w"
        + Math.floorMod(h >>> 7, 89) + " done";
  }

  private void handle(HttpExchange ex, boolean chat) throws IOException {
    inFlight.enter();
    try {
      requests.incrementAndGet();
      byte[] raw = ex.getRequestBody().readAllBytes();
      lastAuthorization.set(ex.getRequestHeaders().getFirst("Authorization"));
      if (!"POST".equals(ex.getRequestMethod())) {
        send(ex, 405, "{\"error\":{\"message\":\"method not allowed\"}}");
        return;
      }
      JsonNode body;
      try {
        body = MAPPER.readTree(raw);
      } catch (IOException e) {
        send(ex, 400, "{\"error\":{\"message\":\"bad json\"}}");
        return;
      }
      if (config.recordBodies) {
        bodies.add(body);
      }
      String prompt = chat ? lastContent(body) : body.path("prompt").asText();
      int n = body.path("n").asInt(1);
      String seed = body.hasNonNull("seed") ? body.get("seed").asText() : "none";
      String key = prompt + "#" + seed + "#" + n;
      int attempt = attemptsByKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      Fault fault = faultFor(key, attempt);
      AtomicInteger inRow = faultsInRowByKey.computeIfAbsent(key, k -> new AtomicInteger());
      if (fault != null && inRow.get() >= config.maxFaultsInRow) {
        fault = null;
      }
      if (fault != null) {
        inRow.incrementAndGet();
        faults.computeIfAbsent(fault, f -> new AtomicInteger()).incrementAndGet();
        switch (fault) {
          // The attempt number makes each body different, as the request ids of real error pages
          // do: the same body twice is the client's sign of a request that always fails.
          case ERROR_500 -> send(ex, 500, "{\"error\":{\"message\":\"injected failure (error id "
              + ERROR_IDS.incrementAndGet() + ")\",\"code\":500}}");
          case RESET -> {
            inFlight.leave();
            ex.close();
          }
          case RATE_LIMITED -> {
            ex.getResponseHeaders().add("Retry-After", "1");
            ex.getResponseHeaders().add("retry-after-ms", Long.toString(config.retryAfterMs));
            send(ex, 429, "{\"error\":{\"message\":\"slow down\"}}");
          }
          case SLOW -> {
            sleep(config.slowDelay);
            lateAnswers.incrementAndGet();
            sendQuietly(ex, 200, respond(chat, prompt, body, n, seed).toString());
          }
          case MALFORMED -> send(ex, 200, "{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"trunc");
          default -> throw new IllegalStateException();
        }
        return;
      }
      inRow.set(0);
      if (n > config.maxN && !config.ignoreN) {
        refusedN.incrementAndGet();
        // llama.cpp's wording.
        send(ex, 400, "{\"error\":{\"code\":400,\"message\":\"Only one completion choice is allowed\","
            + "\"type\":\"invalid_request_error\"}}");
        return;
      }
      int served = Math.min(n, config.maxN);
      sleep(config.latency);
      ObjectNode resp = respond(chat, prompt, body, served, seed);
      // Counted before sending, so a test reading the counts after its call returns sees them.
      answered.incrementAndGet();
      for (int i = 0; i < served; i++) {
        answersBySample.computeIfAbsent(prompt + "#" + sampleSeed(seed, i), k -> new AtomicInteger())
            .incrementAndGet();
      }
      send(ex, 200, resp.toString());
    } finally {
      inFlight.leave();
    }
  }

  private static String sampleSeed(String seed, int i) {
    return "none".equals(seed) ? "none+" + i : Long.toString(Long.parseLong(seed) + i);
  }

  private ObjectNode respond(boolean chat, String prompt, JsonNode body, int n, String seed) {
    int maxTokens = body.path("max_tokens").asInt(16);
    List<String> stops = new ArrayList<>();
    body.path("stop").forEach(s -> stops.add(s.asText()));
    ObjectNode root = MAPPER.createObjectNode();
    root.put("id", "cmpl-" + requests.get());
    root.put("object", chat ? "chat.completion" : "text_completion");
    root.put("model", body.path("model").asText("fake"));
    ArrayNode choices = root.putArray("choices");
    long completionTokens = 0;
    for (int i = 0; i < n; i++) {
      String text = answer(prompt, sampleSeed(seed, i));
      String finish = "stop";
      for (String s : stops) {
        int at = text.indexOf(s);
        if (at >= 0) {
          text = text.substring(0, at);
        }
      }
      String[] words = text.split(" ");
      if (words.length > maxTokens) {
        text = String.join(" ", java.util.Arrays.copyOf(words, maxTokens));
        finish = "length";
      }
      completionTokens += text.isEmpty() ? 0 : text.split(" ").length;
      ObjectNode c = choices.addObject();
      c.put("index", i);
      if (chat) {
        c.putObject("message").put("role", "assistant").put("content", text);
      } else {
        c.put("text", text);
      }
      c.put("finish_reason", finish);
    }
    ObjectNode usage = root.putObject("usage");
    long promptTokens = prompt.isBlank() ? 0 : prompt.strip().split("\\s+").length;
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);
    return root;
  }

  private static String lastContent(JsonNode body) {
    JsonNode messages = body.path("messages");
    return messages.size() == 0 ? "" : messages.get(messages.size() - 1).path("content").asText();
  }

  private Fault faultFor(String key, int attempt) {
    if (config.faultRate <= 0) {
      return null;
    }
    long h = mix(key.hashCode() * 0x9E3779B97F4A7C15L + attempt * 0xC2B2AE3D27D4EB4FL + config.faultSeed);
    double u = (h >>> 11) * 0x1.0p-53;
    if (u >= config.faultRate) {
      return null;
    }
    Fault[] kinds = Fault.values();
    return kinds[(int) Math.floorMod(mix(h), (long) kinds.length)];
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private void send(HttpExchange ex, int status, String body) throws IOException {
    inFlight.leave();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  private void sendQuietly(HttpExchange ex, int status, String body) {
    try {
      send(ex, status, body);
    } catch (IOException clientGone) {
      // the client gave up waiting: expected for a slow answer
    }
  }

  private static void sleep(Duration d) {
    if (d.isZero()) {
      return;
    }
    try {
      TimeUnit.NANOSECONDS.sleep(d.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Successful answers per sample key {@code prompt#sampleSeed} (slow, late answers excluded). */
  public Map<String, Integer> answersBySample() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    answersBySample.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Injected failures by kind. */
  public Map<Fault, Integer> faults() {
    Map<Fault, Integer> out = new java.util.EnumMap<>(Fault.class);
    faults.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** All injected failures. */
  public int totalFaults() {
    return faults.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** Requests received. */
  public long requests() {
    return requests.get();
  }

  /** Successful (non-fault) answers sent. */
  public long answered() {
    return answered.get();
  }

  /** Requests refused because {@code n > maxN}. */
  public int refusedN() {
    return refusedN.get();
  }

  /** Slow answers written after the delay. */
  public int lateAnswers() {
    return lateAnswers.get();
  }

  /** The {@code Authorization} header of the last request (null when absent). */
  public String lastAuthorization() {
    return lastAuthorization.get();
  }

  /** Recorded request bodies (with {@link Config#recordBodies}). */
  public List<JsonNode> bodies() {
    synchronized (bodies) {
      return List.copyOf(bodies);
    }
  }

  /** The most requests handled at once. */
  public int maxInFlight() {
    return inFlight.max();
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
