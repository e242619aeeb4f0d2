package dev.sparq.bench.sim;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An OpenAI-compatible inference server on loopback whose cost is simulated: requests to
 * {@code /v1/chat/completions} and {@code /v1/completions} (with {@code n}) are answered in the
 * {@link SimMathDomain}, and each answer is held back until the {@link BatchCostModel} has decoded
 * all its sequences. The client is the real one, over real HTTP, so its own limits (requests in
 * flight per endpoint, threads) decide what reaches the server.
 *
 * <h2>Clock</h2>
 * The simulated clock ({@link SimClock}, one per server or shared by the servers of a deployment)
 * is driven by events, not by real time, so that a loaded test machine does
 * not show up as an idle GPU: one scheduler thread owns the cost model and runs decode steps until
 * a step finishes at least one request; it then sends those answers and waits until the client has
 * been quiet (no new request) for {@code quiet} real time before it runs further. Every request the
 * client sends in reaction to an answer therefore arrives at the simulated moment of that answer:
 * the client's processing time is not charged (on a real deployment it is milliseconds against
 * decode steps of tens of milliseconds), and no simulated time passes while nothing is queued. A
 * client that reacts slower than {@code quiet} is seen as late, never as early.
 */
public final class SimulatedInferenceServer implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final SimClock clock;
  private final boolean ownsClock;
  private final BatchCostModel model;
  private final HttpServer http;
  private final ExecutorService handlers;

  /**
   * Starts a server on a free loopback port with its own simulated clock.
   *
   * @param params the cost model
   * @param quiet how long the client must send nothing before the clock moves on (for example
   *     20 ms on a loaded machine)
   */
  public SimulatedInferenceServer(BatchCostModel.Params params, java.time.Duration quiet) throws IOException {
    this(params, new SimClock(quiet), true);
  }

  /**
   * Starts a server on a free loopback port on a clock shared with other servers (one per model of
   * a deployment); the caller closes the clock after the servers.
   *
   * @param params the cost model
   * @param clock the shared simulated clock
   */
  public SimulatedInferenceServer(BatchCostModel.Params params, SimClock clock) throws IOException {
    this(params, clock, false);
  }

  private SimulatedInferenceServer(BatchCostModel.Params params, SimClock clock, boolean ownsClock)
      throws IOException {
    this.clock = clock;
    this.ownsClock = ownsClock;
    this.model = clock.add(params);
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    this.handlers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "sim-server");
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(handlers);
    http.createContext("/v1/chat/completions", ex -> handle(ex, true));
    http.createContext("/v1/completions", ex -> handle(ex, false));
    http.start();
  }

  /** The base URL, {@code http://127.0.0.1:PORT/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + http.getAddress().getPort() + "/v1";
  }

  /** The cost model's parameters. */
  public BatchCostModel.Params params() {
    return model.params();
  }

  /**
   * A consistent reading of the simulated clock and this server's counters.
   *
   * @param now the (shared) simulated clock, seconds
   * @param busySlotSeconds sequence-slot seconds spent decoding
   * @param tokens tokens decoded
   * @param requests requests received
   * @param sequences sequences received
   * @param steps decode steps
   * @param prefillTokens prompt tokens prefilled
   */
  public record Reading(double now, double busySlotSeconds, long tokens, long requests,
      long sequences, long steps, long prefillTokens) {
    /** Utilisation between {@code before} and this reading, for a server of {@code capacity}. */
    public double utilisationSince(Reading before, int capacity) {
      double dt = now - before.now;
      return dt <= 0 ? 0 : (busySlotSeconds - before.busySlotSeconds) / (capacity * dt);
    }
  }

  /** Reads the clock and the counters. */
  public Reading read() {
    return clock.read(now -> new Reading(now, model.busySlotSeconds(), model.tokens(), model.requests(),
        model.sequences(), model.steps(), model.prefillTokens()));
  }

  private void handle(HttpExchange ex, boolean chat) throws IOException {
    try (ex) {
      if (!"POST".equals(ex.getRequestMethod())) {
        send(ex, 405, "{\"error\":{\"message\":\"method not allowed\"}}");
        return;
      }
      JsonNode body;
      try {
        body = MAPPER.readTree(ex.getRequestBody().readNBytes(1 << 20));
      } catch (IOException e) {
        send(ex, 400, "{\"error\":{\"message\":\"bad json\"}}");
        return;
      }
      String prompt;
      if (chat) {
        StringBuilder sb = new StringBuilder();
        body.path("messages").forEach(m -> sb.append(m.path("content").asText()).append('\n'));
        prompt = sb.toString();
      } else {
        prompt = body.path("prompt").asText();
      }
      int n = Math.max(1, body.path("n").asInt(1));
      long seed = body.path("seed").asLong(0);
      int maxTokens = body.path("max_tokens").asInt(Integer.MAX_VALUE);
      SimMathDomain.Reply[] replies = new SimMathDomain.Reply[n];
      int[] lengths = new int[n];
      for (int i = 0; i < n; i++) {
        replies[i] = SimMathDomain.reply(prompt, seed, i);
        lengths[i] = Math.min(maxTokens, replies[i].tokens());
      }
      int promptTokens = Math.max(1, prompt.length() / 4);
      CompletableFuture<Void> done = new CompletableFuture<>();
      clock.submit(model, new BatchCostModel.Request(promptTokens, lengths, done));
      try {
        done.get(10, TimeUnit.MINUTES);
      } catch (Exception e) {
        send(ex, 503, "{\"error\":{\"message\":\"simulated server stopped\"}}");
        return;
      }
      ObjectNode root = MAPPER.createObjectNode();
      root.put("id", "sim-" + System.nanoTime());
      root.put("object", chat ? "chat.completion" : "text_completion");
      root.put("model", body.path("model").asText("sim"));
      ArrayNode choices = root.putArray("choices");
      long completion = 0;
      for (int i = 0; i < n; i++) {
        boolean cut = lengths[i] < replies[i].tokens();
        ObjectNode c = choices.addObject();
        c.put("index", i);
        String text = cut ? replies[i].text().substring(0, replies[i].text().length() / 2) : replies[i].text();
        if (chat) {
          c.putObject("message").put("role", "assistant").put("content", text);
        } else {
          c.put("text", text);
        }
        c.put("finish_reason", cut ? "length" : "stop");
        completion += lengths[i];
      }
      ObjectNode usage = root.putObject("usage");
      usage.put("prompt_tokens", promptTokens);
      usage.put("completion_tokens", completion);
      usage.put("total_tokens", promptTokens + completion);
      send(ex, 200, root.toString());
    }
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    http.stop(0);
    handlers.shutdownNow();
    if (ownsClock) {
      clock.close();
    }
  }
}
