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
 *     [rollouts=8192] [quietMs=20] [capacities=64,256,1024] [inFlight=capacity/4, or a list] [variant=static_uniform] [seed=1]
 * </pre>
 */
public final class ThroughputBench {
  static final int BATCH = 64;
  static final int K = 16;

  private ThroughputBench() {}

  /** One measured run. */
  public record Result(String mode, int capacity, int inFlight, double simSeconds, long candidates,
      long rollouts, double utilisation, double qdScore, double realSeconds, long iterations) {
    double perGpuHour() {
      return candidates / (simSeconds / 3600.0);
    }

    double qdPerRollout() {
      return rollouts == 0 ? 0 : qdScore / rollouts;
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
    System.out.println("cost model: step = 8 ms + 0.08 ms x running sequences + 0.05 ms x prompt tokens admitted;"
        + " lengths log-normal clipped to 300..1500 tokens");
    System.out.printf("%-6s %8s %9s %10s %10s %12s %7s %9s %9s %11s %7s%n", "mode", "capacity", "in_flight",
        "sim_wall_s", "candidates", "cand/GPU-h", "util", "rollouts", "qd_score", "qd/rollout", "real_s");
    for (int capacity : capacities) {
      Result sync = run(Mode.SYNC, capacity, BATCH, BATCH, rollouts, quiet, variant, seed);
      print(sync);
      List<Integer> inFlights = inFlightArg.equals("auto") ? List.of(Math.max(16, capacity / 4)) : ints(inFlightArg);
      for (int f : inFlights) {
        Result async = run(Mode.ASYNC, capacity, f, BATCH, rollouts, quiet, variant, seed);
        print(async);
        System.out.printf(Locale.ROOT, "  capacity %d, async in_flight %d vs sync: %.2fx candidates per GPU-hour,"
            + " utilisation %.1f%% vs %.1f%%, QD score per rollout %+.1f%%%n", capacity, f,
            async.perGpuHour() / sync.perGpuHour(), 100 * async.utilisation(), 100 * sync.utilisation(),
            100 * (async.qdPerRollout() / sync.qdPerRollout() - 1));
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
    System.out.printf(Locale.ROOT, "%-6s %8d %9s %10.0f %10d %12.0f %6.1f%% %9d %9.2f %11.5f %7.1f%n", r.mode(),
        r.capacity(), r.mode().equals("sync") ? "-" : Integer.toString(r.inFlight()), r.simSeconds(),
        r.candidates(), r.perGpuHour(), 100 * r.utilisation(), r.rollouts(), r.qdScore(), r.qdPerRollout(),
        r.realSeconds());
  }

  /** Runs batches of {@code batch} until {@code rollouts} rollouts against a fresh simulated server. */
  public static Result run(Mode mode, int capacity, int inFlight, int batch, long rollouts, java.time.Duration quiet,
      Variant variant, long seed) throws Exception {
    try (SimulatedInferenceServer server = new SimulatedInferenceServer(BatchCostModel.Params.gpu(capacity), quiet);
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl()).model("sim")
            .maxConcurrencyPerEndpoint(Math.max(batch, inFlight)).build()) {
      Sparq.Builder b = Sparq.builder()
          .generator(LlmGenerator.builder(model).build())
          .solver(LlmSolver.builder(model).build())
          .estimator(FixedKEstimator.paper())
          .descriptor(SimMathDomain.descriptor())
          .seedProblems(SimMathDomain.seeds(64, 7))
          .variant(variant)
          .nicheCapacity(10)
          .batchSize(batch)
          .chunkSize(batch) // the synchronous mode sends each stage as one batch, as the CLI does for model backends
          .budget(Budget.rollouts(rollouts))
          .randomSeed(seed)
          .stallLimit(0)
          .mode(mode)
          .inFlight(inFlight);
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
            t.candidates(), t.rollouts(), after.utilisationSince(before, capacity), sparq.archive().stats().qdScore(),
            real, t.iterations());
      }
    }
  }
}
