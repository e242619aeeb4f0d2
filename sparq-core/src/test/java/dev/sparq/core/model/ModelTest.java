package dev.sparq.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.internal.Json;
import dev.sparq.core.Outcome;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class ModelTest {
  @Test
  void problemIdsIgnoreCaseWhitespaceAndTrailingPunctuation() {
    String a = ProblemIds.idOf("What is  2 + 2?");
    assertEquals(a, ProblemIds.idOf("what is 2 + 2"));
    assertEquals(a, ProblemIds.idOf("  WHAT IS\n2 + 2 ?! "));
    assertNotEquals(a, ProblemIds.idOf("What is 2 + 3?"));
    assertEquals(16, a.length());
    assertEquals(a, Problem.of("What is 2 + 2?", "", "4").id());
    // full-width digits normalise (NFKC) to ASCII ones
    assertEquals(a, ProblemIds.idOf("What is \uFF12 + \uFF12?"));
  }

  @Test
  void lineageOfAChildTracksParentsAndGeneration() {
    Problem p1 = Problem.of("p1", "", "1");
    Problem p2 = Problem.of("p2", "", "2", new Lineage(List.of(p1.id()), "mutate", 3));
    Lineage child = Lineage.childOf("crossover", List.of(p1, p2));
    assertEquals(List.of(p1.id(), p2.id()), child.parentIds());
    assertEquals(4, child.generation());
    assertTrue(Lineage.seed().isSeed());
    assertThrows(IllegalArgumentException.class, () -> new Lineage(List.of(), "x", -1));
  }

  @Test
  void problemsRoundTripThroughJson() throws Exception {
    Problem p = new Problem(null, "Solve x+1=3.", "x = \\boxed{2}", "2",
        new Lineage(List.of("abc"), "mutate", 1), Map.of("b", "2", "a", "1"));
    String json = Json.mapper().writeValueAsString(p);
    assertTrue(json.indexOf("\"a\"") < json.indexOf("\"b\""), "attributes are written sorted: " + json);
    assertEquals(p, Json.mapper().readValue(json, Problem.class));
    Problem q = p.withAttribute("a", "9");
    assertEquals("9", q.attributes().get("a"));
    assertEquals(p.id(), q.id());
  }

  @Test
  void descriptorsCompareByValueAndSortLabels() throws Exception {
    Descriptor d = new Descriptor(new double[] {1, 2}, List.of("geometry", "algebra", "algebra"));
    assertEquals(List.of("algebra", "geometry"), d.labels());
    assertEquals("algebra|geometry", d.key());
    assertEquals(d, new Descriptor(new double[] {1, 2}, List.of("geometry", "algebra")));
    assertEquals(d.hashCode(), new Descriptor(new double[] {1, 2}, List.of("algebra", "geometry")).hashCode());
    double[] m = d.measures();
    m[0] = 99;
    assertEquals(1.0, d.measure(0), "measures are copied out");
    assertEquals(d, Json.mapper().readValue(Json.mapper().writeValueAsString(d), Descriptor.class));
  }

  @Test
  void difficultyValidatesAndDerivesSolveRate() {
    Difficulty d = new Difficulty(4, 16, 0.75, Validity.VALID);
    assertEquals(0.25, d.solveRate());
    assertTrue(Double.isNaN(Difficulty.unmeasured().solveRate()));
    assertThrows(IllegalArgumentException.class, () -> new Difficulty(5, 4, 0, Validity.VALID));
    assertThrows(IllegalArgumentException.class, () -> new Difficulty(0, 4, Double.NaN, Validity.VALID));
  }

  @Test
  void outcomesHoldAValueOrARejection() {
    Outcome<String> ok = Outcome.of("x");
    Outcome<String> bad = Outcome.rejected("no_boxed_answer", "detail");
    assertTrue(ok.isPresent());
    assertEquals("X", ok.map(String::toUpperCase).value());
    assertEquals("no_boxed_answer", bad.map(String::length).rejection().reason());
    assertThrows(NoSuchElementException.class, bad::value);
    assertThrows(NoSuchElementException.class, ok::rejection);
  }
}
