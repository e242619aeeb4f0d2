package dev.sparq.examples.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.ConfigException;
import dev.sparq.core.Json;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Rollout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Turns a run's candidate log into training examples the way SPARQ does: every candidate whose
 * quality is above zero and inside {@code [minQuality, maxQuality]} contributes each of its correct
 * rollouts as one (problem, solution) example; duplicates (same problem and solution text) are
 * dropped; a budget keeps a uniform random subset (reservoir sampling with the given seed).
 */
final class SimpleExport {
  /** Formats written by {@link #write}. */
  static final List<String> FORMATS = List.of("messages", "prompt-completion", "alpaca", "sharegpt");

  private SimpleExport() {}

  /** One training example. */
  record Example(String problemId, String prompt, String completion, double quality) {}

  /** Summary of an export. */
  record Summary(Path file, long eligibleCandidates, long examplesBeforeBudget, int written) {}

  static Summary export(RunDirectory dir, String format, double minQuality, double maxQuality, long budget,
      long seed, Path file) {
    if (!FORMATS.contains(format)) {
      throw ConfigException.forKey("format", "'" + format + "' is not allowed; allowed values: "
          + String.join(", ", FORMATS));
    }
    SplittableRandom random = new SplittableRandom(seed);
    List<Example> reservoir = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    long[] eligible = {0};
    long[] total = {0};
    dir.forEachCandidate((EvaluatedCandidate c) -> {
      double q = c.difficulty().quality();
      if (!(q > 0) || q < minQuality || q > maxQuality) {
        return;
      }
      eligible[0]++;
      for (Rollout r : c.rollouts()) {
        if (!r.correct() || !seen.add(c.problem().id() + "\u0000" + r.text())) {
          continue;
        }
        Example e = new Example(c.problem().id(), c.problem().statement(), r.text(), q);
        total[0]++;
        if (reservoir.size() < budget) {
          reservoir.add(e);
        } else {
          long j = random.nextLong(total[0]);
          if (j < budget) {
            reservoir.set((int) j, e);
          }
        }
      }
    });
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        for (Example e : reservoir) {
          w.write(Json.mapper().writeValueAsString(line(format, e)));
          w.write('\n');
        }
      }
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write " + file, ex);
    }
    return new Summary(file, eligible[0], total[0], reservoir.size());
  }

  static ObjectNode line(String format, Example e) {
    ObjectNode o = Json.mapper().createObjectNode();
    switch (format) {
      case "messages" -> {
        ArrayNode m = o.putArray("messages");
        m.addObject().put("role", "user").put("content", e.prompt());
        m.addObject().put("role", "assistant").put("content", e.completion());
      }
      case "prompt-completion" -> {
        o.put("prompt", e.prompt());
        o.put("completion", e.completion());
      }
      case "alpaca" -> {
        o.put("instruction", e.prompt());
        o.put("input", "");
        o.put("output", e.completion());
      }
      default -> {
        ArrayNode m = o.putArray("conversations");
        m.addObject().put("from", "human").put("value", e.prompt());
        m.addObject().put("from", "gpt").put("value", e.completion());
      }
    }
    return o;
  }
}
