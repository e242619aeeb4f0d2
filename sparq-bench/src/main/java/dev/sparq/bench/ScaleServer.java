package dev.sparq.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.sparq.core.llm.ChatMessage;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.model.Problem;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * {@link ScaleRun}'s fake model behind an OpenAI-compatible {@code POST /v1/chat/completions}, so
 * that the {@code sparq} command can be driven at the paper's scale with texts of realistic length.
 * Writes the same 7,500 seed problems as JSON Lines for {@code seeds: {format: jsonl}}.
 *
 * <pre>
 * java -cp sparq-bench/target/benchmarks.jar dev.sparq.bench.ScaleServer 18080 /tmp/scale-runs/seeds.jsonl
 * </pre>
 */
public final class ScaleServer {
  private ScaleServer() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    Path seeds = Path.of(args[1]);
    ObjectMapper m = new ObjectMapper();
    StringBuilder sb = new StringBuilder();
    for (Problem p : ScaleRun.seeds(7500)) {
      ObjectNode o = m.createObjectNode().put("problem", p.statement()).put("solution", p.solution())
          .put("answer", p.answer());
      sb.append(m.writeValueAsString(o)).append('\n');
    }
    Files.writeString(seeds, sb.toString());
    ScaleRun.FakeModel model = new ScaleRun.FakeModel();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/v1/chat/completions", ex -> {
      try {
        JsonNode body = m.readTree(ex.getRequestBody().readAllBytes());
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode msg : body.path("messages")) {
          String role = msg.path("role").asText();
          messages.add(role.equals("system") ? ChatMessage.system(msg.path("content").asText())
              : role.equals("assistant") ? ChatMessage.assistant(msg.path("content").asText())
              : ChatMessage.user(msg.path("content").asText()));
        }
        int n = body.path("n").asInt(1);
        SamplingParams params = SamplingParams.builder().n(n).seed(body.path("seed").asLong(1)).build();
        List<Completion> out = model.complete(List.of(ChatRequest.of(messages.toArray(new ChatMessage[0]))), params).get(0);
        ObjectNode resp = m.createObjectNode().put("id", "x").put("object", "chat.completion")
            .put("model", body.path("model").asText("fake"));
        ArrayNode choices = resp.putArray("choices");
        int completionTokens = 0;
        for (int i = 0; i < out.size(); i++) {
          ObjectNode c = choices.addObject().put("index", i).put("finish_reason", "stop");
          c.putObject("message").put("role", "assistant").put("content", out.get(i).text());
          completionTokens += out.get(i).completionTokens();
        }
        resp.putObject("usage").put("prompt_tokens", 300).put("completion_tokens", completionTokens)
            .put("total_tokens", 300 + completionTokens);
        byte[] bytes = m.writeValueAsBytes(resp);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
          os.write(bytes);
        }
      } catch (RuntimeException e) {
        byte[] bytes = ("{\"error\":{\"message\":\"" + e + "\"}}").getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(500, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
          os.write(bytes);
        }
      }
    });
    server.start();
    System.out.println("listening on http://127.0.0.1:" + port + "/v1, seeds in " + seeds);
  }
}
