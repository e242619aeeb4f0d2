package dev.sparq.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sparq.core.internal.Json;
import dev.sparq.testkit.openai.InFlightCounter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for an OpenAI-compatible server that plays all three roles of the LLM pipeline on
 * problems of the form "What is A + B?" / "What is A * B?": it writes new problems in
 * {@code <problem>}/{@code <solution>} tags when asked to invent one, answers with {@code \boxed{}}
 * (wrong more often for bigger numbers) when asked to solve, and names skills when asked to label.
 * Answers are a deterministic function of the request.
 */
final class FakeMathServer implements AutoCloseable {
  private static final Pattern PROBLEM = Pattern.compile("What is (\\d+) ([+*]) (\\d+)\\?");

  private final HttpServer server;
  private final boolean quirky;
  final AtomicLong seedRefusals = new AtomicLong();
  final AtomicLong nRefusals = new AtomicLong();
  final AtomicLong cut = new AtomicLong();
  final AtomicLong generate = new AtomicLong();
  final AtomicLong solve = new AtomicLong();
  final AtomicLong label = new AtomicLong();
  final AtomicLong untagged = new AtomicLong();
  /** When above 0, every this-many-th request is answered HTTP 503 (a server that fails now and then). */
  volatile int failEvery;
  /** Requests answered with an injected 503. */
  final AtomicLong injectedFailures = new AtomicLong();
  /**
   * Generation requests after this many are never answered (a server that stopped answering): they
   * wait until the server is closed, with a permit in {@link #hung} each.
   */
  volatile long answerGenerations = Long.MAX_VALUE;
  /** Generation requests received. */
  final AtomicLong generateRequests = new AtomicLong();
  /** One permit per request left unanswered. */
  final java.util.concurrent.Semaphore hung = new java.util.concurrent.Semaphore(0);
  private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
  /** Every request received, answered or refused. */
  final AtomicLong requests = new AtomicLong();
  final InFlightCounter inFlight = new InFlightCounter();
  final java.util.Set<String> extraFields = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /**
   * How the server plays a reasoning model: {@code null} not at all; {@code "inline"} every reply
   * starts with a {@code <think>} block; {@code "r1"} the block has no opening tag (the chat template
   * opened it in the prompt, as DeepSeek-R1's does); {@code "field"} the thinking comes apart in
   * {@code reasoning_content}, as from a server with a reasoning parser. The thinking drafts a
   * decoy problem, a decoy boxed answer and a decoy skill, none of which may be read.
   */
  volatile String thinking;
  /** The decoy problem statement drafted inside the thinking. */
  static final String DECOY_PROBLEM = "What is 1000 + 1000?";

