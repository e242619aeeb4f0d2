package dev.sparq.examples.cli;

import dev.sparq.core.model.Problem;
import dev.sparq.core.seeds.SeedLoader;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code jsonl} seed format of the command line, read by sparq-core's {@link SeedLoader#loadJsonl}
 * (the same strict reader the API uses): {@code problem} (or {@code statement}) as text,
 * {@code answer} or a {@code solution} with a {@code \boxed{}} answer, other scalar fields as
 * attributes. UTF-8 with or without a byte-order mark; faults are {@code file:line: field 'x':
 * problem}; duplicates, two objects on a line and repeated keys are refused.
 */
final class JsonlSeeds {
  private JsonlSeeds() {}

  static List<Problem> read(Path file, int limit) {
    List<Problem> all = SeedLoader.strict().loadJsonl(file).problems();
    return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
  }
}
