package dev.sparq.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sparq.core.internal.Json;
import java.io.IOException;
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
  final AtomicLong generate = new AtomicLong();
  final AtomicLong solve = new AtomicLong();
  final AtomicLong label = new AtomicLong();
  final AtomicLong untagged = new AtomicLong();

  FakeMathServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/chat/completions", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  private void handle(HttpExchange ex) throws IOException {
    JsonNode body = Json.mapper().readTree(ex.getRequestBody());
    JsonNode messages = body.path("messages");
    String prompt = messages.get(messages.size() - 1).path("content").asText();
    int n = body.path("n").asInt(1);
    long seed = body.path("seed").asLong(prompt.hashCode());
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("id", "fake");
    out.put("object", "chat.completion");
    ArrayNode choices = out.putArray("choices");
    for (int i = 0; i < n; i++) {
      SplittableRandom r = new SplittableRandom(seed * 31 + i + prompt.hashCode());
      ObjectNode c = choices.addObject();
      c.put("index", i);
      c.putObject("message").put("role", "assistant").put("content", reply(prompt, r));
      c.put("finish_reason", "stop");
    }
    out.putObject("usage").put("prompt_tokens", prompt.length() / 4).put("completion_tokens", 20 * n);
    byte[] bytes = Json.mapper().writeValueAsBytes(out);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(200, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
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
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
