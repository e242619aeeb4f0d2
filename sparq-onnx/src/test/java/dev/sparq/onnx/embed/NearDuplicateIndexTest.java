package dev.sparq.onnx.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link NearDuplicateIndex} on vectors with known angles. */
class NearDuplicateIndexTest {
  /** A unit vector at angle theta from e0 in the (e0, e1) plane. */
  private static float[] at(double theta, int dim) {
    float[] v = new float[dim];
    v[0] = (float) Math.cos(theta);
    v[1] = (float) Math.sin(theta);
    return v;
  }

  @Test
  void duplicatesAreVectorsAtOrAboveTheThreshold() {
    NearDuplicateIndex idx = new NearDuplicateIndex(4, 0.9);
    assertTrue(idx.nearest(at(0, 4)).isEmpty());
    assertEquals(0, idx.add("a", at(0, 4)));
    assertEquals(1, idx.add("b", at(Math.PI / 2, 4)));
    // cos(0.3) = 0.955 from a: a duplicate of a; pi/4 is 0.707 from both: no duplicate
    NearDuplicateIndex.Match m = idx.findDuplicate(at(0.3, 4)).orElseThrow();
    assertEquals("a", m.key());
    assertEquals(0, m.index());
    assertEquals(Math.cos(0.3), m.similarity(), 1e-6);
    assertFalse(idx.isDuplicate(at(Math.PI / 4, 4)), "0.707 from both");
    assertEquals(Math.cos(Math.PI / 4), idx.nearest(at(Math.PI / 4, 4)).get().similarity(), 1e-6);
    assertEquals("b", idx.findDuplicate(at(Math.PI / 2 - 0.2, 4)).get().key());
    // only the direction matters
    float[] scaled = at(0.1, 4);
    for (int j = 0; j < 4; j++) {
      scaled[j] *= 37;
    }
    assertTrue(idx.isDuplicate(scaled));
    assertEquals(2, idx.size());
  }

  @Test
  void addIfNovelStoresOnlyNewDirections() {
    NearDuplicateIndex idx = new NearDuplicateIndex(3, 0.95);
    assertTrue(idx.addIfNovel("x", at(0, 3)).isEmpty());
    assertEquals("x", idx.addIfNovel("y", at(0.2, 3)).orElseThrow().key());
    assertTrue(idx.addIfNovel("z", at(0.4, 3)).isEmpty(), "cos 0.921 < 0.95");
    assertEquals(2, idx.size());
  }

  @Test
  void keepFirstMatchesABruteForceReference() {
    SplittableRandom r = new SplittableRandom(3);
    List<float[]> vs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      vs.add(at(r.nextDouble() * Math.PI, 8));
    }
    double threshold = Math.cos(0.02);
    int[] kept = NearDuplicateIndex.keepFirst(vs, threshold);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < vs.size(); i++) {
      boolean dup = false;
      for (int k : expected) {
        double c = 0;
        for (int j = 0; j < 8; j++) {
          c += vs.get(i)[j] * vs.get(k)[j];
        }
        dup |= c >= threshold;
      }
      if (!dup) {
        expected.add(i);
      }
    }
    assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), kept);
    assertTrue(kept.length > 20 && kept.length < 300, "kept " + kept.length);
  }

  @Test
  void badVectorsAreRejected() {
    NearDuplicateIndex idx = new NearDuplicateIndex(3, 0.9);
    assertThrows(IllegalArgumentException.class, () -> idx.add("a", new float[4]));
    assertThrows(IllegalArgumentException.class, () -> idx.add("a", new float[3]));
    assertThrows(IllegalArgumentException.class,
        () -> idx.add("a", new float[] {1, Float.NaN, 0}));
    assertThrows(IllegalArgumentException.class, () -> new NearDuplicateIndex(3, 1.5));
    assertThrows(IllegalArgumentException.class, () -> new NearDuplicateIndex(0, 0.9));
  }

  @Test
  void growsPastItsInitialCapacity() {
    NearDuplicateIndex idx = new NearDuplicateIndex(2, 0.999999);
    for (int i = 0; i < 100; i++) {
      idx.add(Integer.toString(i), at(i * 0.01, 2));
    }
    assertEquals(100, idx.size());
    assertEquals("57", idx.findDuplicate(at(0.57, 2)).orElseThrow().key());
  }
}