  /** The {@code model} fields received, by kind of request: generate, solve, label. */
  final java.util.Map<String, java.util.Set<String>> models = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Writes {@code count} seed problems "What is i + (i + offset)?" with boxed answers, one JSON
   * object per line, for runs against this server.
   */
  static void writeAdditionSeeds(Path file, int count, int offset) throws IOException {
    StringBuilder seeds = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      seeds.append("{\"problem\": \"What is ").append(i).append(" + ").append(i + offset)
          .append("?\", \"solution\": \"It is \\\\boxed{").append(2 * i + offset).append("}.\"}\n");
    }
    Files.writeString(file, seeds);
  }

  FakeMathServer() throws IOException {
    this(false);
  }

  /**
   * With {@code quirky}, the server has the misbehaviours of issue 14 at once: it is mounted at the
   * root ({@code /chat/completions}), answers HTTP 400 to a seed beyond 32 bits and (with a body
   * that does not say why) to {@code n > 2}, ignores stop strings, sends no {@code usage}, counts
   * the prompt in {@code max_tokens} (four characters a token) and says {@code "stop"} for output
   * it cut.
   */
  FakeMathServer(boolean quirky) throws IOException {
    this.quirky = quirky;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(quirky ? "/chat/completions" : "/v1/chat/completions", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + (quirky ? "/" : "/v1");
  }

  private void send(HttpExchange ex, int status, byte[] bytes) throws IOException {
    inFlight.leave();
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    long nth = requests.incrementAndGet();
    inFlight.enter();
    try {
      int every = failEvery;
      if (every > 0 && nth % every == 0) {
        ex.getRequestBody().readAllBytes();
        injectedFailures.incrementAndGet();
        send(ex, 503, ("{\"error\":{\"message\":\"overloaded, request " + nth + "\"}}")
            .getBytes(StandardCharsets.UTF_8));
        return;
      }
      answer(ex);
    } finally {
      inFlight.leave();
    }
  }

  private void answer(HttpExchange ex) throws IOException {
    JsonNode body = Json.mapper().readTree(ex.getRequestBody());
    body.fieldNames().forEachRemaining(f -> {
      if (f.startsWith("x_")) {
        extraFields.add(f + "=" + body.get(f));
      }
    });
    JsonNode messages = body.path("messages");
    String prompt = messages.get(messages.size() - 1).path("content").asText();
    String kind = prompt.contains("Which mathematical skills") ? "label"
        : prompt.contains("Invent one NEW math problem") ? "generate" : "solve";
    models.computeIfAbsent(kind, k -> java.util.concurrent.ConcurrentHashMap.newKeySet())
        .add(body.path("model").asText());
    if (kind.equals("generate") && generateRequests.incrementAndGet() > answerGenerations) {
      hung.release();
      try {
        closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    int n = body.path("n").asInt(1);
    long seed = body.path("seed").asLong(prompt.hashCode());
    int promptTokens = 0;
    for (JsonNode m : messages) {
      promptTokens += (m.path("content").asText().length() + 3) / 4;
    }
    if (quirky && (seed > Integer.MAX_VALUE || seed < Integer.MIN_VALUE)) {
      seedRefusals.incrementAndGet();
      send(ex, 400, "{\"error\":\"json: cannot unmarshal number into Go struct field .seed of type int32\"}"
          .getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (quirky && n > 2) {
      nRefusals.incrementAndGet();
      send(ex, 400, "Bad Request".getBytes(StandardCharsets.UTF_8));
      return;
    }
    // Counting the prompt in max_tokens leaves nothing for a 64-token request with a long prompt;
    // this server still answers at least 16 tokens then, so the run has something to work with.
    int limit = body.path("max_tokens").asInt(1 << 20) - (quirky ? promptTokens : 0);
    limit = Math.max(16, limit);
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("id", "fake");
    out.put("object", "chat.completion");
    ArrayNode choices = out.putArray("choices");
    for (int i = 0; i < n; i++) {
      SplittableRandom r = new SplittableRandom(seed * 31 + i + prompt.hashCode());
      ObjectNode c = choices.addObject();
      c.put("index", i);
      String text = reply(prompt, r);
      boolean length = false;
      if (quirky && (text.length() + 3) / 4 >= limit) {
        text = text.substring(0, Math.max(0, Math.min(text.length(), 4 * limit)));
        cut.incrementAndGet();
        length = true;
      }
      ObjectNode message = c.putObject("message").put("role", "assistant");
      String mode = thinking;
      String draft = "Let me draft first.\n<problem>\n" + DECOY_PROBLEM + "\n</problem>\n<solution>\nIt is"
          + " \\boxed{-1}.\n</solution>\ngeometry\nNo, start again.";
      if ("field".equals(mode)) {
        message.put("reasoning_content", draft);
      } else if ("inline".equals(mode)) {
        text = "<think>\n" + draft + "\n</think>\n\n" + text;
      } else if ("r1".equals(mode)) {
        text = draft + "\n</think>\n\n" + text;
      }
      message.put("content", text);
      c.put("finish_reason", length && !quirky ? "length" : "stop");
    }
    if (!quirky) {
      out.putObject("usage").put("prompt_tokens", prompt.length() / 4).put("completion_tokens", 20 * n);
    }
    send(ex, 200, Json.mapper().writeValueAsBytes(out));
  }

  private String reply(String prompt, SplittableRandom r) {
    Matcher m = PROBLEM.matcher(prompt);
    boolean found = m.find();
    long a = found ? Long.parseLong(m.group(1)) : 2;
    char op = found ? m.group(2).charAt(0) : '+';
    long b = found ? Long.parseLong(m.group(3)) : 2;
    if (prompt.contains("Which mathematical skills")) {
      label.incrementAndGet();
      return (op == '*' ? "multiplication" : "addition") + "\n" + (Math.max(a, b) >= 100 ? "large numbers" : "arithmetic");
    }
    if (prompt.contains("Invent one NEW math problem")) {
      generate.incrementAndGet();
      if (r.nextInt(10) == 0) {
        untagged.incrementAndGet();
        return "I am not sure what to write."; // no tags: the generator must count and skip it
      }
      long na = a + 1 + r.nextInt(Math.max(2, (int) a));
      char nop = r.nextBoolean() ? '+' : '*';
      long nb = b + r.nextInt(5);
      long v = nop == '+' ? na + nb : na * nb;
      return "<problem>\nWhat is " + na + " " + nop + " " + nb + "?\n</problem>\n<solution>\n"
          + na + " " + nop + " " + nb + " = " + v + ", so the answer is \\boxed{" + v + "}.\n</solution>";
    }
    solve.incrementAndGet();
    long v = op == '+' ? a + b : a * b;
    double pWrong = Math.min(0.95, 0.05 + Math.log10(1 + a * b) / 5);
    long ans = r.nextDouble() < pWrong ? v + 1 + r.nextInt(3) : v;
    return "Computing: " + a + " " + op + " " + b + " = " + ans + ". The answer is \\boxed{" + ans + "}.";
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
