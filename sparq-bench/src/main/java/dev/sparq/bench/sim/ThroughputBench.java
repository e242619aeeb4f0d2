package dev.sparq.bench.sim;

import dev.sparq.core.difficulty.FixedKEstimator;
import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.Mode;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.Sparq;
import dev.sparq.core.engine.Variant;
import dev.sparq.core.generate.LlmGenerator;
import dev.sparq.core.solve.LlmSolver;
import dev.sparq.openai.OpenAiLanguageModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Synchronous vs asynchronous engine against the {@link SimulatedInferenceServer}: wall time
 * (simulated), candidates per simulated GPU-hour, server utilisation and QD score per rollout, at
 * several server capacities. Everything goes through the real {@link OpenAiLanguageModel} over HTTP
 * on loopback: generation with {@link LlmGenerator}, K = 16 rollouts per child as one request with
 * {@code n = 16} through {@link LlmSolver} and the paper's {@link FixedKEstimator}; the descriptor is
 * local ({@link SimMathDomain#descriptor()}).
 *
 * <pre>
 * mvn -B -q -pl sparq-bench -am package -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true
 * java -cp sparq-bench/target/benchmarks.jar dev.sparq.bench.sim.ThroughputBench \
 *     [rollouts=8192] [quietMs=20] [capacities=64,256,1024] [inFlight=capacity/4 and capacity/2, or a list] [variant=static_uniform] [seed=1]
 * </pre>
 *
 * <p>The client's requests in flight per endpoint are raised to {@code max(64, in_flight)}, as the CLI
 * does; {@code -Dsim.clientLimit=64} keeps the client's default to show it capping the server.
 */
public final class ThroughputBench {
  static final int BATCH = 64;
  static final int K = 16;
  /**
   * Seed problems. A static working set draws parents from the seeds; with few seeds a synchronous
   * batch draws the same parent twice, and one request seed per batch call makes a seeded server
   * return the same child, a duplicate (about a third of a batch with 64 seeds). The paper's seed
   * set has thousands of problems; 1,000 keeps such repeats rare.
   */
  static final int SEEDS = 1000;

  private ThroughputBench() {}

  /** One measured run. */
  public record Result(String mode, int capacity, int inFlight, double simSeconds, long candidates,
      long solved, long rollouts, double utilisation, double qdScore, double realSeconds, long iterations,
      double[] curveRollouts, double[] curveQd) {
    double perGpuHour() {
      return candidates / (simSeconds / 3600.0);
    }

    double solvedPerGpuHour() {
      return solved / (simSeconds / 3600.0);
    }

    /** QD score when the run had spent {@code r} rollouts (linear between iterations). */
    double qdAt(double r) {
      double prevR = 0;
      double prevQ = curveQd.length == 0 ? 0 : curveQd[0];
      for (int i = 0; i < curveRollouts.length; i++) {
        if (curveRollouts[i] >= r) {
          double span = curveRollouts[i] - prevR;
          return span <= 0 ? curveQd[i] : prevQ + (curveQd[i] - prevQ) * (r - prevR) / span;
        }
        prevR = curveRollouts[i];
        prevQ = curveQd[i];
      }
      return prevQ;
    }
  }

  public static void main(String[] args) throws Exception {
    long rollouts = args.length > 0 ? Long.parseLong(args[0]) : 8192;
    java.time.Duration quiet = java.time.Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 20);
    List<Integer> capacities = ints(args.length > 2 ? args[2] : "64,256,1024");
    String inFlightArg = args.length > 3 ? args[3] : "auto";
    Variant variant = Variant.valueOf((args.length > 4 ? args[4] : "static_uniform").toUpperCase(Locale.ROOT));
    long seed = args.length > 5 ? Long.parseLong(args[5]) : 1;
    System.out.printf(Locale.ROOT, "ThroughputBench: batch %d, K %d, budget %d rollouts, %s, seed %d, quiet %d ms,"
        + " %d cores%n", BATCH, K, rollouts, variant, seed, quiet.toMillis(),
        Runtime.getRuntime().availableProcessors());
    BatchCostModel.Params p = BatchCostModel.Params.gpu(1);
    System.out.printf(Locale.ROOT, "cost model: step = %.3f ms + %.4f ms x running sequences + %.3f ms x prompt tokens"
        + " admitted; lengths log-normal clipped to 300..1500 tokens%n", p.stepBase() * 1000,
        p.stepPerSequence() * 1000, p.prefillPerToken() * 1000);
    System.out.printf("%-6s %8s %9s %10s %10s %7s %11s %11s %7s %9s %9s %7s%n", "mode", "capacity", "in_flight",
        "sim_wall_s", "candidates", "solved", "cand/GPU-h", "solved/GPU-h", "util", "rollouts", "qd_score", "real_s");
    for (int capacity : capacities) {
      Result sync = run(Mode.SYNC, capacity, BATCH, BATCH, rollouts, quiet, variant, seed);
      print(sync);
      List<Integer> inFlights = inFlightArg.equals("auto") ? List.of(Math.max(16, capacity / 4), Math.max(32, capacity / 2)) : ints(inFlightArg);
      for (int f : inFlights) {
        Result async = run(Mode.ASYNC, capacity, f, BATCH, rollouts, quiet, variant, seed);
        print(async);
        double r = Math.min(rollouts, Math.min(sync.rollouts(), async.rollouts()));
        System.out.printf(Locale.ROOT, "  capacity %d, async in_flight %d vs sync: %.2fx candidates and %.2fx solved"
            + " problems per GPU-hour, utilisation %.1f%% vs %.1f%%, QD score per rollout at %.0f rollouts %.4f vs"
            + " %.4f (%+.1f%%)%n", capacity, f, async.perGpuHour() / sync.perGpuHour(),
            async.solvedPerGpuHour() / sync.solvedPerGpuHour(), 100 * async.utilisation(), 100 * sync.utilisation(),
            r, async.qdAt(r) / r, sync.qdAt(r) / r, 100 * (async.qdAt(r) / sync.qdAt(r) - 1));
      }
    }
  }

  private static List<Integer> ints(String s) {
    List<Integer> out = new ArrayList<>();
    for (String p : s.split(",")) {
      out.add(Integer.parseInt(p.trim()));
    }
    return out;
  }

  private static void print(Result r) {
    System.out.printf(Locale.ROOT, "%-6s %8d %9s %10.0f %10d %7d %11.0f %11.0f %6.1f%% %9d %9.2f %7.1f%n", r.mode(),
        r.capacity(), r.mode().equals("sync") ? "-" : Integer.toString(r.inFlight()), r.simSeconds(),
        r.candidates(), r.solved(), r.perGpuHour(), r.solvedPerGpuHour(), 100 * r.utilisation(), r.rollouts(),
        r.qdScore(), r.realSeconds());
  }

  /** Runs batches of {@code batch} until {@code rollouts} rollouts against a fresh simulated server. */
  public static Result run(Mode mode, int capacity, int inFlight, int batch, long rollouts, java.time.Duration quiet,
      Variant variant, long seed) throws Exception {
    try (SimulatedInferenceServer server = new SimulatedInferenceServer(BatchCostModel.Params.gpu(capacity), quiet);
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl()).model("sim")
            .maxConcurrencyPerEndpoint(Integer.getInteger("sim.clientLimit", Math.max(batch, inFlight))).build()) {
      Sparq.Builder b = Sparq.builder()
          .generator(LlmGenerator.builder(model).build())
          .solver(LlmSolver.builder(model).build())
          .estimator(FixedKEstimator.paper())
          .descriptor(SimMathDomain.descriptor())
          .seedProblems(SimMathDomain.seeds(SEEDS, 7))
          .variant(variant)
          .nicheCapacity(10)
          .batchSize(batch)
          .chunkSize(batch) // the synchronous mode sends each stage as one batch, as the CLI does for model backends
          .budget(Budget.rollouts(rollouts))
          .randomSeed(seed)
          .stallLimit(0)
          .mode(mode)
          .inFlight(inFlight);
      List<double[]> curve = new ArrayList<>();
      long[] solved = {0};
      b.onIteration(e -> curve.add(new double[] {e.totals().rollouts(), e.archive().qdScore()}));
      b.onCandidate(c -> solved[0] += c.rollouts().isEmpty() ? 0 : 1);
      try (Sparq sparq = b.build()) {
        SimulatedInferenceServer.Reading before = server.read();
        long t0 = System.nanoTime();
        RunStats t = sparq.run();
        double real = (System.nanoTime() - t0) * 1e-9;
        SimulatedInferenceServer.Reading after = server.read();
        if (Boolean.getBoolean("sim.verbose")) {
          System.out.printf(Locale.ROOT, "  [%s] requests %d, sequences %d, tokens %d, steps %d,"
              + " generated %d, evaluated %d, duplicates %d, rejections %s%n", mode, after.requests() - before.requests(),
              after.sequences() - before.sequences(), after.tokens() - before.tokens(), after.steps() - before.steps(),
              t.generated(), t.evaluated(), t.duplicates(), t.rejections());
        }
        return new Result(mode.name().toLowerCase(Locale.ROOT), capacity, inFlight, after.now() - before.now(),
            t.candidates(), solved[0], t.rollouts(), after.utilisationSince(before, capacity),
            sparq.archive().stats().qdScore(), real, t.iterations(),
            curve.stream().mapToDouble(p -> p[0]).toArray(), curve.stream().mapToDouble(p -> p[1]).toArray());
      }
    }
  }
}
