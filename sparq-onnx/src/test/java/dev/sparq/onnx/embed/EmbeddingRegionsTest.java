package dev.sparq.onnx.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.sparq.core.ConfigException;
import dev.sparq.core.Outcome;
import dev.sparq.core.describe.DescriptorUnion;
import dev.sparq.core.internal.Json;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.DiversityDescriptor;
import dev.sparq.core.stage.StageContext;
import dev.sparq.onnx.embed.EmbeddingProjection.Spec;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** {@link EmbeddingRegions}: the same regions as before with half the embedding, and its checkpoint slot. */
class EmbeddingRegionsTest {
  private static final StageContext CTX = StageContext.of(new SplittableRandom(1));

  /** Character counts in {@code dim} dimensions, plus {@code shift} on dimension 0; counts the texts it embeds. */
  private static final class Counting implements TextEmbedder {
    final int dim;
    final float shift;
    final AtomicInteger texts = new AtomicInteger();

    Counting(int dim, float shift) {
      this.dim = dim;
      this.shift = shift;
    }

    @Override
    public float[][] embed(List<String> in) {
      texts.addAndGet(in.size());
      float[][] out = new float[in.size()][dim];
      for (int i = 0; i < in.size(); i++) {
        String t = in.get(i);
        for (int j = 0; j < t.length(); j++) {
          out[i][(t.charAt(j) * 7 + j) % dim] += 1;
        }
        out[i][0] += shift * (t.length() % 3);
      }
      return out;
    }

    @Override
    public int dimension() {
      return dim;
    }
  }

  private static List<Problem> problems() {
    return MathTexts.problems();
  }

  private static List<List<String>> labels(DiversityDescriptor d, List<Problem> problems) {
    return d.describe(problems, CTX).stream().map(o -> o.value().labels()).toList();
  }

  @Test
  void fitSeedsGivesTheRegionsOfAFitAndCvtFromSeedsEmbeddingTheSeedsOnce() {
    List<Problem> seeds = problems();
    for (Spec spec : List.of(Spec.pca(3), Spec.random(2, 11))) {
      Counting once = new Counting(8, 0);
      EmbeddingRegions regions = EmbeddingRegions.fitSeeds(once, seeds, spec, 5, new SplittableRandom(3), "r");
      assertEquals(seeds.size(), once.texts.get(), "the seeds are embedded once");
      Counting twice = new Counting(8, 0);
      EmbeddingDescriptor ed = EmbeddingDescriptor.fit(twice, seeds, spec);
      EmbeddingRegions before = ed.asCellLabel(ed.cvtFromSeeds(seeds, 5, new SplittableRandom(3)), "r");
      assertEquals(2 * seeds.size(), twice.texts.get());
      assertEquals(before.projection(), regions.projection());
      assertEquals(before.cells(), regions.cells());
      assertEquals(labels(before, seeds), labels(regions, seeds));
      assertTrue(labels(regions, seeds).stream().distinct().count() > 2, "several regions are used");
    }
    ConfigException tooFew = assertThrows(ConfigException.class,
        () -> EmbeddingRegions.fitSeeds(new Counting(8, 0), seeds.subList(0, 4), Spec.random(2, 1), 5,
            new SplittableRandom(1), "r"));
    assertTrue(tooFew.getMessage().contains("5 cells need at least as many seeds"), tooFew.getMessage());
  }

