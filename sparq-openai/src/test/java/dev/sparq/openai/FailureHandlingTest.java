package dev.sparq.openai;

import dev.sparq.testkit.openai.FakeOpenAiServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.ConfigException;
import dev.sparq.core.ModelException;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.SamplingParams;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class FailureHandlingTest {
  private static final SamplingParams ONE = SamplingParams.builder().seed(1).build();

  @Test
  void spentRetriesFailWithTheEndpointAndStatus() throws Exception {
    try (ScriptedServer server = new ScriptedServer((k, ex) -> ScriptedServer.send(ex, 503, "{\"error\":\"overloaded\"}"));
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl())
            .retryPolicy(OpenAiLanguageModelTest.fastRetries(4))
            .healthPolicy(new HealthPolicy(100, Duration.ofMillis(1), Duration.ofMillis(1)))
            .build()) {
      ModelException e = assertThrows(ModelException.class,
          () -> model.complete(List.of(ChatRequest.user("x")), ONE));
      assertTrue(e.getMessage().contains(server.baseUrl() + "/chat/completions"), e.getMessage());
      assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
      assertTrue(e.getMessage().contains("after 4 attempts"), e.getMessage());
      assertTrue(e.getMessage().contains("overloaded"), e.getMessage());
      assertEquals(4, server.requests());
      assertEquals(3, model.metrics().retries());
      assertEquals(4, model.metrics().total().failures(FailureKind.SERVER_ERROR));
    }
  }

  @Test
  void clientErrorsAreNotRetried() throws Exception {
    try (ScriptedServer server = new ScriptedServer((k, ex) -> ScriptedServer.send(ex, 401, "{\"error\":\"bad key\"}"));
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl())
            .retryPolicy(OpenAiLanguageModelTest.fastRetries(5)).build()) {
      ModelException e = assertThrows(ModelException.class,
          () -> model.complete(List.of(ChatRequest.user("x")), ONE));
      assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
      assertTrue(e.getMessage().contains(server.baseUrl()), e.getMessage());
      assertEquals(1, server.requests());
      assertEquals(0, model.metrics().retries());
    }
  }

  @Test
  void retryAfterSecondsIsHonoured() throws Exception {
    List<RetryEvent> events = new CopyOnWriteArrayList<>();
    try (ScriptedServer server = new ScriptedServer((k, ex) -> {
          if (k == 1) {
            ex.getResponseHeaders().add("Retry-After", "1");
            ScriptedServer.send(ex, 429, "{}");
          } else {
            ScriptedServer.ok(ex, "fine");
          }
        });
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl())
            .retryPolicy(OpenAiLanguageModelTest.fastRetries(3))
            .listener(new OpenAiListener() {
              @Override
              public void onRetry(RetryEvent event) {
                events.add(event);
              }
            })
            .build()) {
      List<List<Completion>> out = model.complete(List.of(ChatRequest.user("x")), ONE);
      assertEquals("fine", out.get(0).get(0).text());
      assertEquals(1, events.size());
      RetryEvent e = events.get(0);
      assertEquals(FailureKind.RATE_LIMITED, e.kind());
      assertEquals(429, e.status());
      assertEquals(Duration.ofSeconds(1), e.delay());
      long gap = server.arrivalNanos.get(1) - server.arrivalNanos.get(0);
      assertTrue(gap >= Duration.ofMillis(990).toNanos(), "second attempt came after " + gap + " ns");
      assertEquals(1, model.metrics().total().failures(FailureKind.RATE_LIMITED));
    }
  }

  @Test
  void retryAfterHeadersAreParsed() {
    assertEquals(Duration.ofSeconds(2), parse(Map.of("Retry-After", List.of("2"))));
    assertEquals(Duration.ofMillis(500), parse(Map.of("Retry-After", List.of("0.5"))));
    assertEquals(Duration.ofMillis(40),
        parse(Map.of("Retry-After", List.of("3"), "retry-after-ms", List.of("40"))));
    assertEquals(null, parse(Map.of("Retry-After", List.of("soon"))));
    assertEquals(null, parse(Map.of()));
    assertEquals(Duration.ZERO, parse(Map.of("Retry-After", List.of("Wed, 21 Oct 2015 07:28:00 GMT"))));
    String future = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
        java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(60));
    Duration d = parse(Map.of("Retry-After", List.of(future)));
    // up to 60 s, less the time between formatting and parsing (wide: a cold JVM may pause)
    assertTrue(d.getSeconds() >= 40 && d.getSeconds() <= 60, d.toString());
  }

  private static Duration parse(Map<String, List<String>> headers) {
    return OpenAiLanguageModel.retryAfter(java.net.http.HttpHeaders.of(headers, (a, b) -> true));
  }

  @Test
  void failingEndpointIsRestedThenProbedAgain() throws Exception {
    // The healthy server binds first, so the dead port cannot be handed to it.
    FakeOpenAiServer healthy = FakeOpenAiServer.start();
    // A port that nobody listens on (loopback): connections are refused at once.
    ScriptedServer gone = new ScriptedServer((k, ex) -> ScriptedServer.ok(ex, "never"));
    String deadUrl = gone.baseUrl();
    gone.close();
    List<Duration> rests = new CopyOnWriteArrayList<>();
    List<String> causes = new CopyOnWriteArrayList<>();
    try (healthy;
        OpenAiLanguageModel model = OpenAiLanguageModel.builder()
            .endpoint(deadUrl).endpoint(healthy.baseUrl())
            // One request at a time, so the count of attempts on the dead endpoint is exact.
            .maxInFlight(1)
            .retryPolicy(OpenAiLanguageModelTest.fastRetries(5))
            .healthPolicy(new HealthPolicy(3, Duration.ofMillis(100), Duration.ofMillis(400)))
            .listener(new OpenAiListener() {
              @Override
              public void onEndpointRested(String endpoint, Duration restFor, int failures,
                  String lastFailure) {
                assertEquals(deadUrl, endpoint);
                rests.add(restFor);
                causes.add(lastFailure);
              }
            })
            .build()) {
      SamplingParams p = SamplingParams.builder().seed(3).maxTokens(64).build();
      OpenAiLanguageModelTest.assertAnswers("h", 3, 1,
          model.complete(OpenAiLanguageModelTest.requests("h", 40), p), 40);
      EndpointStats dead = model.metrics().endpoints().get(0);
      assertEquals(0, dead.responses());
      assertEquals(40, model.metrics().endpoints().get(1).responses());
      assertTrue(dead.rests() >= 1);
      assertEquals(rests.size(), dead.rests());
      // each rest names what the last attempt got: the kind and the exception with its cause
      for (String cause : causes) {
        assertTrue(cause.startsWith("connection: ConnectException") && cause.length() > 30, cause);
      }
      // Rested after 3 failures in a row; after each rest one probe fails and rests it again.
      assertEquals(3 + dead.rests() - 1, dead.attempts());
      assertEquals(dead.attempts(), dead.failures(FailureKind.CONNECTION));
      // Each rest in a row is twice as long as the one before, up to the maximum.
      assertEquals(Duration.ofMillis(100), rests.get(0));
      for (int i = 1; i < rests.size(); i++) {
        assertEquals(Duration.ofMillis(Math.min(400, 100L << i)), rests.get(i));
      }
      // When the rest is over, the endpoint is tried again.
      Thread.sleep(rests.get(rests.size() - 1).toMillis() + 50);
      OpenAiLanguageModelTest.assertAnswers("i", 3, 1,
          model.complete(OpenAiLanguageModelTest.requests("i", 5), p), 5);
      EndpointStats dead2 = model.metrics().endpoints().get(0);
      assertTrue(dead2.rests() > dead.rests(), dead2.toString());
      assertEquals(3 + dead2.rests() - 1, dead2.attempts());
    }
  }

  @Test
  void loadIsSpreadAndLimitedPerEndpoint() throws Exception {
    FakeOpenAiServer.Config cfg = new FakeOpenAiServer.Config();
    cfg.latency = Duration.ofMillis(15);
    try (FakeOpenAiServer a = FakeOpenAiServer.start(cfg);
        FakeOpenAiServer b = FakeOpenAiServer.start(cfg);
        OpenAiLanguageModel model = OpenAiLanguageModel.builder()
            .endpoint(a.baseUrl())
            .endpoint(Endpoint.of(b.baseUrl()).withMaxConcurrency(3))
            .maxConcurrencyPerEndpoint(6)
            .build()) {
      assertEquals(9, model.maxInFlight());
      SamplingParams p = SamplingParams.builder().seed(0).maxTokens(64).build();
      OpenAiLanguageModelTest.assertAnswers("l", 0, 1, model.complete(OpenAiLanguageModelTest.requests("l", 90), p), 90);
      assertTrue(a.maxInFlight() <= 6, "a had " + a.maxInFlight());
      assertTrue(b.maxInFlight() <= 3, "b had " + b.maxInFlight());
      assertTrue(a.maxInFlight() >= 2, "requests were not concurrent: " + a.maxInFlight());
      // Both endpoints did a fair share of the work (b holds a third of the slots).
      assertTrue(a.answered() >= 30 && b.answered() >= 15, a.answered() + " / " + b.answered());
      assertEquals(90, a.answered() + b.answered());
    }
  }

  @Test
  void apiKeyIsSentButNeverShownOrLogged() throws Exception {
    String secret = "sk-test-5ecr3t-value-987";
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    String message;
    OpenAiLanguageModel shown;
    // The server echoes the Authorization header in its error body, as a misbehaving proxy might.
    try (ScriptedServer server = new ScriptedServer((k, ex) -> {
          if (k <= 3) {
            ScriptedServer.send(ex, 500, "{\"error\":\"you sent " + ex.getRequestHeaders().getFirst("Authorization") + "\"}");
          } else {
            ScriptedServer.ok(ex, "ok");
          }
        })) {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try (OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl())
          .apiKey(secret).retryPolicy(OpenAiLanguageModelTest.fastRetries(2))
          .healthPolicy(new HealthPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1))).build()) {
        shown = model;
        message = assertThrows(ModelException.class,
            () -> model.complete(List.of(ChatRequest.user("x")), ONE)).getMessage();
        assertEquals("ok", model.complete(List.of(ChatRequest.user("y")), ONE).get(0).get(0).text());
      } finally {
        System.setErr(originalErr);
      }
      assertEquals("Bearer " + secret, server.authorizations.get(0));
    }
    String logs = captured.toString(StandardCharsets.UTF_8);
    assertTrue(logs.contains("HTTP 500") && logs.contains("retrying"), "no retry was logged: " + logs);
    assertTrue(logs.contains("resting"), "no rest was logged: " + logs);
    // the rest names the last failure's status and body (issue 19: not just "failed 5 times")
    assertTrue(logs.matches("(?s).*failed 1 times in a row \\(last: HTTP 500: [^\\n]*you sent Bearer \\*\\*\\*\\*.*"),
        "rest logged without its cause: " + logs);
    assertFalse(logs.contains(secret), logs);
    assertFalse(logs.contains("5ecr3t"), logs);
    assertTrue(message.contains("you sent Bearer ****"), message);
    assertFalse(message.contains(secret), message);
    assertFalse(shown.toString().contains(secret), shown.toString());
    assertTrue(shown.toString().contains("****"), shown.toString());
    ApiKey key = ApiKey.of(secret);
    assertFalse(key.toString().contains(secret));
    Endpoint withKey = Endpoint.of("http://127.0.0.1:1/v1").withApiKey(key);
    assertFalse(withKey.toString().contains(secret));
  }

  @Test
  void aKeyEchoedBackJsonEscapedOrUrlEncodedIsRedactedToo() throws Exception {
    // Keys may hold any printable ASCII; an audit's server echoed one through a JSON encoder
    // (Python's json.dumps), which escapes the quote and the backslash, and the key leaked.
    String secret = "sk-QUOTE\"SECRET\\key/<x>&'y";
    com.fasterxml.jackson.databind.ObjectMapper jackson = new com.fasterxml.jackson.databind.ObjectMapper();
    try (ScriptedServer server = new ScriptedServer((k, ex) -> {
          String auth = ex.getRequestHeaders().getFirst("Authorization");
          String body = jackson.writeValueAsString(Map.of("error", Map.of("message",
              "Invalid API key: " + auth, "nested", jackson.writeValueAsString(Map.of("k", auth)),
              "url", "https://x/?key=" + java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8))));
          ScriptedServer.send(ex, 401, body);
        });
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl())
            .apiKey(secret).retryPolicy(OpenAiLanguageModelTest.fastRetries(1)).build()) {
      String message = assertThrows(ModelException.class,
          () -> model.complete(List.of(ChatRequest.user("x")), ONE)).getMessage();
      assertTrue(message.contains("Invalid API key: Bearer ****"), message);
      for (String part : List.of("SECRET", "QUOTE")) {
        assertFalse(message.contains(part), message);
      }
    }
    ApiKey key = ApiKey.of(secret);
    String html = "key: sk-QUOTE\\\"SECRET\\\\key\\/\\u003cx\\u003e\\u0026\\u0027y.";
    assertEquals("key: ****.", key.redact(html));
    assertEquals("plain ****", key.redact("plain " + secret));
  }

  @Test
  void apiKeyComesFromTheEnvironment() throws Exception {
    try (ScriptedServer server = new ScriptedServer((k, ex) -> ScriptedServer.ok(ex, "ok"))) {
      Map<String, String> env = Map.of("MY_SERVER_KEY", "env-key-1");
      try (OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl())
          .apiKeyFromEnvironment("MY_SERVER_KEY").environment(env::get).build()) {
        model.complete(List.of(ChatRequest.user("x")), ONE);
        assertFalse(model.toString().contains("env-key-1"));
        assertTrue(model.toString().contains("environment variable MY_SERVER_KEY"), model.toString());
      }
      assertEquals("Bearer env-key-1", server.authorizations.get(0));
      ConfigException e = assertThrows(ConfigException.class, () -> OpenAiLanguageModel.builder()
          .endpoint(server.baseUrl()).apiKeyFromEnvironment().environment(env::get).build());
      assertTrue(e.getMessage().contains("OPENAI_API_KEY"), e.getMessage());
      // Without a key no Authorization header is sent.
      try (OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl()).build()) {
        model.complete(List.of(ChatRequest.user("x")), ONE);
      }
      assertEquals("null", server.authorizations.get(1));
    }
  }

  @Test
  void emptyBatchesClosedModelsAndBadConfiguration() throws Exception {
    try (ScriptedServer server = new ScriptedServer((k, ex) -> ScriptedServer.ok(ex, "ok"))) {
      OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl()).build();
      assertEquals(List.of(), model.complete(List.of(), ONE));
      assertEquals(0, server.requests());
      model.close();
      model.close();
      assertThrows(IllegalStateException.class, () -> model.complete(List.of(ChatRequest.user("x")), ONE));
      assertThrows(ConfigException.class, () -> OpenAiLanguageModel.builder().build());
      assertThrows(ConfigException.class, () -> OpenAiLanguageModel.builder()
          .endpoint(server.baseUrl()).endpoint(server.baseUrl() + "/").build());
    }
  }

  @Test
  void oneFatalRequestFailsTheCallAndStopsTheOthers() throws Exception {
    try (ScriptedServer server = new ScriptedServer((k, ex) -> {
          if (k == 3) {
            ScriptedServer.send(ex, 404, "{\"error\":\"model 'nope' not found\"}");
          } else {
            try {
              Thread.sleep(300);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            ScriptedServer.send(ex, 503, "{}");
          }
        });
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl())
            .maxInFlight(4)
            .retryPolicy(OpenAiLanguageModelTest.fastRetries(3)).build()) {
      ModelException e = assertThrows(ModelException.class,
          () -> model.complete(OpenAiLanguageModelTest.requests("z", 12), ONE));
      assertTrue(e.getMessage().contains("HTTP 404") && e.getMessage().contains("not found"), e.getMessage());
      // The other workers give up instead of working through the remaining requests and retries.
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (model.metrics().total().inFlight() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(0, model.metrics().total().inFlight());
      Thread.sleep(400);
      assertTrue(server.requests() <= 8, "requests after the failure: " + server.requests());
    }
  }

  @Test
  void concurrentCallersGetTheirOwnResults() throws Exception {
    try (FakeOpenAiServer server = FakeOpenAiServer.start();
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl())
            .maxInFlight(8).build()) {
      SamplingParams p = SamplingParams.builder().n(2).seed(21).maxTokens(64).build();
      List<Thread> threads = new java.util.ArrayList<>();
      List<Throwable> errors = new CopyOnWriteArrayList<>();
      for (int t = 0; t < 6; t++) {
        String prefix = "t" + t;
        Thread th = new Thread(() -> {
          try {
            for (int round = 0; round < 3; round++) {
              OpenAiLanguageModelTest.assertAnswers(prefix, 21, 2,
                  model.complete(OpenAiLanguageModelTest.requests(prefix, 15), p), 15);
            }
          } catch (Throwable e) {
            errors.add(e);
          }
        });
        threads.add(th);
        th.start();
      }
      for (Thread th : threads) {
        th.join();
      }
      assertEquals(List.of(), errors);
      assertEquals(6 * 3 * 15, model.metrics().total().responses());
      assertTrue(server.maxInFlight() <= 8, "in flight at the server: " + server.maxInFlight());
    }
  }

  @Test
  void aBodyThatStallsMidwayTimesOut() throws Exception {
    try (ScriptedServer server = new ScriptedServer((k, ex) -> {
          if (k == 1) {
            // Headers and the start of the body, then nothing for a long time.
            ex.sendResponseHeaders(200, 500);
            ex.getResponseBody().write("{\"choices\":[".getBytes(StandardCharsets.UTF_8));
            ex.getResponseBody().flush();
            try {
              // far beyond the timeout; close() interrupts it
              Thread.sleep(30_000);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            ex.close();
          } else {
            ScriptedServer.ok(ex, "second");
          }
        });
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl())
            // long enough for the retry's fresh connection on a loaded machine
            .requestTimeout(Duration.ofMillis(2000))
            .retryPolicy(OpenAiLanguageModelTest.fastRetries(3)).build()) {
      assertEquals("second", model.complete(List.of(ChatRequest.user("x")), ONE).get(0).get(0).text());
      assertEquals(1, model.metrics().total().failures(FailureKind.TIMEOUT));
      assertEquals(1, model.metrics().retries());
    }
  }

  @Test
  void endpointUrlsAreNormalised() {
    assertEquals("http://127.0.0.1:8000/v1", Endpoint.of("http://127.0.0.1:8000").baseUri().toString());
    assertEquals("http://127.0.0.1:8000/v1", Endpoint.of("http://127.0.0.1:8000/v1/").baseUri().toString());
    assertEquals("https://host/api/v1", Endpoint.of("HTTPS://host/api/v1").baseUri().toString());
    assertEquals("http://127.0.0.1:8000", Endpoint.of("http://127.0.0.1:8000/").baseUri().toString());
    assertThrows(IllegalArgumentException.class, () -> Endpoint.of("ftp://host/v1"));
    assertThrows(IllegalArgumentException.class, () -> Endpoint.of("localhost:8000"));
    assertThrows(IllegalArgumentException.class, () -> Endpoint.of("http://host/v1?x=1"));
    assertThrows(IllegalArgumentException.class, () -> Endpoint.of("http://h/v1").withMaxConcurrency(0));
  }

  /**
   * A server that does not accept connections (its accept queue is full, as with an overloaded or
   * hung server): the client's connect timeout fires. HttpConnectTimeoutException is a subclass of
   * HttpTimeoutException, so it was reported as the request timeout ("no response within 300000
   * ms") a few seconds after the start; it is a connection failure that says so.
   */
  @Test
  void aConnectTimeoutIsAConnectionFailureNotTheRequestTimeout() throws Exception {
    try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      // fill the accept queue (never accepted) until a connect times out
      List<java.net.Socket> held = new java.util.ArrayList<>();
      boolean filled = false;
      try {
        for (int i = 0; i < 64 && !filled; i++) {
          java.net.Socket s = new java.net.Socket();
          try {
            s.connect(full.getLocalSocketAddress(), 200);
            held.add(s);
          } catch (java.net.SocketTimeoutException e) {
            s.close();
            filled = true;
          }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(filled,
            "this system accepts connections beyond the listen backlog; no connect timeout to provoke");
        String url = "http://127.0.0.1:" + full.getLocalPort() + "/v1";
        try (OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(url)
            .connectTimeout(Duration.ofMillis(300)).requestTimeout(Duration.ofSeconds(120))
            .retryPolicy(OpenAiLanguageModelTest.fastRetries(2))
            .healthPolicy(new HealthPolicy(100, Duration.ofMillis(1), Duration.ofMillis(1)))
            .build()) {
          ModelException e = assertThrows(ModelException.class,
              () -> model.complete(List.of(ChatRequest.user("x")), ONE));
          assertTrue(e.getMessage().contains("no connection within 300 ms"), e.getMessage());
          assertFalse(e.getMessage().contains("no response within"), e.getMessage());
          assertEquals(2, model.metrics().total().failures(FailureKind.CONNECTION));
          assertEquals(0, model.metrics().total().failures(FailureKind.TIMEOUT));
        }
      } finally {
        for (java.net.Socket s : held) {
          s.close();
        }
      }
    }
  }
}
