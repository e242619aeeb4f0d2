package dev.sparq.examples.cli;

import dev.sparq.core.answer.AnswerChecker;
import dev.sparq.core.archive.Archive;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.DiversityDescriptor;
import dev.sparq.core.stage.Generator;
import dev.sparq.core.stage.Solver;
import java.util.List;
import java.util.ServiceLoader;
import java.util.random.RandomGenerator;

/**
 * The domain behind backend {@code demo}: a rule-based generator, a simulated student and numeric
 * measures, with no language model. The command does not know which domain it is; the one on the
 * class path is found with {@link ServiceLoader} (sparq-examples registers
 * {@code dev.sparq.examples.demo.provider.DemoProvider}), so the {@code cli} package imports nothing of it.
 */
public interface SimulatedDomain {

  /** The simulated student's default slip rate ({@code backend.slip}). */
  double defaultSlip();

  /** Names of the numeric measures, in order (for the report's axes). */
  List<String> measures();

  /** {@code n} seed problems drawn with {@code random}. */
  List<Problem> seeds(int n, RandomGenerator random);

  /** The rule-based generator. */
  Generator generator();

  /** The simulated student with slip rate {@code slip}, grading with {@code checker}. */
  Solver student(double slip, AnswerChecker checker);

  /** The descriptor: skill labels and numeric measures. */
  DiversityDescriptor descriptor();

  /** A new empty archive of that shape, {@code capacity} members per cell. */
  Archive archive(RunConfig.ArchiveKind kind, int capacity, long seed);

  /**
   * The domain on the class path.
   *
   * @throws dev.sparq.core.ConfigException when none is registered
   */
  static SimulatedDomain get() {
    return Holder.DOMAIN.orElseThrow(() -> new dev.sparq.core.ConfigException(
        "backend 'demo' needs a simulated domain on the class path (META-INF/services/"
            + SimulatedDomain.class.getName() + "); none was found"));
  }

  /** Loads the provider once. */
  final class Holder {
    static final java.util.Optional<SimulatedDomain> DOMAIN =
        ServiceLoader.load(SimulatedDomain.class, SimulatedDomain.class.getClassLoader()).findFirst();

    private Holder() {}
  }
}
