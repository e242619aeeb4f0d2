package dev.sparq.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.internal.Json;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.onnx.testing.TinyDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What run.json and the report record about what actually ran: backend, model, endpoints and, for
 * onnx, the device requested and the one used (this build of ONNX Runtime has no CUDA provider, so
 * {@code device: cuda} runs on the CPU and must be recorded as such).
 */
class RuntimeRecordTest {
  @TempDir
  Path tmp;

  @Test
  void onnxAskedForCudaRecordsThatItRanOnTheCpu() throws IOException {
    Path model = new TinyDecoder(new TinyDecoder.Spec(32, 2, 4, 64, 2048, 42, false)).writeTo(tmp.resolve("model"));
    Files.writeString(tmp.resolve("seeds.jsonl"), "{\"problem\": \"What is 1 + 1?\", \"answer\": \"2\"}\n");
    Path cfg = tmp.resolve("run.yaml");
    Files.writeString(cfg, """
        backend: {type: onnx, model: "%s", device: cuda, maxTokens: 4}
        seeds: {format: jsonl, path: seeds.jsonl}
        budget: {iterations: 1}
        output: run
        """.formatted(model.toString().replace("\\", "/")));
    RunConfig config = RunConfig.load(cfg);
    JsonNode runtime;
    try (LanguageModel m = OnnxBackend.open((RunConfig.Backend.Onnx) config.backend(), 1)) {
      assertEquals("CPUExecutionProvider", OnnxBackend.executionProvider(m));
      runtime = Components.runtime(config, java.util.Map.of("generator", m, "solver", m, "labeller", m));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    RunDirectory dir = RunDirectory.create(config.withOutput(tmp.resolve("run")), false);
    dir.recordRuntime(runtime);
    JsonNode used = Json.mapper().readTree(dir.file("run.json").toFile()).path("runtime").path("models").get(0);
    assertEquals("onnx", used.path("backend").asText(), used.toString());
    assertEquals(model.toString().replace("\\", "/"), used.path("model").asText());
    assertEquals("cuda", used.path("requestedDevice").asText());
    assertEquals("CPU", used.path("device").asText());
    assertEquals("CPUExecutionProvider", used.path("executionProvider").asText());
    assertEquals("onnx", RunDirectory.open(dir.root()).runtime().orElseThrow()
        .path("models").get(0).path("backend").asText(), "reopened run directory reads it back");
    String table = HtmlReport.runtimeTable(dir);
    assertTrue(table.contains("<td class=\"backend\">onnx</td>"), table);
    assertTrue(table.contains("<td class=\"device\">CPU (requested cuda), CPUExecutionProvider</td>"), table);
    assertTrue(table.contains("<code>" + HtmlReport.escape(model.toString().replace("\\", "/")) + "</code>"), table);
  }

  @Test
  void oldRunJsonWithoutTheRecordStillOpensAndTheReportSaysSo() throws IOException {
    RunConfig config = demo(tmp.resolve("old"));
    RunDirectory dir = RunDirectory.create(config, false);
    assertTrue(dir.runtime().isEmpty(), "a run.json without 'runtime' has none");
    assertTrue(RunDirectory.open(dir.root()).runtime().isEmpty());
    assertTrue(HtmlReport.runtimeTable(dir).contains("not recorded"));
  }

  @Test
  void endpointsAreRecordedWithoutUserInformationQueryOrFragment() {
    assertEquals("http://host:8000/v1", Components.withoutCredentials("http://user:secret@host:8000/v1?key=k#f"));
    assertEquals("https://[::1]:9/v1", Components.withoutCredentials("https://u:p@[::1]:9/v1"));
    assertEquals("http://127.0.0.1:8000/v1", Components.withoutCredentials("http://127.0.0.1:8000/v1"));
    RunConfig c = new RunConfig(new RunConfig.Backend.OpenAi(
        List.of(RunConfig.EndpointConfig.of("http://user:secret@h:1/v1"), RunConfig.EndpointConfig.of("http://h:2/v1")),
        "m", "KEY_VAR", 0.7, 64), demo(tmp).seeds(), demo(tmp).preset(),
        demo(tmp).archive(), 4, 2, 0.1, 0.9, 4, demo(tmp).budget(), tmp, 1, 1, 1);
    ObjectNode r = Components.runtime(c, java.util.Map.of());
    assertEquals("[\"http://h:1/v1\",\"http://h:2/v1\"]", r.path("models").get(0).path("endpoints").toString());
    assertFalse(r.toString().contains("secret"), r.toString());
    assertFalse(r.toString().contains("KEY_VAR"), r.toString());
  }

  private static RunConfig demo(Path out) {
    return RunConfig.demo(out, dev.sparq.core.engine.Variant.STATIC_UNIFORM, RunConfig.ArchiveKind.SKILLS,
        1, 1, 2, 4, 8);
  }
}
