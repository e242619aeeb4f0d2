package dev.sparq.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.DiversityDescriptor;
import dev.sparq.core.stage.StageContext;
import dev.sparq.onnx.embed.EmbeddingDescriptor;
import dev.sparq.onnx.embed.EmbeddingProjection;
import dev.sparq.onnx.embed.TextEmbedder;
import dev.sparq.openai.OpenAiLanguageModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descriptor.type: embedding} and {@code both} through the command line's stages
 * ({@link Components#open} and {@link Runner}), with a deterministic stand-in embedder: the region
 * descriptor's projection and centres are checkpointed, so a resume whose seeds or embedder outputs
 * differ from the first start still places every problem as the uninterrupted run did. Opening the
 * stages embeds the seeds once at a start (it was twice: the fit and the k-means each embedded them)
 * and not at all for a resume; the engine then describes the seeds as it always did.
 */
class EmbeddingResumeTest {
  static FakeMathServer server;
  @TempDir
  Path tmp;

  @BeforeAll
  static void start() throws IOException {
    server = new FakeMathServer();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /**
   * 8 dimensions from character counts; texts in {@code shifted} get a large offset on one
   * dimension (another ONNX Runtime, another model file: the seeds embed differently). Counts the
   * texts it embeds that are seeds.
   */
  static final class Embedder implements TextEmbedder {
    final Set<String> seeds;
    final Set<String> shifted;
    final AtomicLong seedTexts = new AtomicLong();
    final AtomicLong texts = new AtomicLong();

    Embedder(Set<String> seeds, Set<String> shifted) {
      this.seeds = seeds;
      this.shifted = shifted;
    }

    @Override
    public float[][] embed(List<String> texts) {
      float[][] out = new float[texts.size()][8];
      for (int i = 0; i < texts.size(); i++) {
        String t = texts.get(i);
        this.texts.incrementAndGet();
        for (int j = 0; j < t.length(); j++) {
          out[i][(t.charAt(j) * 7 + j) % 8] += 1;
        }
        if (seeds.contains(t)) {
          seedTexts.incrementAndGet();
        }
        if (shifted.contains(t)) {
          out[i][t.length() % 8] += 9 + t.length() % 5;
        }
      }
      return out;
    }

    @Override
    public int dimension() {
      return 8;
    }
  }

  private LanguageModel open(RunConfig.Backend.ModelBackend b, long seed) {
    return OpenAiLanguageModel.builder().model(b.model()).endpoint(server.baseUrl()).build();
  }

  private static final String BASE = """
      backend: {type: openai, model: fake-math, endpoints: [URL], maxTokens: 256}
      seeds: {format: jsonl, path: seeds.jsonl}
      preset: dynamic_diverse
      archive: {capacity: 2}
      batchSize: 8
      k: 8
      seed: 5
      checkpointEvery: 1
      """;

  private RunConfig config(String descriptor, int iterations, String output) throws IOException {
    Path f = tmp.resolve(output + ".yaml");
    Files.writeString(f, BASE.replace("URL", server.baseUrl()) + descriptor
        + "budget: {iterations: " + iterations + "}\noutput: " + output + "\n");
    return RunConfig.load(f);
  }

  private static Set<String> statements(List<Problem> problems) {
    return problems.stream().map(Problem::statement).collect(Collectors.toSet());
  }

  private static Runner.Result run(RunDirectory dir, Components comp, boolean resume) {
    PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return Runner.run(dir, comp, resume, Progress.Mode.NONE, err, new Runner.Stop());
  }

  /**
   * Runs 4 iterations at once, and 2 then a resume to 4 whose embedder shifts the seeds' embeddings
   * (refitting would give another projection and other centres); both must end with the same
   * checkpoint and log bytes, and the resume must embed no seed.
   */
  private void resumesExactly(String descriptor) throws IOException {
    FakeMathServer.writeAdditionSeeds(tmp.resolve("seeds.jsonl"), 24, 3);
    RunConfig full = config(descriptor, 4, "full");
    Set<String> seeds;
    try (Components comp = Components.open(full, this::open, d -> new Embedder(Set.of(), Set.of()))) {
      seeds = statements(comp.seeds());
    }
    Embedder first = new Embedder(seeds, Set.of());
    RunDirectory fullDir = RunDirectory.create(full.withOutput(tmp.resolve("full")), false);
    try (Components comp = Components.open(full, this::open, d -> first, false)) {
      assertEquals(seeds.size(), first.seedTexts.get(), "a start embeds each seed once");
      assertEquals(seeds.size(), first.texts.get(), "and nothing else before the run");
      run(fullDir, comp, false);
    }

    RunConfig half = config(descriptor, 2, "half");
    RunDirectory halfDir = RunDirectory.create(half.withOutput(tmp.resolve("half")), false);
    try (Components comp = Components.open(half, this::open, d -> new Embedder(seeds, Set.of()), false)) {
      run(halfDir, comp, false);
    }
    RunDirectory resumed = RunDirectory.open(tmp.resolve("half"));
    resumed = resumed.withConfig(resumed.config().withBudget(resumed.config().budget().withIterations(4)));
    Embedder other = new Embedder(seeds, seeds);
    try (Components comp = Components.open(resumed.config(), this::open, d -> other, true)) {
      assertEquals(0, other.texts.get(), "a resume embeds nothing before the run (no seed): the checkpoint"
          + " holds the projection and the centres");
      run(resumed, comp, true);
    }
    for (String f : List.of("checkpoint.json", "log/candidates-000000.jsonl")) {
      assertArrayEquals(Files.readAllBytes(tmp.resolve("full").resolve(f)),
          Files.readAllBytes(tmp.resolve("half").resolve(f)), f);
    }
    String cp = Files.readString(tmp.resolve("full/checkpoint.json"));
    assertTrue(cp.contains("embedding_regions"), "the checkpoint has the region descriptor's slot");
    assertTrue(cp.contains("region:"), "problems were placed in regions");
  }

  @Test
  void embeddingRegionsResumeExactlyWhenTheSeedsEmbedDifferently() throws IOException {
    resumesExactly("descriptor:\n  type: embedding\n  embedding: {model: e, projection: pca, dimensions: 2, cells: 5}\n");
  }

  @Test
  void skillsAndRegionsResumeExactlyWhenTheSeedsEmbedDifferently() throws IOException {
    resumesExactly("descriptor:\n  type: both\n  vocabulary: 3\n"
        + "  embedding: {model: e, projection: random, dimensions: 3, cells: 4}\n");
  }

  /**
   * A resume whose checkpoint has no region state (one written before the regions were
   * checkpointed) or a damaged one fails with an error naming the slot; it never refits silently.
   */
  @Test
  void aResumeWithoutTheRegionsStateFailsNamingTheSlot() throws IOException {
    FakeMathServer.writeAdditionSeeds(tmp.resolve("seeds.jsonl"), 24, 3);
    String descriptor = "descriptor:\n  type: embedding\n  embedding: {model: e, projection: pca, dimensions: 2, cells: 5}\n";
    RunConfig half = config(descriptor, 1, "half");
    RunDirectory dir = RunDirectory.create(half.withOutput(tmp.resolve("half")), false);
    try (Components comp = Components.open(half, this::open, d -> new Embedder(Set.of(), Set.of()), false)) {
      run(dir, comp, false);
    }
    Path cpFile = tmp.resolve("half/checkpoint.json");
    String saved = Files.readString(cpFile);
    com.fasterxml.jackson.databind.node.ObjectNode cp =
        (com.fasterxml.jackson.databind.node.ObjectNode) dev.sparq.core.internal.Json.mapper().readTree(saved);
    com.fasterxml.jackson.databind.node.ObjectNode slots = (com.fasterxml.jackson.databind.node.ObjectNode) cp.get("slots");
    com.fasterxml.jackson.databind.node.ArrayNode centre0 =
        (com.fasterxml.jackson.databind.node.ArrayNode) slots.get("embedding_regions").get("centroids").get(0);
    centre0.set(0, com.fasterxml.jackson.databind.node.TextNode.valueOf("NaN"));
    Files.writeString(cpFile, dev.sparq.core.internal.Json.mapper().writeValueAsString(cp));
    RunDirectory resumed = RunDirectory.open(tmp.resolve("half"));
    RunDirectory more = resumed.withConfig(resumed.config().withBudget(resumed.config().budget().withIterations(2)));
    RuntimeException bad = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> {
      try (Components comp = Components.open(more.config(), this::open, d -> new Embedder(Set.of(), Set.of()), true)) {
        run(more, comp, true);
      }
    });
    assertTrue(bad.getMessage().contains("embedding_regions") && bad.getMessage().contains("finite"), bad.getMessage());

    slots.remove("embedding_regions");
    Files.writeString(cpFile, dev.sparq.core.internal.Json.mapper().writeValueAsString(cp));
    RuntimeException missing = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> {
      try (Components comp = Components.open(more.config(), this::open, d -> new Embedder(Set.of(), Set.of()), true)) {
        run(more, comp, true);
      }
    });
    String m = missing.getMessage() + (missing.getCause() == null ? "" : " / " + missing.getCause().getMessage());
    assertTrue(m.contains("embedding_regions") && m.contains("none was restored"), m);
  }

  /**
   * A new run's regions are those the command line gave before the region descriptor was
   * checkpointed: a projection fitted on the seeds and k-means centres of the seeds' measures, from
   * the same random seed.
   */
  @Test
  void aNewRunsRegionsAreUnchanged() throws IOException {
    FakeMathServer.writeAdditionSeeds(tmp.resolve("seeds.jsonl"), 24, 3);
    for (String projection : List.of("pca", "random")) {
      RunConfig c = config("descriptor:\n  type: embedding\n  embedding: {model: e, projection: " + projection
          + ", dimensions: 3, cells: 6}\n", 1, "new-" + projection);
      Embedder embedder = new Embedder(Set.of(), Set.of());
      try (Components comp = Components.open(c, this::open, d -> embedder)) {
        List<Problem> probe = new ArrayList<>(comp.seeds());
        for (int i = 0; i < 40; i++) {
          probe.add(Problem.of("What is " + (i * 37 % 101) + " + " + (i * i % 53) + "?", "", "1"));
        }
        EmbeddingProjection.Spec spec = projection.equals("pca") ? EmbeddingProjection.Spec.pca(3)
            : EmbeddingProjection.Spec.random(3, c.seed());
        EmbeddingDescriptor ed = EmbeddingDescriptor.fit(embedder, comp.seeds(), spec);
        DiversityDescriptor before = ed.asCellLabel(
            ed.cvtFromSeeds(comp.seeds(), 6, new SplittableRandom(c.seed() ^ 0xCE11L)), "region:");
        StageContext ctx = StageContext.of(new SplittableRandom(1));
        assertEquals(before.describe(probe, ctx).stream().map(o -> o.value().labels()).toList(),
            comp.descriptor().describe(probe, ctx).stream().map(o -> o.value().labels()).toList());
      }
    }
  }
}
