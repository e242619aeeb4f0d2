package dev.sparq.examples.cli;

import dev.sparq.core.ConfigException;
import dev.sparq.core.archive.Archive;
import dev.sparq.core.model.Problem;
import dev.sparq.core.pipeline.DifficultyEstimator;
import dev.sparq.core.pipeline.DiversityDescriptor;
import dev.sparq.core.pipeline.Generator;
import dev.sparq.core.pipeline.Solver;
import dev.sparq.examples.demo.DemoDomain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The pipeline stages a configuration asks for, plus whatever must be closed after the run (model
 * sessions, HTTP clients).
 *
 * @param generator makes children
 * @param solver the student
 * @param estimator measures difficulty
 * @param descriptor places problems in niches
 * @param seeds the seed set
 * @param archive the empty archive to fill
 * @param closeables closed in reverse order by {@link #close()}
 */
record Components(Generator generator, Solver solver, DifficultyEstimator estimator,
    DiversityDescriptor descriptor, List<Problem> seeds, Archive archive, List<AutoCloseable> closeables)
    implements AutoCloseable {

  /** Builds the stages for a configuration. */
  static Components open(RunConfig c) {
    List<Problem> seeds = switch (c.seeds().format()) {
      case "demo" -> DemoDomain.seeds(c.seeds().limit(), new SplittableRandom(c.seed()));
      default -> JsonlSeeds.read(Path.of(c.seeds().path()), c.seeds().limit());
    };
    Archive archive = DemoDomain.archive(c.archive(), c.capacity(), c.seed());
    switch (c.backend().type()) {
      case "demo":
        return new Components(DemoDomain.generator(), DemoDomain.student(c.backend().slip()),
            DemoDomain.estimator(c.k(), c.bandLow(), c.bandHigh()), DemoDomain.descriptor(), seeds, archive,
            List.of());
      case "onnx":
        throw ConfigException.forKey("backend.type", "'onnx' needs the sparq-onnx module and the LLM "
            + "pipeline, which this build does not include yet; allowed values in this build: demo");
      case "openai":
        throw ConfigException.forKey("backend.type", "'openai' needs the sparq-openai module and the LLM "
            + "pipeline, which this build does not include yet; allowed values in this build: demo");
      default:
        throw ConfigException.forKey("backend.type", "'" + c.backend().type()
            + "' is not allowed; allowed values: " + String.join(", ", RunConfig.BACKENDS));
    }
  }

  @Override
  public void close() {
    List<AutoCloseable> rev = new ArrayList<>(closeables);
    java.util.Collections.reverse(rev);
    RuntimeException first = null;
    for (AutoCloseable a : rev) {
      try {
        a.close();
      } catch (Exception e) {
        if (first == null) {
          first = new RuntimeException("closing " + a + " failed: " + e.getMessage(), e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
