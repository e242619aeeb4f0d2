package dev.sparq.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.ConfigException;
import dev.sparq.core.Outcome;
import dev.sparq.core.SparqException;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.ArchiveStats;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.archive.GridTessellation;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.Generator;
import dev.sparq.testkit.math.ArithmeticDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SparqTest {

  private static List<Problem> seeds(int n) {
    return ArithmeticDomain.seeds(n, new SplittableRandom(1));
  }

  private static Sparq.Builder base(Variant variant) {
    return Sparq.builder()
        .generator(ArithmeticDomain.generator())
        .solver(ArithmeticDomain.solver(0.15))
        .estimator(ArithmeticDomain.estimator(16, 0.1, 0.9))
        .descriptor(ArithmeticDomain.descriptor())
        .seedProblems(seeds(100))
        .variant(variant)
        .nicheCapacity(4)
        .batchSize(32)
        .chunkSize(8)
        .randomSeed(7);
  }

  /** Wraps a generator and records the ids of every primary parent it is given. */
  private static final class RecordingGenerator implements Generator {
    final Generator inner = ArithmeticDomain.generator();
    final List<String> parentIds = Collections.synchronizedList(new ArrayList<>());

    @Override
    public List<Outcome<Problem>> generate(List<Problem> parents, dev.sparq.core.stage.StageContext ctx) {
      parents.forEach(p -> parentIds.add(p.id()));
      return inner.generate(parents, ctx);
    }
  }

  @Test
  void archiveFillsAndQdScoreGrows() {
    List<Double> qd = new ArrayList<>();
    try (Sparq sparq = base(Variant.DYNAMIC_DIVERSE).budget(Budget.iterations(30))
        .listener(new SparqListener() {
          @Override
          public void onIteration(IterationEvent e) {
            qd.add(e.archive().qdScore());
          }
        }).build()) {
      RunStats totals = sparq.run();
      assertEquals(30, totals.iterations());
      assertEquals(30 * 32, totals.candidates());
      ArchiveStats stats = sparq.archive().stats();
      assertTrue(stats.members() > 0);
      assertTrue(qd.get(29) > qd.get(0), "QD score should grow: " + qd);
      assertTrue(stats.bestQuality() > 0.5, "some hard-but-solvable problems expected: " + stats);
      assertTrue(totals.statusCounts().getOrDefault("NEW", 0L) > 0);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Variant.class, names = {"STATIC_UNIFORM", "STATIC_DIVERSE"})
  void staticVariantsOnlyEverUseSeedsAsParents(Variant variant) {
    RecordingGenerator gen = new RecordingGenerator();
    List<Problem> seeds = seeds(100);
    Set<String> seedIds = seeds.stream().map(Problem::id).collect(Collectors.toSet());
    try (Sparq sparq = base(variant).generator(gen).seedProblems(seeds).budget(Budget.iterations(15)).build()) {
      sparq.run();
      assertEquals(15 * 32, gen.parentIds.size());
      assertTrue(seedIds.containsAll(gen.parentIds), "static variants must draw only seeds");
      assertEquals(seeds.size(), sparq.seedPool().size(), "the seed pool never changes");
      // the archive still receives the children, but never the seeds
      assertTrue(sparq.archive().members().stream().noneMatch(e -> seedIds.contains(e.id())
          && e.iteration() < 0));
      assertTrue(sparq.archive().size() > 0);
    }
  }

  @Test
  void dynamicDiverseCapsEachNicheAndBreedsFromChildren() {
    RecordingGenerator gen = new RecordingGenerator();
    Set<String> seedIds = seeds(100).stream().map(Problem::id).collect(Collectors.toSet());
    try (Sparq sparq = base(Variant.DYNAMIC_DIVERSE).generator(gen).budget(Budget.iterations(25)).build()) {
      sparq.run();
      for (int c : sparq.archive().occupiedCells()) {
        List<Elite> cell = sparq.archive().cell(c);
        assertTrue(cell.size() <= 4, "niche cap T=4 exceeded in cell " + c);
        String key = cell.get(0).descriptor().key();
        assertTrue(cell.stream().allMatch(e -> e.descriptor().key().equals(key)), "one skill set per niche");
      }
      long childParents = gen.parentIds.stream().filter(id -> !seedIds.contains(id)).count();
      assertTrue(childParents > 0, "dynamic variants must breed from generated children");
    }
  }

  @Test
  void dynamicUniformKeepsTheTopTOverall() {
    List<Double> offered = new ArrayList<>();
    int t = 20;
    try (Sparq sparq = base(Variant.DYNAMIC_UNIFORM).nicheCapacity(t).budget(Budget.iterations(20))
        .listener(new SparqListener() {
          @Override
          public void onCandidate(EvaluatedCandidate c) {
            offered.add(c.difficulty().quality());
          }
        }).build()) {
      sparq.run();
      assertEquals(1, sparq.archive().occupiedCells().length, "dynamic uniform is one top-T pool");
      assertEquals(t, sparq.archive().size());
      // seeds enter at quality 0 and only strictly better children displace them
      List<Double> all = new ArrayList<>(offered);
      for (int i = 0; i < 100; i++) {
        all.add(0.0);
      }
      all.sort(Comparator.reverseOrder());
      List<Double> kept = sparq.archive().members().stream().map(Elite::quality)
          .sorted(Comparator.reverseOrder()).toList();
      assertEquals(all.subList(0, t), kept);
    }
  }

  @Test
  void staticDiverseIsUniformOverNichesNotOverSeeds() {
    // 95 seeds in one niche (additions only) and 5 in another (multiplications only)
    List<Problem> seeds = new ArrayList<>();
    for (int i = 0; i < 95; i++) {
      seeds.add(ArithmeticDomain.problem((i + 1) + " + " + (i + 2), null));
    }
    for (int i = 0; i < 5; i++) {
      seeds.add(ArithmeticDomain.problem((i + 2) + " * " + (i + 3), null));
    }
    Set<String> rare = seeds.subList(95, 100).stream().map(Problem::id).collect(Collectors.toSet());
    Map<Variant, Double> rareShare = new HashMap<>();
    for (Variant v : List.of(Variant.STATIC_UNIFORM, Variant.STATIC_DIVERSE)) {
      RecordingGenerator gen = new RecordingGenerator();
      try (Sparq sparq = base(v).generator(gen).seedProblems(seeds).batchSize(64)
          .budget(Budget.iterations(30)).build()) {
        sparq.run();
      }
      rareShare.put(v, gen.parentIds.stream().filter(rare::contains).count() / (double) gen.parentIds.size());
    }
    assertTrue(rareShare.get(Variant.STATIC_UNIFORM) < 0.1, rareShare.toString());
    assertTrue(Math.abs(rareShare.get(Variant.STATIC_DIVERSE) - 0.5) < 0.05, rareShare.toString());
  }

  private static String runToJson(Sparq.Builder b) {
    try (Sparq sparq = b.build()) {
      sparq.run();
      return ArchiveJson.toJson((CellArchive) sparq.archive()) + sparq.totals();
    }
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void sameSeedSameArchiveDifferentSeedDifferentArchive(Variant variant) {
    String a = runToJson(base(variant).budget(Budget.iterations(10)));
    String b = runToJson(base(variant).budget(Budget.iterations(10)));
    String c = runToJson(base(variant).budget(Budget.iterations(10)).randomSeed(8));
    assertEquals(a, b);
    assertNotEquals(a, c);
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void oneAndEightThreadsGiveTheSameArchive(Variant variant) {
    String one = runToJson(base(variant).threads(1).budget(Budget.iterations(12)));
    String eight = runToJson(base(variant).threads(8).budget(Budget.iterations(12)));
    assertEquals(one, eight);
  }

  @Test
  void resumedRunEqualsUninterruptedRun() {
    String straight = runToJson(base(Variant.DYNAMIC_DIVERSE).budget(Budget.iterations(20)));
    EngineState state;
    String saved;
    try (Sparq first = base(Variant.DYNAMIC_DIVERSE).budget(Budget.iterations(9)).build()) {
      first.run();
      state = first.state();
      saved = ArchiveJson.toJson((CellArchive) first.archive());
    }
    String resumed = runToJson(base(Variant.DYNAMIC_DIVERSE).budget(Budget.iterations(20))
        .resume(state, ArchiveJson.fromJson(saved)));
    assertEquals(straight, resumed);
  }

  @Test
  void worksWithAGridArchiveOverNumericMeasures() {
    CellArchive grid = CellArchive.builder()
        .tessellation(new GridTessellation(new int[] {8, 8}, new double[] {0, 0}, new double[] {8, 4}))
        .build();
    try (Sparq sparq = base(Variant.DYNAMIC_DIVERSE).archive(grid).budget(Budget.iterations(20)).build()) {
      sparq.run();
      ArchiveStats s = sparq.archive().stats();
      assertEquals(64, s.cells());
      assertEquals(s.occupiedCells() / 64.0, s.coverage(), 1e-12);
      assertTrue(s.occupiedCells() > 5);
    }
  }

  @Test
  void budgetsStopTheRun() {
    try (Sparq sparq = base(Variant.STATIC_UNIFORM).budget(Budget.candidates(100)).build()) {
      RunStats t = sparq.run();
      assertEquals(128, t.candidates(), "stops at the first iteration boundary past the limit");
    }
    try (Sparq sparq = base(Variant.STATIC_UNIFORM).budget(Budget.rollouts(1000)).build()) {
      RunStats t = sparq.run();
      assertTrue(t.rollouts() >= 1000 && t.rollouts() < 1000 + 32 * 16);
    }
  }

  @Test
  void rejectionsAreCountedReportedAndSkipped() {
    AtomicInteger calls = new AtomicInteger();
    Generator halfBad = (parents, ctx) -> {
      List<Outcome<Problem>> good = ArithmeticDomain.generator().generate(parents, ctx);
      List<Outcome<Problem>> out = new ArrayList<>();
      for (int i = 0; i < parents.size(); i++) {
        out.add(calls.incrementAndGet() % 2 == 0
            ? Outcome.rejected("missing_problem_tag", "no <problem> tag") : good.get(i));
      }
      return out;
    };
    List<RejectionEvent> events = new ArrayList<>();
    try (Sparq sparq = base(Variant.STATIC_UNIFORM).generator(halfBad).budget(Budget.iterations(4))
        .listener(new SparqListener() {
          @Override
          public void onRejection(RejectionEvent e) {
            events.add(e);
          }
        }).build()) {
      RunStats t = sparq.run();
      long bad = t.rejections().getOrDefault("generate/missing_problem_tag", 0L);
      assertEquals(64, bad);
      assertEquals(64, events.stream().filter(e -> e.rejection().reason().equals("missing_problem_tag")).count());
      assertEquals(t.candidates(), t.generated() + t.rejectedTotal() - t.rejections().entrySet().stream()
          .filter(e -> !e.getKey().startsWith("generate/")).mapToLong(Map.Entry::getValue).sum());
    }
  }

  @Test
  void everyEvaluatedCandidateReachesTheSinkOnce() {
    List<EvaluatedCandidate> got = new ArrayList<>();
    Set<Long> iterations = new HashSet<>();
    try (Sparq sparq = base(Variant.DYNAMIC_DIVERSE).budget(Budget.iterations(5))
        .sink((it, batch) -> {
          assertTrue(iterations.add(it), "one batch per iteration");
          got.addAll(batch);
        }).build()) {
      RunStats t = sparq.run();
      assertEquals(t.evaluated(), got.size());
      long accepted = got.stream().filter(c -> c.status().accepted()).count();
      assertTrue(t.added() > 0 && t.added() <= accepted, t.added() + " added of " + accepted + " accepted");
    }
  }

  @Test
  void configurationErrorsNameTheKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> Sparq.builder().solver(ArithmeticDomain.solver(0.1)).build());
    assertTrue(e.getMessage().contains("'generator'"), e.getMessage());
    ConfigException s = assertThrows(ConfigException.class, () -> base(Variant.STATIC_UNIFORM).seedProblems(List.of()).build());
    assertTrue(s.getMessage().contains("'seeds'"), s.getMessage());
    ConfigException b = assertThrows(ConfigException.class, () -> base(Variant.STATIC_UNIFORM).batchSize(0).build());
    assertTrue(b.getMessage().contains("'batchSize'"), b.getMessage());
    ConfigException none = assertThrows(ConfigException.class,
        () -> Sparq.builder().seedProblems(null));
    assertTrue(none.getMessage().contains("'seeds'"), none.getMessage());
    List<Problem> withHole = new ArrayList<>(seeds(3));
    withHole.set(1, null);
    ConfigException hole = assertThrows(ConfigException.class,
        () -> Sparq.builder().seedProblems(withHole));
    assertTrue(hole.getMessage().contains("seed problem 1 of 3 is null"), hole.getMessage());
  }

  @Test
  void aStageReturningANullResultFailsNamingTheStageAndTheInput() {
    Generator holes = (parents, ctx) -> {
      List<Outcome<Problem>> out = new ArrayList<>(ArithmeticDomain.generator().generate(parents, ctx));
      out.set(out.size() - 1, null);
      return out;
    };
    try (Sparq sparq = base(Variant.STATIC_UNIFORM).generator(holes).build()) {
      SparqException e = assertThrows(SparqException.class, sparq::step);
      // chunks of 8 in a batch of 32: the last input of the first chunk is input 7
      assertTrue(e.getMessage().contains("stage generate returned null for input 7 of the batch"),
          e.getMessage());
    }
  }

  @Test
  void aStageReturningTheWrongNumberOfResultsFailsClearly() {
    Generator broken = (parents, ctx) -> List.of();
    try (Sparq sparq = base(Variant.STATIC_UNIFORM).generator(broken).build()) {
      SparqException e = assertThrows(SparqException.class, sparq::step);
      assertTrue(e.getMessage().contains("generate"), e.getMessage());
    }
  }
}
