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
import java.util.List;

/**
 * An OpenAI-compatible inference server on loopback whose cost is simulated: requests to
 * {@code /v1/chat/completions} and {@code /v1/completions} (with {@code n}) are answered in the
 * {@link SimMathDomain}, and each answer is held back until the {@link BatchCostModel} has decoded
 * all its sequences. The client is the real one, over real HTTP, so its own limits (requests in
 * flight per endpoint, threads) decide what reaches the server.
 *
 * <h2>Clock</h2>
 * The simulated clock is driven by events, not by real time, so that a loaded test machine does
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

  private final BatchCostModel model;
  private final long quietNanos;
  private long lastActivity;
  private final HttpServer http;
  private final ExecutorService handlers;
  private final Thread scheduler;
  private final Object lock = new Object();
  private volatile boolean closed;

  /**
   * Starts a server on a free loopback port.
   *
   * @param params the cost model
   * @param quiet how long the client must send nothing before the clock moves on (for example
   *     20 ms on a loaded machine)
   */
  public SimulatedInferenceServer(BatchCostModel.Params params, java.time.Duration quiet) throws IOException {
    this.model = new BatchCostModel(params);
    this.quietNanos = quiet.toNanos();
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    this.handlers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "sim-server");
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(handlers);
    http.createContext("/v1/chat/completions", ex -> handle(ex, true));
    http.createContext("/v1/completions", ex -> handle(ex, false));
    this.scheduler = new Thread(this::schedule, "sim-gpu");
    scheduler.setDaemon(true);
    scheduler.start();
    http.start();
  }

  /** The base URL, {@code http://127.0.0.1:PORT/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + http.getAddress().getPort() + "/v1";
  }

  /** A consistent reading of the simulated clock and counters. */
  public record Reading(double now, double busySlotSeconds, long tokens, long requests,
      long sequences, long steps) {
    /** Utilisation between {@code before} and this reading, for a server of {@code capacity}. */
    public double utilisationSince(Reading before, int capacity) {
      double dt = now - before.now;
      return dt <= 0 ? 0 : (busySlotSeconds - before.busySlotSeconds) / (capacity * dt);
    }
  }

  /** Reads the clock and the counters. */
  public Reading read() {
    synchronized (lock) {
      return new Reading(model.now(), model.busySlotSeconds(), model.tokens(), model.requests(),
          model.sequences(), model.steps());
    }
  }

  private void schedule() {
    synchronized (lock) {
      try {
        while (!closed) {
          if (model.idle()) {
            lock.wait(5);
            continue;
          }
          long quietFor = System.nanoTime() - lastActivity;
          if (quietFor < quietNanos) {
            long wait = quietNanos - quietFor;
            lock.wait(wait / 1_000_000, (int) (wait % 1_000_000));
            continue;
          }
          List<BatchCostModel.Request> done = List.of();
          while (done.isEmpty() && !model.idle()) {
            model.step();
            done = model.drainCompleted();
          }
          for (BatchCostModel.Request r : done) {
            ((CompletableFuture<?>) r.tag()).complete(null);
          }
          lastActivity = System.nanoTime();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
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
      synchronized (lock) {
        model.submit(new BatchCostModel.Request(promptTokens, lengths, done));
        lastActivity = System.nanoTime();
        lock.notifyAll();
      }
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
    closed = true;
    http.stop(0);
    scheduler.interrupt();
    handlers.shutdownNow();
  }
}
