package dev.sparq.examples.demo.provider;

import dev.sparq.core.answer.AnswerChecker;
import dev.sparq.core.archive.Archive;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.DiversityDescriptor;
import dev.sparq.core.stage.Generator;
import dev.sparq.core.stage.Solver;
import dev.sparq.examples.cli.RunConfig;
import dev.sparq.examples.cli.SimulatedDomain;
import dev.sparq.examples.demo.DemoDomain;
import java.util.List;
import java.util.random.RandomGenerator;

/** The demo domain as the {@code sparq} command's backend {@code demo} (registered as a service). */
public final class DemoProvider implements SimulatedDomain {
  /** Used by {@link java.util.ServiceLoader}. */
  public DemoProvider() {}

  @Override
  public double defaultSlip() {
    return DemoDomain.DEFAULT_SLIP;
  }

  @Override
  public List<String> measures() {
    return DemoDomain.MEASURES;
  }

  @Override
  public List<Problem> seeds(int n, RandomGenerator random) {
    return DemoDomain.seeds(n, random);
  }

  @Override
  public Generator generator() {
    return DemoDomain.generator();
  }

  @Override
  public Solver student(double slip, AnswerChecker checker) {
    return DemoDomain.student(slip, (given, gold) -> checker.equivalent(gold, given));
  }

  @Override
  public DiversityDescriptor descriptor() {
    return DemoDomain.descriptor();
  }

  @Override
  public Archive archive(RunConfig.ArchiveKind kind, int capacity, long seed) {
    return DemoDomain.archive(DemoDomain.ArchiveKind.valueOf(kind.name()), capacity, seed);
  }
}
