package dev.sparq.examples;

import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.ArchiveStats;
import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.engine.Variant;
import dev.sparq.core.model.Elite;
import dev.sparq.examples.demo.DemoDomain;
import java.util.SplittableRandom;

/**
 * Uses the demo domain of {@code sparq demo} from Java: the procedural algebra generator, the
 * <b>simulated</b> student, SPARQ's fixed-K estimator and the skill-set descriptor, on a grid archive
 * over the descriptor's two measures. Prints the archive and its best problem.
 */
public final class DemoDomainExample {
  private DemoDomainExample() {}

  public static void main(String[] args) {
    long seed = args.length > 0 ? Long.parseLong(args[0]) : 1;
    System.out.println("Demo domain with a SIMULATED student (no language model).");
    // snippet:demo-domain
    Archive archive = DemoDomain.archive(DemoDomain.ArchiveKind.GRID, 4, seed);
    try (Sparq sparq = Sparq.builder()
        .generator(DemoDomain.generator())
        .solver(DemoDomain.student(DemoDomain.DEFAULT_SLIP))
        .estimator(DemoDomain.estimator(16, 0.1, 0.9))
        .descriptor(DemoDomain.descriptor())
        .seedProblems(DemoDomain.seeds(100, new SplittableRandom(seed)))
        .archive(archive)
        .variant(Variant.DYNAMIC_DIVERSE)
        .batchSize(32)
        .budget(Budget.iterations(10))
        .randomSeed(seed)
        .build()) {
      sparq.run();
    }
    ArchiveStats stats = archive.stats();
    Elite best = archive.members().stream()
        .max(java.util.Comparator.comparingDouble(Elite::quality)).orElseThrow();
    // end:demo-domain
    System.out.printf("%d members in %d of %d cells, QD score %.2f%n", stats.members(),
        stats.occupiedCells(), stats.cells(), stats.qdScore());
    System.out.println("best: " + best.problem().statement() + "  answer " + best.problem().answer()
        + ", solved " + best.difficulty().correct() + "/" + best.difficulty().rollouts());
  }
}
