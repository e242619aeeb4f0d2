package dev.sparq.core.engine;

import dev.sparq.core.internal.Json;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.ProblemIds;
import dev.sparq.core.model.Validity;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The cost per candidate of the engine's evaluated problem ids ({@code state.evaluated}) with the
 * evaluations of {@code dev.sparq.bench.ScaleRun}'s fake model: K = 16 rollouts, the paper's bimodal solve rates,
 * band [0.1, 0.9], one of 5,000 skill sets of 3 of 100 skills. Prints the checkpoint bytes per id
 * in the form written before ({@code {"<id>":{"difficulty":...,"descriptor":...}}}, a Jackson map)
 * and in the compact form, and the heap per id of a {@code HashMap<String, Evaluated>} (what the
 * engine kept before), of the engine's {@link EvaluatedIds} and of a frozen copy (what a checkpoint
 * snapshot adds while it is written), each measured as the used heap after a full GC. A measuring
 * tool, not a test (surefire does not run it); the benchmarks jar supplies the dependencies:
 *
 * <pre>
 * mvn -B -q -o -pl sparq-bench -am package -DskipTests
 * mvn -B -q -o -pl sparq-core -am test-compile
 * java -Xmx3g -cp sparq-core/target/test-classes:sparq-core/target/classes:sparq-bench/target/benchmarks.jar \
 *     dev.sparq.core.engine.EvaluatedIdsCost 2000000
 * </pre>
 */
public final class EvaluatedIdsCost {
  private EvaluatedIdsCost() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    SplittableRandom r = new SplittableRandom(11);
    List<String>[] sets = skillSets(r);
    long h0 = usedAfterGc();
    HashMap<String, EngineState.Evaluated> before = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String id = ProblemIds.idOf("problem " + i);
      double u = r.nextDouble();
      int correct = u < 0.4 ? 0 : u < 0.8 ? 16 : (int) Math.round(16 * (0.05 + 0.9 * r.nextDouble()));
      double rate = correct / 16.0;
      Difficulty d = new Difficulty(correct, 16, rate >= 0.1 && rate <= 0.9 ? 1 - rate : 0,
          Validity.VALID);
      // a new Descriptor per candidate, as the descriptor stage makes one per child
      before.put(id, new EngineState.Evaluated(d, Descriptor.ofLabels(sets[r.nextInt(sets.length)])));
    }
    long h1 = usedAfterGc();
    long oldBytes = jsonBytes(before);
    EvaluatedIds engine = new EvaluatedIds();
    engine.addAll(before);
    before = null;
    long h2 = usedAfterGc();
    RunStats totals = new RunStats(0, 0, 0, 0, 0, 0, Map.of(), Map.of(), 0, 0);
    EngineState saved = new EngineState(1, totals, engine.snapshot(), 0);
    long h3 = usedAfterGc();
    long newBytes = jsonBytes(saved) - jsonBytes(new EngineState(1, totals, Map.of(), 0));
    System.out.printf(Locale.ROOT, "%,d ids%n", saved.evaluated().size());
    System.out.printf(Locale.ROOT, "checkpoint bytes per id: before %.1f, now %.1f%n",
        (double) oldBytes / n, (double) newBytes / n);
    System.out.printf(Locale.ROOT,
        "heap bytes per id: before (HashMap) %.1f, now (engine) %.1f, frozen copy at a checkpoint +%.1f%n",
        (double) (h1 - h0) / n, (double) (h2 - h0) / n, (double) (h3 - h2) / n);
  }

  @SuppressWarnings("unchecked")
  private static List<String>[] skillSets(SplittableRandom r) {
    List<String>[] sets = new List[5000];
    for (int s = 0; s < sets.length; s++) {
      TreeSet<String> t = new TreeSet<>();
      while (t.size() < 3) {
        t.add(String.format(Locale.ROOT, "skill %02d", r.nextInt(100)));
      }
      sets[s] = List.copyOf(t);
    }
    return sets;
  }

  private static long jsonBytes(Object value) throws Exception {
    long[] n = new long[1];
    Json.mapper().writeValue(new OutputStream() {
      @Override
      public void write(int b) {
        n[0]++;
      }

      @Override
      public void write(byte[] b, int off, int len) {
        n[0] += len;
      }
    }, value);
    return n[0];
  }

  private static long usedAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
