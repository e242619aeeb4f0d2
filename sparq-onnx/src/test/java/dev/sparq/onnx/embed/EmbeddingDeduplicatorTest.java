package dev.sparq.onnx.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link EmbeddingDeduplicator} with the real (quantised) all-MiniLM-L6-v2. */
class EmbeddingDeduplicatorTest {
  private static OnnxEmbedder model;

  @BeforeAll
  static void open() {
    model = MiniLm.QUANTIZED.openTwoThreads();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  /**
   * A problem, the same problem with one number changed (a different problem with another answer),
   * and a light edit of the original (punctuation, casing, a filler word, one word swapped).
   */
  private static final List<List<String>> EDITS = List.of(
      List.of("A rectangle has a length of 12 cm and a width of 5 cm. What is its area?",
          "A rectangle has a length of 14 cm and a width of 5 cm. What is its area?",
          "a rectangle has a length of 12 cm and a width of 5 cm; what is its area"),
      List.of("Solve for x: 3x + 7 = 22.",
          "Solve for x: 3x + 9 = 22.",
          "Please solve for x: 3x + 7 = 22"),
      List.of("What is the probability of rolling a sum of 7 with two fair six-sided dice?",
          "What is the probability of rolling a sum of 8 with two fair six-sided dice?",
          "What is the probability of rolling a total of 7 with two fair six-sided dice?"),
      List.of("Find the remainder when 2^100 is divided by 7.",
          "Find the remainder when 2^100 is divided by 9.",
          "Find the remainder when 2^100 is divided by 7"));

  private static List<String> texts() {
    List<String> texts = new ArrayList<>();
    for (List<String> group : EDITS) {
      texts.addAll(group);
    }
    for (MathTexts.Triple t : MathTexts.TRIPLES.subList(4, 12)) {
      texts.add(t.unrelated());
    }
    return texts;
  }

  @Test
  void lightEditsAreDuplicatesAtPointNineChangedNumbersAtPointEight() {
    List<String> texts = texts();
    int groups = EDITS.size();
    List<Integer> unrelated = new ArrayList<>();
    for (int i = 3 * groups; i < texts.size(); i++) {
      unrelated.add(i);
    }
    EmbeddingDeduplicator at09 = new EmbeddingDeduplicator(model, 0.9);
    List<Integer> expected09 = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      expected09.add(3 * g);
      expected09.add(3 * g + 1);
    }
    expected09.addAll(unrelated);
    assertEquals(expected09, at09.keep(texts));
    assertEquals(expected09.size(), at09.index().size());

    EmbeddingDeduplicator at08 = new EmbeddingDeduplicator(model, 0.8);
    List<Integer> expected08 = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      expected08.add(3 * g);
    }
    expected08.addAll(unrelated);
    assertEquals(expected08, at08.keep(texts));
    // a second batch is checked against what the first one stored
    assertEquals(List.of(), at08.keep(List.of(EDITS.get(1).get(2), EDITS.get(3).get(1))));
  }

  @Test
  void checkThenAddEmbedsOnce() {
    EmbeddingDeduplicator dedup = new EmbeddingDeduplicator(model, 0.9);
    String a = EDITS.get(0).get(0);
    long before = model.embeddedTexts();
    assertFalse(dedup.isDuplicate(a));
    dedup.add(a);
    assertEquals(before + 1, model.embeddedTexts());
    assertTrue(dedup.isDuplicate(EDITS.get(0).get(2)));
    assertEquals(a, dedup.duplicateOf(EDITS.get(0).get(2)).orElseThrow().key());
    assertFalse(dedup.addIfNovel(EDITS.get(0).get(2)));
    assertTrue(dedup.addIfNovel(EDITS.get(0).get(1)), "a changed number is a new problem at 0.9");
    assertEquals(2, dedup.index().size());
  }
}
