package dev.sparq.bench;

import dev.sparq.core.archive.AddResult;
import dev.sparq.core.archive.CategoricalTessellation;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.archive.CvtTessellation;
import dev.sparq.core.archive.GridTessellation;
import dev.sparq.core.archive.Tessellation;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Single-threaded add throughput of {@link CellArchive}, in solutions per second, at batch 1 and
 * batch 100: a 64x64 grid, a 2-D CVT with 1,000 cells, and a categorical archive keyed by skill sets
 * (capacity 1, and capacity 8 as SPARQ's per-niche cap).
 *
 * <p>All candidates are created in the setup, so only the archive's work is measured. Each run of
 * the benchmark feeds {@value #EPOCH} candidates (uniform measures, uniform qualities) into a fresh
 * archive and then starts over with another fresh one; the cost of creating the fresh archive is
 * measured too, amortised over the epoch. This keeps the mix of outcomes that of a real run from an
 * empty archive (about 16 candidates per grid cell, 66 per CVT cell: early adds are NEW, later ones
 * mostly IMPROVED or NOT_ADDED) instead of measuring an archive that saturated long ago and rejects
 * almost everything.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ArchiveAddBenchmark {
  /** Candidates fed into one fresh archive: 656 batches of 100. */
  static final int EPOCH = 65_600;

  private static final String[] SKILLS = {
    "algebra", "geometry", "counting", "number-theory", "calculus", "probability", "inequalities",
    "sequences", "trigonometry", "combinatorics"
  };

  /** Which archive: grid64x64, cvt1000, categorical (capacity 1) or categoricalT8 (capacity 8). */
  @Param({"grid64x64", "cvt1000", "categorical", "categoricalT8"})
  public String archive;

  private Tessellation tessellation;
  private int capacity;
  private Elite[] candidates;
  private List<List<Elite>> batches;
  private CellArchive current;
  private int next;
  private int nextBatch;

  @Setup
  public void setup() {
    SplittableRandom random = new SplittableRandom(2026);
    boolean labels = archive.startsWith("categorical");
    switch (archive) {
      case "grid64x64" -> tessellation = GridTessellation.uniform(2, 64, 0, 1);
      case "cvt1000" -> tessellation = CvtTessellation.build(
          1_000, new double[] {0, 0}, new double[] {1, 1}, 20_000, 10, new SplittableRandom(7));
      case "categorical", "categoricalT8" -> tessellation = new CategoricalTessellation();
      default -> throw new IllegalArgumentException("unknown archive " + archive);
    }
    capacity = archive.equals("categoricalT8") ? 8 : 1;
    Problem problem = Problem.of("a problem", "", "1");
    candidates = new Elite[EPOCH];
    for (int i = 0; i < EPOCH; i++) {
      Descriptor d;
      if (labels) {
        int k = 1 + random.nextInt(3);
        List<String> skills = new ArrayList<>();
        for (int j = 0; j < k; j++) {
          skills.add(SKILLS[random.nextInt(SKILLS.length)]);
        }
        d = Descriptor.ofLabels(skills);
      } else {
        d = Descriptor.ofMeasures(random.nextDouble(), random.nextDouble());
      }
      candidates[i] = new Elite(problem, Difficulty.ofQuality(random.nextDouble()), d, 0);
    }
    batches = new ArrayList<>();
    for (int i = 0; i < EPOCH; i += 100) {
      batches.add(List.of(java.util.Arrays.copyOfRange(candidates, i, i + 100)));
    }
    fresh();
  }

  private void fresh() {
    current = CellArchive.builder().tessellation(tessellation).capacity(capacity).build();
    next = 0;
    nextBatch = 0;
  }

  /** One candidate per call. */
  @Benchmark
  public AddResult addBatch1() {
    if (next == EPOCH) {
      fresh();
    }
    return current.add(candidates[next++]);
  }

  /** A batch of 100 candidates per call. */
  @Benchmark
  @OperationsPerInvocation(100)
  public List<AddResult> addBatch100() {
    if (nextBatch == batches.size()) {
      fresh();
    }
    return current.add(batches.get(nextBatch++));
  }
}
