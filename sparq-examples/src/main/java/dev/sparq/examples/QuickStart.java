package dev.sparq.examples;

import dev.sparq.core.archive.ArchiveStats;
import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.engine.Variant;
import dev.sparq.testkit.math.ArithmeticDomain;
import java.util.SplittableRandom;

/**
 * Runs the SPARQ engine end to end on the built-in arithmetic domain (a procedural generator and a
 * <b>simulated</b> student, no language model) and prints archive statistics.
 *
 * <p>Run with {@code mvn -q -pl sparq-examples -am exec:java}. Arguments (all optional):
 * {@code [variant] [iterations] [seed]}, for example {@code DYNAMIC_DIVERSE 50 7}.
 */
public final class QuickStart {
  private QuickStart() {}

  public static void main(String[] args) {
    Variant variant = args.length > 0 ? Variant.valueOf(args[0]) : Variant.DYNAMIC_DIVERSE;
    int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 42;

    System.out.println("SPARQ quick start: arithmetic domain with a SIMULATED student (no model).");
    System.out.printf("variant=%s iterations=%d seed=%d%n", variant, iterations, seed);
    // snippet:quickstart
    try (Sparq sparq = Sparq.builder()
        .generator(ArithmeticDomain.generator())
        .solver(ArithmeticDomain.solver(0.15))
        .estimator(ArithmeticDomain.estimator(16, 0.1, 0.9))
        .descriptor(ArithmeticDomain.descriptor())
        .seedProblems(ArithmeticDomain.seeds(200, new SplittableRandom(seed)))
        .variant(variant)
        .nicheCapacity(8)
        .batchSize(64)
        .budget(Budget.iterations(iterations))
        .randomSeed(seed)
        .listener(new ProgressPrinter(10))
        .build()) {
      RunStats totals = sparq.run();
      ArchiveStats stats = sparq.archive().stats();
      // end:quickstart
      System.out.println();
      System.out.printf("candidates %d, generated %d, evaluated %d, rollouts %d, added %d%n",
          totals.candidates(), totals.generated(), totals.evaluated(), totals.rollouts(),
          totals.added());
      System.out.printf("archive: %d members in %d niches, QD score %.2f, best quality %.3f, "
          + "mean quality %.3f%n", stats.members(), stats.occupiedCells(), stats.qdScore(),
          stats.bestQuality(), stats.meanQuality());
      System.out.println("archive statuses: " + totals.statusCounts());
      System.out.println("rejections: " + totals.rejections());
    }
  }
}
