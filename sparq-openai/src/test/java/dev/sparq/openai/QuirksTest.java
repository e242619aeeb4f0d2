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
import dev.sparq.core.llm.FinishReason;
import dev.sparq.core.llm.SamplingParams;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Single server quirks, and the client's limits on what servers and configuration may hand it. */
class QuirksTest {
  private static final SamplingParams ONE = SamplingParams.builder().seed(1).maxTokens(64).build();

  @Test
  void everyQuirkAtOnceWithOnlyTheUrlAndModel() throws Exception {
    AtomicInteger usageWarnings = new AtomicInteger();
    try (QuirkyServer server = new QuirkyServer(QuirkyServer.Quirks.all());
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl())
            .model("m").listener(new OpenAiListener() {
              @Override
              public void onUsageMissing(String endpoint) {
                usageWarnings.incrementAndGet();
              }
            }).build()) {
      assertTrue(server.baseUrl().endsWith("/"), "mounted at the root");
      // A 64-bit seed, n above the server's limit, stop strings it ignores.
      SamplingParams p = SamplingParams.builder().n(8).seed(Long.MAX_VALUE - 3).maxTokens(12)
          .stop(List.of(QuirkyServer.STOP)).build();
      List<ChatRequest> rs = List.of(ChatRequest.user("a"), ChatRequest.user("b"), ChatRequest.user("c"));
      List<List<Completion>> out = model.complete(rs, p);
      assertEquals(0, server.seedRefusals.get());
      assertTrue(server.nRefusals.get() >= 1);
      assertEquals(2, model.nLimit(0), "n=8 halved to 4, then 2, which the server takes");
      for (List<Completion> row : out) {
        assertEquals(8, row.size());
        for (Completion c : row) {
          assertFalse(c.text().contains(QuirkyServer.STOP), c.text());
        }
      }
      assertTrue(model.metrics().usageEstimated());
      assertEquals(1, usageWarnings.get(), "one warning per endpoint");
      assertEquals(server.completionTokens.get(), model.metrics().usage().completionTokens());
    }
  }

  @Test
  void outputCutAtTheLimitIsLengthWhateverTheServerSays() throws Exception {
    // finish_reason "stop", but completion_tokens reached max_tokens.
    try (ScriptedServer server = new ScriptedServer((k, ex) -> ScriptedServer.send(ex, 200,
            "{\"choices\":[{\"index\":0,\"message\":{\"content\":\"cut he\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":" + (k == 1 ? 64 : 59) + "}}"));
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl()).build()) {
      assertEquals(FinishReason.LENGTH, model.complete(List.of(ChatRequest.user("x")), ONE).get(0).get(0).finishReason());
      // 5 prompt + 59 completion = 64: a server counting the prompt in max_tokens.
      assertEquals(FinishReason.LENGTH, model.complete(List.of(ChatRequest.user("x")), ONE).get(0).get(0).finishReason());
    }
  }

  @Test
  void seedsOnTheWireFitInt32() throws Exception {
    FakeOpenAiServer.Config cfg = new FakeOpenAiServer.Config();
    cfg.recordBodies = true;
    cfg.maxN = 1;
    try (FakeOpenAiServer server = FakeOpenAiServer.start(cfg);
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl()).build()) {
      model.complete(List.of(ChatRequest.user("q")),
          SamplingParams.builder().n(3).seed(-5_000_000_000_000L).maxTokens(8).build());
      for (var b : server.bodies()) {
        long s = b.get("seed").asLong();
        assertTrue(b.get("seed").canConvertToInt() && s >= 0, b.toString());
      }
    }
  }

  @Test
  void theSameServerErrorTwiceFailsAtOnce() throws Exception {
    try (ScriptedServer server = new ScriptedServer((k, ex) -> ScriptedServer.send(ex, 500,
            "{\"error\":\"TypeError: cannot read property of undefined\"}"));
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl()).build()) {
      long t0 = System.nanoTime();
      ModelException e = assertThrows(ModelException.class,
          () -> model.complete(List.of(ChatRequest.user("x")), ONE));
      assertEquals(2, server.requests(), "one retry, then the repeat is recognised");
      assertTrue(e.getMessage().contains("the same answer twice"), e.getMessage());
      assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "default retry policy, no long rests");
      assertEquals(0, model.metrics().endpoints().get(0).rests());
    }
  }

  @Test
  void varyingServerErrorsAndOverloadAreStillRetried() throws Exception {
    try (ScriptedServer server = new ScriptedServer((k, ex) -> {
          if (k <= 2) {
            ScriptedServer.send(ex, 503, "{\"error\":\"overloaded\"}");
          } else if (k <= 4) {
            ScriptedServer.send(ex, 500, "{\"error\":\"worker " + k + " died\"}");
          } else {
            ScriptedServer.ok(ex, "fine");
          }
        });
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl())
            .retryPolicy(OpenAiLanguageModelTest.fastRetries(6))
            .healthPolicy(new HealthPolicy(100, Duration.ofMillis(1), Duration.ofMillis(1))).build()) {
      assertEquals("fine", model.complete(List.of(ChatRequest.user("x")), ONE).get(0).get(0).text());
      assertEquals(5, server.requests());
    }
  }

  @Test
  void aServerMountedAtTheRootIsReachedWithAnExplicitSlash() throws Exception {
    try (QuirkyServer server = new QuirkyServer(new QuirkyServer.Quirks(
            false, false, 0, false, false, false, false, true));
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl()).build()) {
      assertEquals(server.baseUrl().replaceAll("/$", ""), model.endpoints().get(0).baseUri().toString());
      model.complete(List.of(ChatRequest.user("x")), ONE);
      assertEquals(1, server.answered.get());
    }
  }

  @Test
  void perEndpointTimeoutAndExtraBody() throws Exception {
    FakeOpenAiServer.Config cfg = new FakeOpenAiServer.Config();
    cfg.recordBodies = true;
    try (FakeOpenAiServer server = FakeOpenAiServer.start(cfg);
        OpenAiLanguageModel model = OpenAiLanguageModel.builder()
            .endpoint(Endpoint.of(server.baseUrl()).withTimeout(Duration.ofSeconds(7))
                .withExtraBody(Map.of("chat_template_kwargs", Map.of("enable_thinking", false))))
            .extraBody("top_k", 5).build()) {
      model.complete(List.of(ChatRequest.user("x")), ONE);
      var body = server.bodies().get(0);
      assertFalse(body.path("chat_template_kwargs").path("enable_thinking").asBoolean(true));
      assertEquals(5, body.path("top_k").asInt());
      assertEquals(Duration.ofSeconds(7), model.endpoints().get(0).timeout().orElseThrow());
    }
  }

  @Test
  void responseBodiesAreBounded() throws Exception {
    // 300 MiB announced and streamed: the client stops at its limit instead of buffering it.
    AtomicInteger written = new AtomicInteger();
    try (ScriptedServer server = new ScriptedServer((k, ex) -> {
          ex.sendResponseHeaders(200, 0); // chunked: no Content-Length to reject up front
          byte[] block = new byte[1 << 16];
          java.util.Arrays.fill(block, (byte) ' ');
          try (OutputStream os = ex.getResponseBody()) {
            os.write("{\"choices\":[],\"pad\":\"".getBytes());
            for (int i = 0; i < 300 * 16; i++) {
              os.write(block);
              written.addAndGet(block.length);
            }
          } catch (java.io.IOException clientGone) {
            // expected: the client hung up
          }
        });
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl())
            .maxResponseBytes(1 << 20).build()) {
      ModelException e = assertThrows(ModelException.class,
          () -> model.complete(List.of(ChatRequest.user("x")), ONE));
      assertTrue(e.getMessage().contains("maxResponseBytes"), e.getMessage());
      assertEquals(1, server.requests(), "not retried");
      assertEquals(1, model.metrics().total().failures(FailureKind.TOO_LARGE));
    }
    assertTrue(written.get() < 300 << 20, "the server could not send it all: " + written.get());
    assertThrows(IllegalArgumentException.class, () -> OpenAiLanguageModel.builder().maxResponseBytes(10));
  }

  @Test
  void retryAfterFarInTheFutureIsCapped() {
    Duration d = OpenAiLanguageModel.retryAfter(java.net.http.HttpHeaders.of(
        Map.of("Retry-After", List.of("Fri, 31 Dec 9999 23:59:59 GMT")), (a, b) -> true));
    assertEquals(RetryRules.MAX_SERVER_WAIT, d);
    Duration huge = OpenAiLanguageModel.retryAfter(java.net.http.HttpHeaders.of(
        Map.of("retry-after-ms", List.of("1e300")), (a, b) -> true));
    assertEquals(RetryRules.MAX_SERVER_WAIT, huge);
    assertEquals(Duration.ofSeconds(60), RetryPolicy.defaults().delay(1, 0.5, d));
    assertEquals(Duration.ofSeconds(60), RetryPolicy.defaults().delay(1, 0.5, Duration.ofSeconds(Long.MAX_VALUE)));
  }

  @Test
  void credentialsInEndpointUrlsAreRefusedWithoutEchoingThem() {
    for (String url : List.of("http://alice:s3cr3tPw@gpu-1:8000/v1", "https://tok3nV4lue@host/v1",
        "http://alice:s3cr3tPw@gpu 1:8000/v1")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Endpoint.of(url));
      assertFalse(e.getMessage().contains("s3cr3tPw") || e.getMessage().contains("tok3nV4lue"), e.getMessage());
      assertFalse(e.getCause() != null && String.valueOf(e.getCause().getMessage()).contains("s3cr3t"));
      assertTrue(e.getMessage().contains("****@"), e.getMessage());
    }
  }

  @Test
  void apiKeysWithInvisibleOrControlCharactersAreRefusedWithoutPrintingThem() {
    for (String key : List.of("sk-abc\ndef123", "sk-abc\u200Bdef123", "sk-abc\u0007def123",
        "sk-abc def123", "sk-abc\u00e9def123", "sk-abc\uFEFFdef123")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ApiKey.of(key));
      assertFalse(e.getMessage().contains("abc") || e.getMessage().contains("def123"), e.getMessage());
      assertTrue(e.getMessage().contains("position 7"), e.getMessage());
      ConfigException c = assertThrows(ConfigException.class,
          () -> ApiKey.fromEnvironment("KEY", v -> key));
      assertFalse(c.getMessage().contains("def123"), c.getMessage());
      assertTrue(c.getMessage().contains("KEY"), c.getMessage());
    }
    assertEquals("ApiKey[****, from configuration]", ApiKey.of("  sk-fine_Key-123\n").toString());
  }
}
