package dev.sparq.examples;

import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.engine.Variant;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.model.Problem;
import dev.sparq.core.preset.PaperPreset;
import dev.sparq.testkit.math.ArithmeticModel;
import java.util.List;

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
    // the test kit's simulated math student: each operation slips with probability 0.15
    LanguageModel model = new ArithmeticModel(0.15, 0, 0);
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
}
