package dev.sparq.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code sparq config --explain}: a configuration with every default filled in, which model plays
 * which role, and what one iteration costs at most in model calls and completion tokens.
 */
public final class ConfigExplain {
  private ConfigExplain() {}

  /** Extra solves of a disputed problem under guard policy {@code resolve}. */
  static final int RESOLVE_VOTES = 3;

  /**
   * The model requests of one iteration, each a range [min, max] (the adaptive estimator and the
   * filters decide within it).
   *
   * @param generation generator requests (one per parent)
   * @param rolloutsMin fewest solver rollouts
   * @param rolloutsMax most solver rollouts
   * @param labellerMax most labeller requests (one per child that reaches the descriptor)
   * @param resolveMax most extra requests of guard policy resolve
   * @param completionTokensMax the most completion tokens of all of them
   */
  public record PerIteration(long generation, long rolloutsMin, long rolloutsMax, long labellerMax,
      long resolveMax, long completionTokensMax) {}

  /** The per-iteration cost of a configuration. */
  public static PerIteration perIteration(RunConfig c) {
    long b = c.batchSize();
    RunConfig.EstimatorConfig e = c.stages().estimator();
    long min;
    long max;
    if (e.adaptive()) {
      int most = e.maxRollouts() == 0 ? c.k() : e.maxRollouts();
      int first = Math.min(e.initialRollouts(), most);
      // archive-aware allocation may stop at 0 rollouts only when nothing can enter; still >= 1 round
      min = b * first;
      max = b * most;
    } else {
      min = b * c.k();
      max = min;
    }
    boolean model = !c.backend().simulated();
    long labeller = model && c.stages().descriptor().skills() ? b : 0;
    long resolve = model && c.stages().guard().policy() == dev.sparq.core.difficulty.ValidityGuard.Policy.RESOLVE
        ? b * RESOLVE_VOTES : 0;
    long tokens = 0;
    if (model) {
      int genTokens = c.model("generator").orElseThrow().maxTokens();
      int solveTokens = c.model("solver").orElseThrow().maxTokens();
      tokens = b * genTokens + max * solveTokens + labeller * c.stages().descriptor().labelMaxTokens() + resolve * genTokens;
    }
    return new PerIteration(b, min, max, labeller, resolve, tokens);
  }

  /** The text {@code sparq config --explain} prints. */
  public static String explain(RunConfig c) {
    StringBuilder out = new StringBuilder();
    out.append("# The resolved configuration: every key with its value or default; relative paths made\n");
    out.append("# absolute. This is what run.json records.\n");
    try {
      ObjectMapper yaml = YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build();
      out.append(yaml.writeValueAsString(c.toTree()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    out.append("\n# Models by role\n");
    if (c.backend().simulated()) {
      out.append("generator, solver, labeller: none (backend demo: rule-based generator, simulated student)\n");
    } else {
      Map<RunConfig.Backend.ModelBackend, List<String>> roles = new LinkedHashMap<>();
      for (String role : ConfigKeys.ROLES) {
        if (role.equals("labeller") && !c.stages().descriptor().skills()) {
          continue;
        }
        roles.computeIfAbsent(c.model(role).orElseThrow(), k -> new ArrayList<>()).add(role);
      }
      roles.forEach((m, names) -> out.append(String.join(", ", names)).append(": ").append(describe(m))
          .append('\n'));
      if (c.stages().descriptor().skills()) {
        out.append(String.format(Locale.ROOT, "labeller sampling: temperature %s, maxTokens %d"
            + " (descriptor.labelTemperature, descriptor.labelMaxTokens)%n",
            c.stages().descriptor().labelTemperature(), c.stages().descriptor().labelMaxTokens()));
      }
      if (c.stages().descriptor().embedding()) {
        out.append("embedding: ").append(c.stages().descriptor().embeddingModel()).append(" (in-process ONNX)\n");
      }
    }
    PerIteration p = perIteration(c);
    out.append("\n# Per iteration (batch ").append(c.batchSize()).append(")\n");
    out.append(String.format(Locale.ROOT, "generator requests: %d (one per parent)%n", p.generation()));
    if (c.stages().estimator().adaptive()) {
      out.append(String.format(Locale.ROOT, "solver rollouts: %d to %d (adaptive: %d to %d per child,"
          + " reference K = %d)%n", p.rolloutsMin(), p.rolloutsMax(), p.rolloutsMin() / c.batchSize(),
          p.rolloutsMax() / c.batchSize(), c.k()));
    } else {
      out.append(String.format(Locale.ROOT, "solver rollouts: %d (%d children x K = %d)%n", p.rolloutsMax(),
          c.batchSize(), c.k()));
    }
    if (!c.backend().simulated()) {
      out.append(String.format(Locale.ROOT, "labeller requests: up to %d (one per child that reaches the"
          + " descriptor)%n", p.labellerMax()));
      if (p.resolveMax() > 0) {
        out.append(String.format(Locale.ROOT, "resolve requests: up to %d (%d per disputed child)%n",
            p.resolveMax(), RESOLVE_VOTES));
      }
      out.append(String.format(Locale.ROOT, "completion tokens: at most %d (generator %d x %d, solver %d x %d,"
          + " labeller %d x %d%s); prompt tokens come on top%n", p.completionTokensMax(), p.generation(),
          c.model("generator").orElseThrow().maxTokens(), p.rolloutsMax(), c.model("solver").orElseThrow().maxTokens(),
          p.labellerMax(), c.stages().descriptor().labelMaxTokens(), p.resolveMax() > 0 ? ", resolve " + p.resolveMax() + " x "
              + c.model("generator").orElseThrow().maxTokens() : ""));
      if (c.stages().descriptor().skills()) {
        // the seed file is not read here, so the count is the seeds.limit cap, said as such
        out.append(String.format(Locale.ROOT, "before the first iteration: one labeller request per seed, at most"
            + " %d (seeds.limit; the file is not read here), to build the skill vocabulary (M = %d)%n",
            c.seeds().limit(), c.stages().descriptor().vocabulary()));
      }
    } else {
      out.append("tokens: none (no language model)\n");
    }
    return out.toString();
  }

  private static String describe(RunConfig.Backend.ModelBackend m) {
    String where = m instanceof RunConfig.Backend.OpenAi o
        ? "openai at " + String.join(", ", o.endpoints().stream().map(e -> Components.withoutCredentials(e.url())).toList())
        : "onnx on " + ((RunConfig.Backend.Onnx) m).device();
    return String.format(Locale.ROOT, "%s (%s; temperature %s, maxTokens %d)", m.model(), where,
        m.temperature(), m.maxTokens());
  }
}
