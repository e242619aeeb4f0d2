package dev.sparq.examples;

import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.engine.Variant;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.model.Problem;
import dev.sparq.core.preset.PaperPreset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SPARQ paper's setup ({@link PaperPreset}) driven through the {@link LanguageModel} port. The
 * model here is a <b>toy</b> written for the example: it "generates" sums and products, "solves" them
 * with random slips, and "labels" the operations as skills. Swap in a real backend (an ONNX or
 * OpenAI-compatible model) and nothing else changes.
 *
 * <p>Run with {@code mvn -q -pl sparq-examples -am exec:java
 * -Dexec.mainClass=dev.sparq.examples.PaperPresetExample}.
 */
public final class PaperPresetExample {
  private PaperPresetExample() {}

  public static void main(String[] args) {
    LanguageModel model = new ToyModel();
    List<Problem> seeds = List.of(
        Problem.of("Compute 3 + 4.", "3 + 4 = \\boxed{7}", "7"),
        Problem.of("Compute 6 * 7.", "6 * 7 = \\boxed{42}", "42"),
        Problem.of("Compute 5 + 6 * 2.", "6 * 2 = 12, 5 + 12 = \\boxed{17}", "17"));
    // snippet:paper-preset
    PaperPreset.Setup setup = PaperPreset.builder()
        .model(model)                       // or generatorModel / studentModel / labelerModel
        .seedProblems(seeds)
        .variant(Variant.DYNAMIC_DIVERSE)
        .nicheCapacity(8)
        .randomSeed(42)
        .setup();                           // labels the seeds once, builds the skill vocabulary
    try (Sparq sparq = setup.sparq().budget(Budget.iterations(10)).build()) {
      RunStats totals = sparq.run();
      // end:paper-preset
      System.out.printf("generated %d, rollouts %d, archive %d members in %d niches%n",
          totals.generated(), totals.rollouts(), sparq.archive().size(),
          sparq.archive().occupiedCells().length);
      System.out.println("skill vocabulary: " + setup.descriptor().vocabulary().skills());
      System.out.println("generator rejections: " + setup.generator().rejectionCounts());
      System.out.println("disputed: " + setup.guard().stats().disputed());
    }
  }

  /** A rule-based stand-in for a language model (not a model of anything real). */
  static final class ToyModel implements LanguageModel {
    private static final Pattern COMPUTE = Pattern.compile("Compute ([0-9+*\\s]+)\\.");

    @Override
    public List<List<Completion>> complete(List<ChatRequest> requests, SamplingParams params) {
      long seed = params.seed().orElse(0L);
      List<List<Completion>> out = new ArrayList<>();
      for (int i = 0; i < requests.size(); i++) {
        String prompt = requests.get(i).messages().get(requests.get(i).messages().size() - 1).content();
        List<Completion> samples = new ArrayList<>();
        for (int j = 0; j < params.n(); j++) {
          SplittableRandom r = new SplittableRandom(seed * 31 + i * 1_000_003L + j * 7_919L);
          samples.add(Completion.of(reply(prompt, r)));
        }
        out.add(samples);
      }
      return out;
    }

    private static String reply(String prompt, SplittableRandom r) {
      Matcher m = COMPUTE.matcher(prompt);
      if (prompt.contains("<problem>")) { // a generation prompt: write a new problem
        StringBuilder e = new StringBuilder().append(1 + r.nextInt(9));
        int ops = 1 + r.nextInt(5);
        for (int k = 0; k < ops; k++) {
          e.append(r.nextBoolean() ? " + " : " * ").append(1 + r.nextInt(9));
        }
        return "<problem>Compute " + e + ".</problem>\n<solution>The value is \\boxed{"
            + evaluate(e.toString(), 0, r) + "}.</solution>";
      }
      if (!m.find()) {
        return "I cannot read this problem.";
      }
      String expr = m.group(1).trim();
      if (prompt.contains("skills")) { // a labelling prompt
        return (expr.contains("+") ? "addition\n" : "") + (expr.contains("*") ? "multiplication\n" : "");
      }
      return "Step by step, the result is \\boxed{" + evaluate(expr, 0.15, r) + "}."; // a solve prompt
    }

    /** Products first, then sums; each operation slips by one with probability {@code slip}. */
    private static long evaluate(String expr, double slip, SplittableRandom r) {
      long sum = 0;
      for (String term : expr.split("\\+")) {
        long product = 1;
        for (String factor : term.split("\\*")) {
          product = product * Long.parseLong(factor.trim()) + (r.nextDouble() < slip ? 1 : 0);
        }
        sum += product + (r.nextDouble() < slip ? 1 : 0);
      }
      return sum;
    }
  }
}
