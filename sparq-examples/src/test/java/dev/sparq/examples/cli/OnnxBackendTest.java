package dev.sparq.examples.cli;

import static dev.sparq.examples.cli.CliTestSupport.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.onnx.testing.TinyDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sparq run} with {@code backend: onnx} on a tiny random decoder written to disk: the model
 * loads in-process and labels the seed set. Its replies are noise, so no seed gets a skill set and
 * the run must stop with a clear configuration error (exit status 2), leaving no run directory.
 */
class OnnxBackendTest {
  @TempDir
  Path tmp;

  @Test
  void loadsAnOnnxModelDirectoryAndReportsUnusableRepliesClearly() throws IOException {
    Path model = new TinyDecoder(new TinyDecoder.Spec(32, 2, 4, 64, 2048, 42, false)).writeTo(tmp.resolve("model"));
    StringBuilder seeds = new StringBuilder();
    for (int i = 1; i <= 6; i++) {
      seeds.append("{\"problem\": \"What is ").append(i).append(" + 1?\", \"answer\": \"").append(i + 1)
          .append("\"}\n");
    }
    Files.writeString(tmp.resolve("seeds.jsonl"), seeds);
    Path cfg = tmp.resolve("run.yaml");
    Files.writeString(cfg, """
        backend: {type: onnx, model: "%s", device: cpu, maxTokens: 12}
        seeds: {format: jsonl, path: seeds.jsonl}
        k: 2
        batchSize: 4
        budget: {iterations: 1}
        output: run
        """.formatted(model.toString().replace("\\", "/")));
    CliTestSupport.Result r = sparq("run", "--config", cfg.toString(), "--progress", "none");
    assertEquals(2, r.status(), r.out() + r.err());
    assertTrue(r.err().contains("the working set is empty: no seed problem could be described (6 seeds given)"),
        r.err());
    assertTrue(!Files.exists(tmp.resolve("run")), "a failed start leaves no run directory");
  }
}
