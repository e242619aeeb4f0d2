package dev.sparq.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.difficulty.SolveRateBand;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Elite;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The harness's warm-up: a mature archive grown from a stream of candidates with fixed K. */
class WarmUpArchiveTest {
  private static final int NICHES = 6;
  private static final int CAPACITY = 4;
  private static final int K = 16;
  private static final SolveRateBand BAND = SolveRateBand.PAPER;
  private static final ToDoubleFunction<SplittableRandom> UNIFORM = SplittableRandom::nextDouble;

  private static WarmUpArchive.Result build(ToDoubleFunction<SplittableRandom> draw, int perNiche,
      long seed) {
    return WarmUpArchive.build(draw, "t", NICHES, CAPACITY, K, BAND, perNiche, 1_000,
        new SplittableRandom(seed)).orElseThrow();
  }

  private static Map<Descriptor, Integer> seenPerNiche(List<Elite> offered) {
    Map<Descriptor, Integer> out = new HashMap<>();
    for (Elite e : offered) {
      out.merge(e.descriptor(), 1, Integer::sum);
    }
    return out;
  }

  private static boolean allFull(CellArchive a) {
    for (int c = 0; c < NICHES; c++) {
      int cell = a.cellOf(WarmUpArchive.niche(c));
      if (cell < 0 || a.cell(cell).size() < CAPACITY) {
        return false;
      }
    }
    return true;
  }

  @Test
  void justFullStopsAtTheCandidateThatFillsTheLastNiche() {
    for (long seed = 0; seed < 20; seed++) {
      WarmUpArchive.Result r = build(UNIFORM, 0, seed);
      assertTrue(allFull(r.archive()), "every niche is full");
      assertEquals(NICHES * CAPACITY, r.archive().size());
      // every candidate takes a free slot, so the last niche filled on its CAPACITY-th candidate,
      // and that was the last candidate offered
      List<Elite> offered = r.offered();
      Descriptor last = offered.get(offered.size() - 1).descriptor();
      assertEquals(CAPACITY, seenPerNiche(offered).get(last), "seed " + seed);
      for (Map.Entry<Descriptor, Integer> e : seenPerNiche(offered.subList(0, offered.size() - 1))
          .entrySet()) {
        if (!e.getKey().equals(last)) {
          assertTrue(e.getValue() >= CAPACITY, "the other niches were already full");
        }
      }
    }
  }

  @Test
  void aMeanPerNicheLevelStopsAtItsCountOnceEveryNicheIsFull() {
    for (long seed = 0; seed < 20; seed++) {
      WarmUpArchive.Result r = build(UNIFORM, 20, seed);
      assertTrue(allFull(r.archive()));
      assertEquals(20 * NICHES, r.candidates(), "with 6 niches all fill long before 120 candidates");
      assertEquals(20.0, r.meanPerNiche(), 1e-12);
    }
  }

  @Test
  void membersAreTheBestOfWhatEachNicheSawTiesToTheEarlier() {
    for (long seed = 0; seed < 10; seed++) {
      for (int perNiche : new int[] {0, 8, 30}) {
        WarmUpArchive.Result r = build(UNIFORM, perNiche, seed);
        List<Elite> offered = r.offered();
        Map<Elite, Integer> order = new HashMap<>();
        for (int i = 0; i < offered.size(); i++) {
          order.put(offered.get(i), i);
        }
        Map<Descriptor, List<Elite>> byNiche = offered.stream()
            .collect(Collectors.groupingBy(Elite::descriptor));
        for (Map.Entry<Descriptor, List<Elite>> e : byNiche.entrySet()) {
          List<Elite> best = new ArrayList<>(e.getValue());
          // by quality, highest first; among equal qualities the one offered first
          best.sort(Comparator.comparingDouble(Elite::quality).reversed()
              .thenComparingInt(order::get));
          Set<String> expected = new HashSet<>();
          best.subList(0, CAPACITY).forEach(m -> expected.add(m.id()));
          Set<String> members = new HashSet<>();
          r.archive().cell(r.archive().cellOf(e.getKey())).forEach(m -> members.add(m.id()));
          assertEquals(expected, members, "seed " + seed + ", " + perNiche + " per niche, "
              + e.getKey());
        }
      }
    }
  }

  @Test
  void qualitiesAreFixedKsForTheDrawnCounts() {
    for (Elite e : build(UNIFORM, 10, 3).offered()) {
      assertEquals(K, e.difficulty().rollouts());
      assertEquals(BAND.quality(e.difficulty().correct(), K), e.quality(), 0.0);
    }
    // all solved: every candidate is out of band, so the threshold stays 0
    WarmUpArchive.Result solved = build(r -> 1.0, 0, 3);
    assertEquals(0.0, solved.meanThreshold(), 0.0);
    assertEquals(1.0, solved.zeroQualityShare(), 0.0);
  }

  @Test
  void theThresholdRisesWithTheCandidatesANicheHasSeen() {
    WarmUpArchive.Result young = build(UNIFORM, 0, 11);
    WarmUpArchive.Result old = build(UNIFORM, 200, 11);
    assertTrue(old.meanThreshold() > young.meanThreshold(),
        young.meanThreshold() + " then " + old.meanThreshold());
  }

  @Test
  void theSameSeedGivesTheSameArchiveAndAnotherSeedAnotherOne() {
    WarmUpArchive.Result a = build(UNIFORM, 20, 42);
    WarmUpArchive.Result b = build(UNIFORM, 20, 42);
    WarmUpArchive.Result c = build(UNIFORM, 20, 43);
    assertEquals(ids(a), ids(b));
    assertEquals(a.offered(), b.offered());
    assertTrue(!ids(a).equals(ids(c)) || !a.offered().equals(c.offered()));
  }

  @Test
  void aLevelThatCannotFillEveryNicheWithinTheBoundIsNotReachable() {
    // fewer candidates per niche than slots: some niche is never full
    Optional<WarmUpArchive.Result> r = WarmUpArchive.build(UNIFORM, "t", NICHES, CAPACITY, K, BAND,
        0, CAPACITY - 1, new SplittableRandom(1));
    assertTrue(r.isEmpty());
    // with a bound that is enough, the same stream fills them
    assertTrue(WarmUpArchive.build(UNIFORM, "t", NICHES, CAPACITY, K, BAND, 0, 100,
        new SplittableRandom(1)).isPresent());
  }

  private static Set<String> ids(WarmUpArchive.Result r) {
    Set<String> out = new HashSet<>();
    r.archive().members().forEach(m -> out.add(m.id()));
    return out;
  }
}
