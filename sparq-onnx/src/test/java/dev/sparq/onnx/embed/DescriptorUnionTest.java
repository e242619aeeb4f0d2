package dev.sparq.onnx.embed;

import dev.sparq.core.describe.DescriptorUnion;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.Outcome;
import dev.sparq.core.archive.CategoricalTessellation;
import dev.sparq.core.archive.CvtTessellation;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.DiversityDescriptor;
import dev.sparq.core.stage.StageContext;
import dev.sparq.onnx.embed.EmbeddingProjection.Spec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link DescriptorUnion} and {@link EmbeddingDescriptor#asCellLabel}, with a fake embedder. */
class DescriptorUnionTest {
  /** Embeds a text as (length, count of digits, count of spaces, 1), deterministic. */
  private static final TextEmbedder FAKE = new TextEmbedder() {
    @Override
    public float[][] embed(List<String> texts) {
      float[][] out = new float[texts.size()][];
      for (int i = 0; i < out.length; i++) {
        String t = texts.get(i);
        out[i] = new float[] {t.length(), t.chars().filter(Character::isDigit).count(),
            t.chars().filter(c -> c == ' ').count(), 1};
      }
      return out;
    }

    @Override
    public int dimension() {
      return 4;
    }
  };

  private static final StageContext CTX = StageContext.of(new SplittableRandom(1));

  private static List<Problem> problems() {
    return MathTexts.problems();
  }

  /** Labels a problem "geometry" when it mentions a shape, else "other"; rejects "Is ...". */
  private static final DiversityDescriptor SKILLS = (problems, context) -> {
    List<Outcome<Descriptor>> out = new ArrayList<>();
    for (Problem p : problems) {
      String s = p.statement();
      if (s.startsWith("Is ")) {
        out.add(Outcome.rejected("no_skills", "test"));
      } else {
        out.add(Outcome.of(Descriptor.ofLabels(
            s.matches(".*(triangle|circle|square|cylinder|octagon).*") ? "geometry" : "other")));
      }
    }
    return out;
  };

  @Test
  void measuresConcatenateAndLabelsUnite() {
    List<Problem> probs = problems();
    EmbeddingDescriptor emb = EmbeddingDescriptor.fit(FAKE, probs, Spec.pca(2));
    DiversityDescriptor numeric = (ps, c) -> {
      List<Outcome<Descriptor>> out = new ArrayList<>();
      for (Problem p : ps) {
        out.add(Outcome.of(new Descriptor(new double[] {p.statement().length()}, List.of("n"))));
      }
      return out;
    };
    List<Outcome<Descriptor>> got = DescriptorUnion.of(emb, numeric, SKILLS).describe(probs, CTX);
    double[][] m = emb.measures(probs);
    for (int i = 0; i < probs.size(); i++) {
      String s = probs.get(i).statement();
      if (s.startsWith("Is ")) {
        assertFalse(got.get(i).isPresent());
        assertEquals("no_skills", got.get(i).rejection().reason());
        continue;
      }
      Descriptor d = got.get(i).value();
      assertArrayEquals(new double[] {m[i][0], m[i][1], s.length()}, d.measures());
      assertEquals(3, d.dimensions());
      assertEquals(2, d.labels().size());
      assertTrue(d.labels().contains("n"), d.labels().toString());
    }
  }

  @Test
  void skillAndSemanticCellMakeCategoricalNiches() {
    List<Problem> probs = problems();
    EmbeddingDescriptor emb = EmbeddingDescriptor.fit(FAKE, probs, Spec.pca(2));
    CvtTessellation cvt = emb.cvt(4, 4000, new SplittableRandom(2));
    DiversityDescriptor both = DescriptorUnion.of(SKILLS, emb.asCellLabel(cvt, "sem"));
    CategoricalTessellation niches = new CategoricalTessellation();
    Set<String> keys = new HashSet<>();
    List<Outcome<Descriptor>> got = both.describe(probs, CTX);
    double[][] m = emb.measures(probs);
    for (int i = 0; i < probs.size(); i++) {
      if (!got.get(i).isPresent()) {
        continue;
      }
      Descriptor d = got.get(i).value();
      assertEquals(0, d.dimensions());
      String skill = SKILLS.describe(List.of(probs.get(i)), CTX).get(0).value().labels().get(0);
      String cell = "sem" + cvt.nearest(m[i]);
      assertEquals(List.of(skill, cell).stream().sorted().toList(), d.labels());
      assertEquals(String.join("|", d.labels()), d.key());
      niches.cellOf(d, true);
      keys.add(d.key());
    }
    assertEquals(keys.size(), niches.existingCells());
    assertTrue(keys.size() > 2, "semantic cells split the 2 skills into " + keys.size() + " niches");
    assertThrows(dev.sparq.core.ConfigException.class,
        () -> emb.asCellLabel(CvtTessellation.build(2, new double[] {0}, new double[] {1}, 10, 2,
            new SplittableRandom(1)), "x"));
  }
}
