package dev.sparq.onnx.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.archive.ArchiveStats;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.archive.CvtTessellation;
import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.StageContext;
import dev.sparq.testkit.math.ArithmeticDomain;
import dev.sparq.onnx.OnnxOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code of src-docs/embeddings.md, run: the engine on the simulated arithmetic domain with
 * embedding niches from the real all-MiniLM-L6-v2 in a CVT archive, then the projection restored.
 * The regions between {@code // snippet:NAME} and {@code // end:NAME} must appear verbatim in the
 * guide.
 */
class EmbeddingsGuideTest {
  @Test
  void theGuidesCodeRunsAnEngineWithEmbeddingNiches(@TempDir Path runDir) throws IOException {
    List<Problem> seeds = ArithmeticDomain.seeds(48, new SplittableRandom(3));
    try (OnnxEmbedder embedder = MiniLm.QUANTIZED.open(EmbedderOptions.builder()
        .onnx(OnnxOptions.builder().intraOpThreads(2).build()).build())) {
      // snippet:embedding-cvt
      EmbeddingDescriptor descriptor = EmbeddingDescriptor.fit(embedder, seeds,
          EmbeddingProjection.Spec.pca(4));
      CvtTessellation cells = descriptor.cvt(64, 10_000, new SplittableRandom(7));
      CellArchive archive = CellArchive.builder().tessellation(cells).capacity(4).build();
      descriptor.projection().save(runDir.resolve("projection.json"));

      try (Sparq sparq = Sparq.builder()
          .generator(ArithmeticDomain.generator())
          .solver(ArithmeticDomain.solver(0.15))
          .estimator(ArithmeticDomain.estimator(16, 0.1, 0.9))
          .descriptor(descriptor)
          .archive(archive)
          .seedProblems(seeds)
          .batchSize(16)
          .budget(Budget.iterations(3))
          .randomSeed(7)
          .build()) {
        sparq.run();
        ArchiveStats stats = sparq.archive().stats();
      // end:embedding-cvt
        System.out.printf("embedding niches: %d members in %d of %d CVT cells (coverage %.1f%%)%n",
            stats.members(), stats.occupiedCells(), stats.cells(), 100 * stats.coverage());
        assertTrue(stats.members() > 0);
        assertTrue(stats.occupiedCells() >= 4, "occupied " + stats.occupiedCells());
        assertEquals(64, stats.cells());
      }

      // snippet:embedding-restore
      EmbeddingProjection saved = EmbeddingProjection.load(runDir.resolve("projection.json"));
      EmbeddingDescriptor restored = new EmbeddingDescriptor(embedder, saved);
      // end:embedding-restore
      StageContext ctx = StageContext.of(new SplittableRandom(1));
      assertEquals(descriptor.describe(seeds, ctx), restored.describe(seeds, ctx));
    }
  }

  @Test
  void theGuideShowsTheseSnippetsVerbatim() throws IOException {
    Path module = Path.of("").toAbsolutePath();
    Path guide = module.resolveSibling("src-docs").resolve("embeddings.md");
    String doc = Files.readString(guide);
    List<String> src = Files.readAllLines(module.resolve(
        "src/test/java/dev/sparq/onnx/embed/EmbeddingsGuideTest.java"));
    int found = 0;
    for (int i = 0; i < src.size(); i++) {
      String line = src.get(i).trim();
      if (line.startsWith("// snippet:")) {
        String name = line.substring("// snippet:".length());
        List<String> body = new ArrayList<>();
        int j = i + 1;
        while (!src.get(j).trim().equals("// end:" + name)) {
          body.add(src.get(j++));
        }
        String text = dedent(body);
        assertTrue(doc.contains(text), guide + " lacks snippet '" + name + "':\n" + text);
        found++;
      }
    }
    assertEquals(2, found);
  }

  private static String dedent(List<String> lines) {
    int indent = Integer.MAX_VALUE;
    for (String l : lines) {
      if (!l.isBlank()) {
        indent = Math.min(indent, l.length() - l.stripLeading().length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String l : lines) {
      sb.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
    }
    return sb.toString();
  }
}
