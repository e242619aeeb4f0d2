package dev.sparq.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BudgetTest {
  private static RunStats stats(long iterations, long candidates, long rollouts, long tokens) {
    return new RunStats(iterations, candidates, candidates, candidates, rollouts, 0, Map.of(), Map.of(), 0, tokens);
  }

  @Test
  void parentCapCountsWholeGroups() {
    assertEquals(20, Budget.iterations(5).parentCap(4));
    assertEquals(12, Budget.candidates(10).parentCap(4), "10 candidates round up to whole groups of 4");
    assertEquals(8, Budget.candidates(8).parentCap(4));
    assertEquals(12, new Budget(3, 100, Long.MAX_VALUE).parentCap(4), "the smaller limit wins");
    assertEquals(Long.MAX_VALUE, Budget.rollouts(10).parentCap(64), "no iteration or candidate limit");
    assertEquals(Long.MAX_VALUE, Budget.iterations(Long.MAX_VALUE / 2).parentCap(64), "no overflow");
    assertThrows(IllegalArgumentException.class, () -> Budget.iterations(5).parentCap(0));
  }

  @Test
  void exhaustedByParentsIgnoresHowManyIterationsHeldThem() {
    Budget b = Budget.iterations(5);
    // five iterations, but one was a group cut short: 18 of the 20 parents
    assertTrue(b.exhausted(stats(5, 18, 0, 0)));
    assertFalse(b.exhaustedByParents(stats(5, 18, 0, 0), 4));
    assertTrue(b.exhaustedByParents(stats(6, 20, 0, 0), 4));
    assertTrue(Budget.rollouts(100).exhaustedByParents(stats(1, 4, 100, 0), 4));
    assertTrue(Budget.tokens(50).exhaustedByParents(stats(1, 4, 0, 50), 4));
    assertFalse(Budget.tokens(50).exhaustedByParents(stats(1, 4, 0, 49), 4));
  }
}
