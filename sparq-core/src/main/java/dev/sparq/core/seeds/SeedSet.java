package dev.sparq.core.seeds;

import dev.sparq.core.model.Problem;
import java.util.List;

/**
 * The result of loading seed problems.
 *
 * @param problems the problems, in file order (files in path order), without duplicates
 * @param skipped records skipped in lenient mode (bad lines, missing answers, duplicates, empty or
 *     undecodable files)
 * @param warnings one message per skipped record, each naming file, line and field
 */
public record SeedSet(List<Problem> problems, int skipped, List<String> warnings) {
  public SeedSet {
    problems = List.copyOf(problems);
    warnings = List.copyOf(warnings);
  }

  public int size() {
    return problems.size();
  }
}
