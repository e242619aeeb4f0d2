package dev.sparq.openai;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

/** A loopback HTTP server whose answer to attempt {@code k} (1-based) is scripted by the test. */
final class ScriptedServer implements AutoCloseable {

  /** Writes the answer to one attempt. */
  interface Script {
    void answer(int attempt, HttpExchange exchange) throws IOException;
  }

  private final HttpServer server;
  private final ExecutorService pool = Executors.newFixedThreadPool(8);
  final List<Long> arrivalNanos = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();

  ScriptedServer(Script script) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(pool);
    server.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      int attempt;
      synchronized (this) {
        arrivalNanos.add(System.nanoTime());
        attempt = arrivalNanos.size();
      }
      authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
      script.answer(attempt, ex);
    });
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  int requests() {
    return arrivalNanos.size();
  }

  static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(b);
    }
  }

  static void ok(HttpExchange ex, String text) throws IOException {
    send(ex, 200, "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
        + text + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}");
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
