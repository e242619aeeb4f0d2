package dev.sparq.openai;

import dev.sparq.testkit.openai.FakeOpenAiServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.llm.ChatMessage;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.FinishReason;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.llm.TokenUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OpenAiLanguageModelTest {

  static RetryPolicy fastRetries(int attempts) {
    return new RetryPolicy(attempts, Duration.ofMillis(2), Duration.ofMillis(20), 2.0, 0.5,
        Duration.ofSeconds(2));
  }

  static List<ChatRequest> requests(String prefix, int count) {
    List<ChatRequest> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(ChatRequest.of("You write problems.", prefix + "-" + i + " please"));
    }
    return out;
  }

  /**
   * What the fake server answers for request {@code i}, sample {@code j} of {@code n}, with seed
   * {@code seed} (each sample of each request gets its own seed).
   */
  static String expected(String prefix, int i, long seed, int n, int j) {
    return FakeOpenAiServer.answer(prefix + "-" + i + " please", Long.toString(seed + (long) i * n + j));
  }

  static void assertAnswers(String prefix, long seed, int n, List<List<Completion>> out, int count) {
    assertEquals(count, out.size());
    for (int i = 0; i < count; i++) {
      assertEquals(n, out.get(i).size(), "completions of request " + i);
      for (int j = 0; j < n; j++) {
        assertEquals(expected(prefix, i, seed, n, j), out.get(i).get(j).text(), "request " + i + " sample " + j);
      }
    }
  }

  @Test
  void equalPromptsInOneBatchGetTheirOwnSeeds() throws Exception {
    // a parent drawn twice in a generation batch sends the same prompt twice; a seeded server
    // (vLLM with a per-request seed) must not be asked for the same sample twice
    try (FakeOpenAiServer server = FakeOpenAiServer.start();
        OpenAiLanguageModel model = OpenAiLanguageModel.builder()
            .endpoint(server.baseUrl()).model("m").retryPolicy(fastRetries(3)).build()) {
      ChatRequest same = ChatRequest.of("You write problems.", "the same parent");
      List<List<Completion>> out = model.complete(List.of(same, same, same, same),
          SamplingParams.builder().n(2).seed(40).maxTokens(64).build());
      java.util.Set<String> texts = new java.util.HashSet<>();
      for (List<Completion> row : out) {
        for (Completion c : row) {
          texts.add(c.text());
        }
      }
      assertEquals(8, texts.size(), "eight samples, eight seeds: " + texts);
      // and the seeds are a pure function of (seed, request, sample): the same call repeats
      assertEquals(out, model.complete(List.of(same, same, same, same),
          SamplingParams.builder().n(2).seed(40).maxTokens(64).build()));
    }
  }

  @Test
  void chatRoundTripKeepsOrderAndCountsTokens() throws Exception {
    try (FakeOpenAiServer server = FakeOpenAiServer.start();
        OpenAiLanguageModel model = OpenAiLanguageModel.builder()
            .endpoint(server.baseUrl()).model("m").retryPolicy(fastRetries(3)).build()) {
      SamplingParams p = SamplingParams.builder().n(3).seed(100).maxTokens(64).build();
      List<List<Completion>> out = model.complete(requests("q", 20), p);
      assertAnswers("q", 100, 3, out, 20);
      long completionSum = 0;
      for (List<Completion> row : out) {
        for (Completion c : row) {
          // "q-i please" is two words.
          assertEquals(2, c.promptTokens());
          assertEquals(c.text().split(" ").length, c.completionTokens(), c.text());
          assertEquals(FinishReason.STOP, c.finishReason());
          completionSum += c.completionTokens();
        }
      }
      OpenAiMetrics m = model.metrics();
      assertEquals(20, m.total().responses());
      assertEquals(20, m.total().attempts());
      assertEquals(0, m.retries());
      assertEquals(completionSum, m.usage().completionTokens());
      assertEquals(2L * 20, m.usage().promptTokens());
      assertEquals(1, m.endpoints().size());
      assertEquals(m.total().usage(), m.endpoints().get(0).usage());
      assertEquals(new TokenUsage(2L * 20, completionSum), model.tokenUsage());
    }
  }

  @Test
  void samplingParametersAreMappedToTheBody() throws Exception {
    FakeOpenAiServer.Config cfg = new FakeOpenAiServer.Config();
    cfg.recordBodies = true;
    try (FakeOpenAiServer server = FakeOpenAiServer.start(cfg);
        OpenAiLanguageModel model = OpenAiLanguageModel.builder()
            .endpoint(server.baseUrl()).model("my-model")
            .extraBody("stop_token_ids", List.of(7, 8))
            .build()) {
      SamplingParams p = SamplingParams.builder().n(2).temperature(0.7).topP(0.9).topK(20)
          .minP(0.05).repetitionPenalty(1.1).seed(5).maxTokens(2).stop("never-there").build();
      List<List<Completion>> out = model.complete(List.of(ChatRequest.of(
          ChatMessage.system("sys"), ChatMessage.user("hello world"))), p);
      JsonNode body = server.bodies().get(0);
      assertEquals("my-model", body.get("model").asText());
      assertEquals(2, body.get("n").asInt());
      assertEquals(0.7, body.get("temperature").asDouble());
      assertEquals(0.9, body.get("top_p").asDouble());
      assertEquals(20, body.get("top_k").asInt());
      assertEquals(0.05, body.get("min_p").asDouble());
      assertEquals(1.1, body.get("repetition_penalty").asDouble());
      assertEquals(5, body.get("seed").asLong());
      assertEquals(2, body.get("max_tokens").asInt());
      assertEquals("never-there", body.get("stop").get(0).asText());
      assertEquals("[7,8]", body.get("stop_token_ids").toString());
      assertEquals("system", body.get("messages").get(0).get("role").asText());
      assertEquals("sys", body.get("messages").get(0).get("content").asText());
      assertEquals("user", body.get("messages").get(1).get("role").asText());
      // max_tokens=2 cuts the answer after two words.
      for (Completion c : out.get(0)) {
        assertEquals(FinishReason.LENGTH, c.finishReason());
        assertTrue(c.truncated());
        assertEquals(2, c.text().split(" ").length);
        assertEquals(2, c.completionTokens());
      }
    }
  }

  @Test
  void neutralAndUnsetParametersAreNotSent() throws Exception {
    FakeOpenAiServer.Config cfg = new FakeOpenAiServer.Config();
    cfg.recordBodies = true;
    try (FakeOpenAiServer server = FakeOpenAiServer.start(cfg);
        OpenAiLanguageModel plain = OpenAiLanguageModel.builder().endpoint(server.baseUrl()).build();
        OpenAiLanguageModel noExtras = OpenAiLanguageModel.builder().endpoint(server.baseUrl())
            .samplingExtras(false).build()) {
      plain.complete(List.of(ChatRequest.user("a")), SamplingParams.defaults());
      noExtras.complete(List.of(ChatRequest.user("b")),
          SamplingParams.builder().topK(5).minP(0.1).repetitionPenalty(1.2).build());
      for (JsonNode body : server.bodies()) {
        for (String absent : List.of("model", "seed", "stop", "top_k", "min_p", "repetition_penalty")) {
          assertFalse(body.has(absent), absent + " in " + body);
        }
        assertEquals(16, body.get("max_tokens").asInt());
        assertEquals(1, body.get("n").asInt());
      }
      assertEquals(2, server.bodies().size());
    }
  }

  @Test
  void rawPromptCompletionsUseTheFormatter() throws Exception {
    FakeOpenAiServer.Config cfg = new FakeOpenAiServer.Config();
    cfg.recordBodies = true;
    try (FakeOpenAiServer server = FakeOpenAiServer.start(cfg);
        OpenAiLanguageModel model = OpenAiLanguageModel.builder()
            .endpoint(server.baseUrl()).api(Api.COMPLETIONS)
            .promptFormatter(r -> "<s>" + r.messages().get(r.messages().size() - 1).content())
            .build()) {
      List<List<Completion>> out = model.complete(
          List.of(ChatRequest.user("x1"), ChatRequest.user("x2")),
          SamplingParams.builder().n(2).seed(9).maxTokens(50).build());
      assertEquals(List.of("<s>x1", "<s>x2"),
          server.bodies().stream().map(b -> b.get("prompt").asText()).sorted().toList());
      assertFalse(server.bodies().get(0).has("messages"));
      // request 1, sample 1 of 2: seed 9 + 1 * 2 + 1
      assertEquals(FakeOpenAiServer.answer("<s>x2", "12"), out.get(1).get(1).text());
      assertEquals(FakeOpenAiServer.answer("<s>x1", "9"), out.get(0).get(0).text());
    }
  }

  @Test
  void refusedNIsLearnedAndFannedOutWithTheSameResults() throws Exception {
    FakeOpenAiServer.Config llamaCpp = new FakeOpenAiServer.Config();
    llamaCpp.maxN = 1;
    AtomicInteger learned = new AtomicInteger();
    try (FakeOpenAiServer server = FakeOpenAiServer.start(llamaCpp);
        OpenAiLanguageModel model = OpenAiLanguageModel.builder()
            .endpoint(server.baseUrl()).retryPolicy(fastRetries(2))
            .listener(new OpenAiListener() {
              @Override
              public void onFanOutLearned(String endpoint) {
                learned.incrementAndGet();
              }
            })
            .build()) {
      assertEquals(NSupport.AUTO, model.nSupport(0));
      SamplingParams p = SamplingParams.builder().n(4).seed(50).maxTokens(64).build();
      assertAnswers("f", 50, 4, model.complete(requests("f", 10), p), 10);
      assertEquals(NSupport.FAN_OUT, model.nSupport(0));
      assertEquals(1, learned.get());
      int refusedAfterFirst = server.refusedN();
      // n=4 is halved to 2, then 1: at most two refusals for each of the 10 concurrent requests.
      assertTrue(refusedAfterFirst >= 1 && refusedAfterFirst <= 20, "refused " + refusedAfterFirst);
      // Learned: the second call never sends n > 1.
      assertAnswers("g", 50, 4, model.complete(requests("g", 10), p), 10);
      assertEquals(refusedAfterFirst, server.refusedN());
      // A refused n is neither a failure nor a retry.
      assertEquals(0, model.metrics().retries());
      assertEquals(0, model.metrics().total().totalFailures());
      for (Map.Entry<String, Integer> e : server.answersBySample().entrySet()) {
        assertEquals(1, e.getValue(), e.getKey());
      }
      assertEquals(80, server.answersBySample().size());
    }
  }

  @Test
  void fewerChoicesThanAskedAreCompletedOneByOne() throws Exception {
    FakeOpenAiServer.Config ollama = new FakeOpenAiServer.Config();
    ollama.maxN = 1;
    ollama.ignoreN = true;
    try (FakeOpenAiServer server = FakeOpenAiServer.start(ollama);
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl()).build()) {
      SamplingParams p = SamplingParams.builder().n(3).seed(7).maxTokens(64).build();
      assertAnswers("o", 7, 3, model.complete(requests("o", 5), p), 5);
      assertEquals(NSupport.FAN_OUT, model.nSupport(0));
      assertEquals(15, server.answersBySample().size());
      server.answersBySample().values().forEach(v -> assertEquals(1, v));
    }
  }

  @Test
  void configuredFanOutNeverSendsNAboveOne() throws Exception {
    FakeOpenAiServer.Config cfg = new FakeOpenAiServer.Config();
    cfg.recordBodies = true;
    try (FakeOpenAiServer server = FakeOpenAiServer.start(cfg);
        OpenAiLanguageModel model = OpenAiLanguageModel.builder()
            .endpoint(Endpoint.of(server.baseUrl()).withNSupport(NSupport.FAN_OUT)).build()) {
      SamplingParams p = SamplingParams.builder().n(3).seed(1).maxTokens(64).build();
      assertAnswers("c", 1, 3, model.complete(requests("c", 4), p), 4);
      assertEquals(12, server.bodies().size());
      server.bodies().forEach(b -> assertEquals(1, b.get("n").asInt()));
    }
  }

  @Test
  void everyRequestSurvivesInjectedFaultsInOrderWithoutLossOrDuplicates() throws Exception {
    FakeOpenAiServer.Config cfg = new FakeOpenAiServer.Config();
    cfg.faultRate = 0.2;
    cfg.faultSeed = 42;
    cfg.maxFaultsInRow = 3;
    // The timeout is generous so that only injected slow answers exceed it, even on a busy
    // machine (1 s was exceeded by ordinary answers on a starved 2-core machine): an ordinary
    // answer that timed out would be answered twice.
    cfg.slowDelay = Duration.ofMillis(2800);
    cfg.retryAfterMs = 10;
    List<RetryEvent> retries = new CopyOnWriteArrayList<>();
    try (FakeOpenAiServer a = FakeOpenAiServer.start(cfg);
        FakeOpenAiServer b = FakeOpenAiServer.start(cfg);
        OpenAiLanguageModel model = OpenAiLanguageModel.builder()
            .endpoint(a.baseUrl()).endpoint(b.baseUrl())
            .maxConcurrencyPerEndpoint(16)
            .requestTimeout(Duration.ofMillis(2500))
            .retryPolicy(fastRetries(8))
            .healthPolicy(new HealthPolicy(4, Duration.ofMillis(20), Duration.ofMillis(100)))
            .listener(new OpenAiListener() {
              @Override
              public void onRetry(RetryEvent event) {
                retries.add(event);
              }
            })
            .build()) {
      SamplingParams p = SamplingParams.builder().n(2).seed(1000).maxTokens(64).build();
      int count = 300;
      List<List<Completion>> out = model.complete(requests("r", count), p);
      assertAnswers("r", 1000, 2, out, count);

      Map<FakeOpenAiServer.Fault, Integer> faults = new java.util.EnumMap<>(a.faults());
      b.faults().forEach((k, v) -> faults.merge(k, v, Integer::sum));
      for (FakeOpenAiServer.Fault f : FakeOpenAiServer.Fault.values()) {
        assertTrue(faults.getOrDefault(f, 0) > 0, "no " + f + " injected: " + faults);
      }
      int injected = a.totalFaults() + b.totalFaults();
      OpenAiMetrics m = model.metrics();
      EndpointStats t = m.total();
      // Timeouts beyond the injected slow answers: an attempt took longer than the timeout (only on
      // a badly overloaded machine). It is then seen as a timeout, not as what the server did.
      long spurious = t.failures(FailureKind.TIMEOUT) - faults.get(FakeOpenAiServer.Fault.SLOW);
      assertTrue(spurious >= 0 && spurious <= 3, "timeouts not explained by injected faults: " + spurious);

      // Each injected fault is seen by the client as exactly one failed, retried attempt of its
      // kind, unless that attempt was one of the spurious timeouts.
      long lost = 0;
      Map<FakeOpenAiServer.Fault, FailureKind> kinds = Map.of(
          FakeOpenAiServer.Fault.ERROR_500, FailureKind.SERVER_ERROR,
          FakeOpenAiServer.Fault.RATE_LIMITED, FailureKind.RATE_LIMITED,
          FakeOpenAiServer.Fault.MALFORMED, FailureKind.MALFORMED,
          FakeOpenAiServer.Fault.RESET, FailureKind.CONNECTION);
      for (Map.Entry<FakeOpenAiServer.Fault, FailureKind> k : kinds.entrySet()) {
        long seen = t.failures(k.getValue());
        long made = faults.get(k.getKey());
        assertTrue(seen <= made, k + ": " + seen + " failures seen, " + made + " injected");
        lost += made - seen;
      }
      assertTrue(lost <= spurious, lost + " injected faults seen as timeouts, " + spurious + " spurious");
      // Ordinary answers that timed out: their call was sent again.
      long ordinary = spurious - lost;

      // The servers together answered each sample exactly once (plus the ordinary timeouts).
      Map<String, Integer> answers = new java.util.TreeMap<>(a.answersBySample());
      b.answersBySample().forEach((k, v) -> answers.merge(k, v, Integer::sum));
      assertEquals(count * 2, answers.size());
      long duplicates = 0;
      for (Map.Entry<String, Integer> e : answers.entrySet()) {
        assertTrue(e.getValue() >= 1, "no answer for " + e.getKey());
        duplicates += e.getValue() - 1;
      }
      assertTrue(duplicates <= 2 * ordinary, duplicates + " duplicate answers, " + ordinary + " ordinary timeouts");

      assertEquals(injected + ordinary, m.retries());
      assertEquals(injected + ordinary, retries.size());
      assertEquals(count, t.responses());
      assertEquals(count + injected + ordinary, t.attempts());
      // An attempt the client gave up on may reach the server's handler only later.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (a.requests() + b.requests() < t.attempts() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(a.requests() + b.requests(), t.attempts());
      assertEquals(0, t.inFlight());
      // Tokens: per endpoint sums make the total, and the completions carry all of them.
      long fromCompletions = out.stream().flatMap(List::stream).mapToLong(Completion::completionTokens).sum();
      assertEquals(fromCompletions, t.completionTokens());
      assertEquals(t.completionTokens(),
          m.endpoints().get(0).completionTokens() + m.endpoints().get(1).completionTokens());
      // Rate-limited retries waited at least what the server asked for (10 ms).
      retries.stream().filter(e -> e.kind() == FailureKind.RATE_LIMITED)
          .forEach(e -> assertTrue(e.delay().toMillis() >= 10, e.toString()));
    }
  }
}
