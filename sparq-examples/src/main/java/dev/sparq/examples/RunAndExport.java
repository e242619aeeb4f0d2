package dev.sparq.examples;

import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.engine.Variant;
import dev.sparq.core.export.ExportFormat;
import dev.sparq.core.export.ExportReport;
import dev.sparq.core.export.Exporter;
import dev.sparq.core.export.Selector;
import dev.sparq.testkit.math.ArithmeticDomain;
import dev.sparq.core.store.LogOptions;
import dev.sparq.core.store.SparqRun;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A run in an output directory (candidate log plus checkpoints, resumable) on the arithmetic domain
 * with its <b>simulated</b> student, followed by an export to TRL conversational rows.
 *
 * <p>Arguments (optional): {@code [run-dir] [iterations]}. Run it twice with a larger iteration
 * count the second time and it continues from the checkpoint instead of starting over.
 */
public final class RunAndExport {
  private RunAndExport() {}

  public static void main(String[] args) {
    Path dir = Path.of(args.length > 0 ? args[0] : "sparq-out/run-and-export");
    int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    long seed = 42;
    // snippet:run-directory
    Sparq.Builder engine = Sparq.builder()
        .generator(ArithmeticDomain.generator())
        .solver(ArithmeticDomain.solver(0.15))
        .estimator(ArithmeticDomain.estimator(16, 0.1, 0.9))
        .descriptor(ArithmeticDomain.descriptor())
        .seedProblems(ArithmeticDomain.seeds(200, new SplittableRandom(seed)))
        .variant(Variant.DYNAMIC_DIVERSE)
        .budget(Budget.iterations(iterations))
        .randomSeed(seed);
    try (SparqRun run = SparqRun.builder(dir, engine)
        .checkpointEvery(10)
        .logOptions(LogOptions.defaults().withGzip(true))
        .open()) {
      RunStats totals = run.run(); // resumes from dir/checkpoint.json when there is one
      // end:run-directory
      System.out.printf("%s at iteration %d: %d candidates evaluated, log in %s%n",
          run.resumed() ? "resumed, now" : "finished", totals.iterations(), totals.evaluated(),
          run.log().directory());
    }
    // snippet:export
    ExportReport report = Exporter.builder()
        .log(dir.resolve(SparqRun.LOG))
        .output(dir.resolve("export"))
        .name("arithmetic-sft")
        .format(ExportFormat.MESSAGES)
        .qualityBand(0.1, 0.9)
        .nearDuplicates(8, 8)
        .selector(Selector.qualityDiversity(500))
        .seed(7)
        .build()
        .run();
    // end:export
    System.out.printf("exported %d rows from %d problems to %s; removed: %s%n",
        report.examplesWritten(), report.problemsWritten(), report.data(), report.removed());
  }
}
