package dev.sparq.openai;

import dev.sparq.testkit.openai.FakeOpenAiServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.llm.SamplingParams;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendsExampleTest {

  @Test
  void theSnippetInTheDocsIsThisCode() throws Exception {
    java.nio.file.Path here = java.nio.file.Path.of("").toAbsolutePath();
    java.nio.file.Path root = here;
    while (root != null && !java.nio.file.Files.exists(root.resolve("src-docs"))) {
      root = root.getParent();
    }
    if (root == null) {
      throw new IllegalStateException("src-docs not found above " + here);
    }
    String source = java.nio.file.Files.readString(
        root.resolve("sparq-openai/src/test/java/dev/sparq/openai/BackendsExample.java"));
    String doc = java.nio.file.Files.readString(root.resolve("src-docs/backends.md"));
    for (String name : List.of("openai-pool", "openai-usage")) {
      String body = source.split("// snippet:" + name + "\\n")[1].split("\\s*// end:" + name)[0];
      String dedented = body.lines().map(l -> l.startsWith("  ") ? l.substring(2) : l)
          .collect(java.util.stream.Collectors.joining("\n"));
      assertTrue(dedented.length() > 200 && doc.contains(dedented), "backends.md lacks:\n" + dedented);
    }
  }

  @Test
  void theUsageReporterPrintsTheModelsTokens() throws Exception {
    try (FakeOpenAiServer server = FakeOpenAiServer.start();
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl()).build()) {
      List<List<dev.sparq.core.llm.Completion>> out = model.complete(
          OpenAiLanguageModelTest.requests("u", 3), SamplingParams.builder().seed(1).maxTokens(64).build());
      long completion = out.stream().flatMap(List::stream)
          .mapToLong(dev.sparq.core.llm.Completion::completionTokens).sum();
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      java.io.PrintStream ps = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
      BackendsExample.usageReporter(model, ps)
          .onIteration(new dev.sparq.core.engine.IterationEvent(4, null, null, 3, 3, 1, 3, 0));
      assertEquals("iteration 4: 6 prompt + " + completion + " completion tokens, 0 retries\n",
          bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @Test
  void theDocumentedPoolServesFromAllThreeServers() throws Exception {
    FakeOpenAiServer.Config llamaCpp = new FakeOpenAiServer.Config();
    llamaCpp.maxN = 1;
    llamaCpp.recordBodies = true;
    try (FakeOpenAiServer vllm = FakeOpenAiServer.start();
        FakeOpenAiServer sglang = FakeOpenAiServer.start();
        FakeOpenAiServer cpp = FakeOpenAiServer.start(llamaCpp);
        OpenAiLanguageModel model = BackendsExample.pool(vllm.baseUrl(), sglang.baseUrl(), cpp.baseUrl())) {
      assertEquals(64 + 128 + 4, model.maxInFlight());
      SamplingParams p = SamplingParams.builder().n(4).seed(11).maxTokens(64).build();
      OpenAiLanguageModelTest.assertAnswers("d", 11, 4,
          model.complete(OpenAiLanguageModelTest.requests("d", 60), p), 60);
      assertTrue(vllm.answered() > 0 && sglang.answered() > 0 && cpp.answered() > 0,
          vllm.answered() + " " + sglang.answered() + " " + cpp.answered());
      assertEquals(0, cpp.refusedN());
      cpp.bodies().forEach(b -> assertEquals(1, b.get("n").asInt()));
      assertEquals(List.of(NSupport.AUTO, NSupport.AUTO, NSupport.FAN_OUT),
          List.of(model.nSupport(0), model.nSupport(1), model.nSupport(2)));
    }
  }
}