  @Test
  void theSlotHoldsProjectionAndCentresAndARestoredDescriptorPlacesAsTheSavedOne() throws Exception {
    List<Problem> seeds = problems();
    EmbeddingRegions saved = EmbeddingRegions.fitSeeds(new Counting(8, 0), seeds, Spec.pca(2), 4,
        new SplittableRandom(9), "region:");
    assertEquals("embedding_regions", saved.stateName());
    // refitting with other embedder outputs for the seeds gives other regions ...
    Counting shifted = new Counting(8, 40);
    EmbeddingRegions refit = EmbeddingRegions.fitSeeds(shifted, seeds, Spec.pca(2), 4,
        new SplittableRandom(9), "region:");
    assertNotEquals(saved.projection(), refit.projection());
    // ... a descriptor to restore embeds nothing and refuses to work until restored
    Counting fresh = new Counting(8, 0);
    EmbeddingRegions resumed = EmbeddingRegions.toRestore(fresh, 2, 4, "region:");
    assertFalse(resumed.isFitted());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> resumed.describe(seeds, CTX));
    assertTrue(e.getMessage().contains("embedding_regions"), e.getMessage());
    assertThrows(IllegalStateException.class, resumed::saveState);
    assertThrows(IllegalStateException.class, resumed::projection);
    assertThrows(IllegalStateException.class, resumed::cells);
    assertEquals(0, fresh.texts.get());
    // through the checkpoint's text form
    JsonNode state = Json.mapper().readTree(Json.mapper().writeValueAsString(saved.saveState()));
    resumed.restoreState(state);
    assertTrue(resumed.isFitted());
    assertEquals(saved.projection(), resumed.projection());
    assertEquals(saved.cells(), resumed.cells());
    assertEquals(labels(saved, seeds), labels(resumed, seeds));
    assertEquals(saved.saveState(), resumed.saveState());
    // and inside a union, a checkpoint finds it (SparqRun looks into Composite parts)
    DiversityDescriptor skills = (ps, c) -> ps.stream().map(p -> Outcome.of(Descriptor.ofLabels("s"))).toList();
    assertTrue(DescriptorUnion.of(skills, resumed).parts().contains(resumed));
  }

  private static void refused(EmbeddingRegions target, JsonNode good, Consumer<ObjectNode> damage,
      String expected) {
    ObjectNode bad = good.deepCopy();
    damage.accept(bad);
    JsonNode before = target.saveState();
    ConfigException e = assertThrows(ConfigException.class, () -> target.restoreState(bad));
    assertTrue(e.getMessage().contains("embedding_regions") && e.getMessage().contains(expected),
        e.getMessage());
    assertEquals(before, target.saveState(), "a refused restore changes nothing");
  }

  @Test
  void restoringValidatesWhatItReadsAndNamesTheSlot() {
    List<Problem> seeds = problems();
    JsonNode good = EmbeddingRegions.fitSeeds(new Counting(8, 0), seeds, Spec.pca(2), 4,
        new SplittableRandom(9), "r").saveState();
    EmbeddingRegions target = EmbeddingRegions.fitSeeds(new Counting(8, 5), seeds, Spec.pca(2), 4,
        new SplittableRandom(1), "r");
    refused(target, good, o -> o.remove("projection"), "no 'projection'");
    refused(target, good, o -> ((ObjectNode) o.get("projection")).remove("mean"), "mean");
    refused(target, good, o -> o.remove("centroids"), "no 'centroids'");
    refused(target, good, o -> ((ArrayNode) o.get("centroids")).remove(3), "3 region centres, this descriptor 4");
    refused(target, good, o -> ((ArrayNode) o.get("centroids").get(1)).add(0.5), "region centre 1 needs 2 numbers");
    refused(target, good, o -> ((ArrayNode) o.get("centroids").get(2)).set(0, TextNode.valueOf("NaN")),
        "not a finite number");
    refused(target, good, o -> ((ArrayNode) o.get("centroids").get(2)).set(1,
        DoubleNode.valueOf(Double.POSITIVE_INFINITY)), "not a finite number");
    ConfigException notObject = assertThrows(ConfigException.class,
        () -> target.restoreState(TextNode.valueOf("x")));
    assertTrue(notObject.getMessage().contains("embedding_regions"), notObject.getMessage());
    // a descriptor with another embedding dimension, number of measures or of cells refuses the state
    for (EmbeddingRegions other : List.of(EmbeddingRegions.toRestore(new Counting(6, 0), 2, 4, "r"),
        EmbeddingRegions.toRestore(new Counting(8, 0), 3, 4, "r"))) {
      ConfigException e = assertThrows(ConfigException.class, () -> other.restoreState(good));
      assertTrue(e.getMessage().contains("embedding_regions") && e.getMessage().contains("projection maps 8 to 2"),
          e.getMessage());
      assertFalse(other.isFitted(), "still waiting for a valid state");
    }
    EmbeddingRegions sixCells = EmbeddingRegions.toRestore(new Counting(8, 0), 2, 6, "r");
    ConfigException cells = assertThrows(ConfigException.class, () -> sixCells.restoreState(good));
    assertTrue(cells.getMessage().contains("4 region centres, this descriptor 6 cells"), cells.getMessage());
    assertFalse(sixCells.isFitted());
  }
}
