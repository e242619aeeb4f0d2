package dev.sparq.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparq.core.ModelException;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.ReasoningText;
import dev.sparq.core.llm.SamplingParams;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays the request and response shapes of real inference servers (vLLM, SGLang, llama.cpp
 * server, Ollama, LM Studio, TGI), recorded from their documentation and source as JSON under
 * {@code src/test/resources/conformance/} (each file names its source), through the in-process test
 * server, and checks what the client makes of them: texts, finish reasons, token counts, learned
 * {@code n} limits, errors. Reasoning models' replies (thinking in {@code reasoning_content} or
 * {@code reasoning}, or inline in {@code <think>} tags) also name their source per case and say which
 * visible answer a stage may read ({@code answers}; null where the reply ended inside its thinking).
 */
class ConformanceTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final List<String> SERVERS =
      List.of("vllm", "sglang", "llamacpp", "ollama", "lmstudio", "tgi", "deepseek");

  @TestFactory
  Stream<DynamicTest> recordedServerShapes() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (String s : SERVERS) {
      JsonNode file;
      try (InputStream in = ConformanceTest.class.getResourceAsStream("/conformance/" + s + ".json")) {
        file = MAPPER.readTree(in);
      }
      assertTrue(file.path("source").asText().length() > 40, s + " names its source");
      for (JsonNode c : file.path("cases")) {
        if (c.has("source")) {
          assertTrue(c.path("source").asText().startsWith("https://"), s + ": a case's source is a URL");
        }
        tests.add(DynamicTest.dynamicTest(file.path("server").asText() + ": " + c.path("name").asText(),
            () -> replay(c)));
      }
    }
    return tests.stream();
  }

  private static void replay(JsonNode c) throws Exception {
    JsonNode responses = c.path("responses");
    try (ScriptedServer server = new ScriptedServer((k, ex) -> {
          JsonNode r = responses.get(Math.min(k, responses.size()) - 1);
          ScriptedServer.send(ex, r.path("status").asInt(), r.path("body").toString());
        });
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl())
            .model("m").maxInFlight(1).retryPolicy(OpenAiLanguageModelTest.fastRetries(4)).build()) {
      List<String> stop = new ArrayList<>();
      c.path("stop").forEach(x -> stop.add(x.asText()));
      SamplingParams p = SamplingParams.builder().n(c.path("n").asInt(1)).seed(7)
          .maxTokens(c.path("maxTokens").asInt()).stop(stop).build();
      JsonNode expect = c.path("expect");
      List<ChatRequest> rs = List.of(ChatRequest.user("recorded request"));
      if (expect.has("error")) {
        ModelException e = assertThrows(ModelException.class, () -> model.complete(rs, p));
        assertTrue(e.getMessage().contains(expect.path("error").asText()), e.getMessage());
      } else {
        List<Completion> out = model.complete(rs, p).get(0);
        List<String> texts = out.stream().map(Completion::text).toList();
        List<String> finish = out.stream().map(x -> x.finishReason().name()).toList();
        assertEquals(strings(expect.path("texts")), texts);
        assertEquals(strings(expect.path("finish")), finish);
        if (expect.has("answers")) {
          List<String> answers = new ArrayList<>();
          for (Completion x : out) {
            ReasoningText.Split split = ReasoningText.split(x.text());
            answers.add(split.unfinished() ? null : split.answer());
          }
          List<String> expected = new ArrayList<>();
          expect.path("answers").forEach(x -> expected.add(x.isNull() ? null : x.asText()));
          assertEquals(expected, answers);
        }
        OpenAiMetrics m = model.metrics();
        assertEquals(expect.path("promptTokens").asLong(), m.usage().promptTokens());
        assertEquals(expect.path("completionTokens").asLong(), m.usage().completionTokens());
        assertEquals(expect.path("estimated").asBoolean(), m.usageEstimated());
      }
      if (expect.has("requests")) {
        assertEquals(expect.path("requests").asInt(), server.requests());
      }
      if (expect.has("nLimit")) {
        assertEquals(expect.path("nLimit").asInt(), model.nLimit(0));
      }
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(x -> out.add(x.asText()));
    return out;
  }
}
