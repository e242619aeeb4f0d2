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
 * <p>Two topologies: {@code single}, one server for both roles (the paper's section 3.3, one model),
 * and {@code split}, the paper's main runs: the generator's requests go to one server and the
 * solver's to another, through two {@link OpenAiLanguageModel}s (one endpoint each, as run.yaml's
 * {@code models.generator} and {@code models.solver} blocks give), on one shared {@link SimClock}.
 * Each server has its own {@link BatchCostModel.Profile}; GPU-hours are the sum over servers of
 * GPUs x wall time. For every run the bench also prints the ceiling: the same work (decode and
 * prefill tokens per server) at 100% of every server's capacity, the least wall time any scheduler
 * could reach, as "ceiling vs sync".
 *
 * <pre>
 * mvn -B -q -pl sparq-bench -am package -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true
 * java -cp sparq-bench/target/benchmarks.jar dev.sparq.bench.sim.ThroughputBench \
 *     [rollouts=8192] [quietMs=20] [capacities=64,256,1024] [inFlight=capacity/4 and capacity/2, or a list]
 *     [variant=static_uniform] [seed=1] [topology=single|split]
 *     [profiles=llama3-8b for single, gemma2-27b-tp2,gemma2-9b (generator,solver) for split]
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

  /**
   * The servers of a run: one profile (one server for both roles) or two (generator, solver).
   *
   * @param topology {@code single} or {@code split}
   * @param profiles the deployment of each server, generator's first
   */
  public record Deployment(String topology, List<BatchCostModel.Profile> profiles) {
    public Deployment {
      profiles = List.copyOf(profiles);
      if (!(topology.equals("single") && profiles.size() == 1 || topology.equals("split") && profiles.size() == 2)) {
        throw new IllegalArgumentException("topology single takes one profile, split two (generator,solver): "
            + topology + " " + profiles.size());
      }
    }

    /** The deployment named on the command line; {@code profiles} may be null for the default. */
    public static Deployment of(String topology, String profiles) {
      String names = profiles != null ? profiles : topology.equals("split") ? "gemma2-27b-tp2,gemma2-9b" : "llama3-8b";
      List<BatchCostModel.Profile> list = new ArrayList<>();
      for (String n : names.split(",")) {
        list.add(BatchCostModel.Profile.named(n.trim()));
      }
      return new Deployment(topology, list);
    }

    int gpus() {
      return profiles.stream().mapToInt(BatchCostModel.Profile::gpus).sum();
    }
  }

  /**
   * One measured run.
   *
   * @param utilisation per server, in the deployment's order
   * @param ceilingSeconds the least wall time in which the servers could have done this run's work
   */
  public record Result(String mode, int capacity, int inFlight, int gpus, double simSeconds, long candidates,
      long solved, long rollouts, double[] utilisation, double ceilingSeconds, double qdScore, double realSeconds,
      long iterations, double[] curveRollouts, double[] curveQd) {
    double perGpuHour() {
      return candidates / (gpus * simSeconds / 3600.0);
    }

    double solvedPerGpuHour() {
      return solved / (gpus * simSeconds / 3600.0);
    }

    /** Candidates per GPU-hour had this run's work kept every server full. */
    double ceilingPerGpuHour() {
      return candidates / (gpus * ceilingSeconds / 3600.0);
    }

    String utilisationText() {
      StringBuilder sb = new StringBuilder();
      for (double u : utilisation) {
        sb.append(sb.length() == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.1f%%", 100 * u));
      }
      return sb.toString();
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
    Deployment deployment = Deployment.of(args.length > 6 ? args[6] : "single", args.length > 7 ? args[7] : null);
    System.out.printf(Locale.ROOT, "ThroughputBench: batch %d, K %d, budget %d rollouts, %s, seed %d, quiet %d ms,"
        + " %d cores, topology %s%n", BATCH, K, rollouts, variant, seed, quiet.toMillis(),
        Runtime.getRuntime().availableProcessors(), deployment.topology());
    List<BatchCostModel.Profile> profiles = deployment.profiles();
    for (int i = 0; i < profiles.size(); i++) {
      BatchCostModel.Profile p = profiles.get(i);
      String role = profiles.size() == 1 ? "both roles" : i == 0 ? "generator" : "solver";
      System.out.printf(Locale.ROOT, "server %d (%s): %s on %d GPU(s), step = %.3f ms + %.4f ms x running sequences"
          + " + %.3f ms x prompt tokens admitted%n", i + 1, role, p.name(), p.gpus(), p.stepBase() * 1000,
          p.stepPerSequence() * 1000, p.prefillPerToken() * 1000);
    }
    System.out.println("lengths log-normal clipped to 300..1500 tokens; GPU-hours = sum over servers of GPUs x wall;"
        + " util per server; ceiling = this run's work at 100% of every server's capacity");
    System.out.printf("%-6s %8s %9s %10s %10s %7s %11s %11s %13s %9s %9s %7s %9s%n", "mode", "capacity", "in_flight",
        "sim_wall_s", "candidates", "solved", "cand/GPU-h", "solved/GPU-h", "util", "rollouts", "qd_score", "real_s",
        "ceil/sync");
    for (int capacity : capacities) {
      Result sync = run(Mode.SYNC, deployment, capacity, BATCH, BATCH, rollouts, quiet, variant, seed);
      print(sync, sync);
      System.out.printf(Locale.ROOT, "  capacity %d, sync: %.0f s simulated; the same work at 100%% of capacity: %.0f s,"
          + " so no scheduler can exceed %.2fx the synchronous candidates per GPU-hour here%n", capacity,
          sync.simSeconds(), sync.ceilingSeconds(), sync.simSeconds() / sync.ceilingSeconds());
      List<Integer> inFlights = inFlightArg.equals("auto") ? List.of(Math.max(16, capacity / 4), Math.max(32, capacity / 2)) : ints(inFlightArg);
      for (int f : inFlights) {
        Result async = run(Mode.ASYNC, deployment, capacity, f, BATCH, rollouts, quiet, variant, seed);
        print(async, sync);
        double r = Math.min(rollouts, Math.min(sync.rollouts(), async.rollouts()));
        System.out.printf(Locale.ROOT, "  capacity %d, async in_flight %d vs sync: %.2fx candidates and %.2fx solved"
            + " problems per GPU-hour (ceiling %.2fx), utilisation %s vs %s, QD score per rollout at %.0f rollouts %.4f vs"
            + " %.4f (%+.1f%%)%n", capacity, f, async.perGpuHour() / sync.perGpuHour(),
            async.solvedPerGpuHour() / sync.solvedPerGpuHour(), sync.simSeconds() / sync.ceilingSeconds(),
            async.utilisationText(), sync.utilisationText(),
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

  /** One row; the last column is this run's ceiling per GPU-hour over the synchronous run's per GPU-hour. */
  private static void print(Result r, Result sync) {
    System.out.printf(Locale.ROOT, "%-6s %8d %9s %10.0f %10d %7d %11.0f %11.0f %13s %9d %9.2f %7.1f %8.2fx%n", r.mode(),
        r.capacity(), r.mode().equals("sync") ? "-" : Integer.toString(r.inFlight()), r.simSeconds(),
        r.candidates(), r.solved(), r.perGpuHour(), r.solvedPerGpuHour(), r.utilisationText(), r.rollouts(),
        r.qdScore(), r.realSeconds(), r.ceilingPerGpuHour() / sync.perGpuHour());
  }

  /**
   * Runs batches of {@code batch} until {@code rollouts} rollouts against fresh simulated servers of
   * {@code capacity} sequences each, on one shared clock.
   */
  public static Result run(Mode mode, Deployment deployment, int capacity, int inFlight, int batch, long rollouts,
      java.time.Duration quiet, Variant variant, long seed) throws Exception {
    List<SimulatedInferenceServer> servers = new ArrayList<>();
    List<OpenAiLanguageModel> models = new ArrayList<>();
    try (SimClock clock = new SimClock(quiet)) {
      try {
        for (BatchCostModel.Profile p : deployment.profiles()) {
          SimulatedInferenceServer server = new SimulatedInferenceServer(p.params(capacity), clock);
          servers.add(server);
          models.add(OpenAiLanguageModel.builder().endpoint(server.baseUrl()).model(p.name())
              .maxConcurrencyPerEndpoint(Integer.getInteger("sim.clientLimit", Math.max(batch, inFlight))).build());
        }
        OpenAiLanguageModel generatorModel = models.get(0);
        OpenAiLanguageModel solverModel = models.get(models.size() - 1);
        return run(mode, deployment, servers, generatorModel, solverModel, capacity, inFlight, batch, rollouts,
            variant, seed);
      } finally {
        for (OpenAiLanguageModel m : models) {
          m.close();
        }
        for (SimulatedInferenceServer s : servers) {
          s.close();
        }
      }
    }
  }

  private static Result run(Mode mode, Deployment deployment, List<SimulatedInferenceServer> servers,
      OpenAiLanguageModel generatorModel, OpenAiLanguageModel solverModel, int capacity, int inFlight, int batch,
      long rollouts, Variant variant, long seed) throws Exception {
    Sparq.Builder b = Sparq.builder()
        .generator(LlmGenerator.builder(generatorModel).build())
        .solver(LlmSolver.builder(solverModel).build())
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
      List<SimulatedInferenceServer.Reading> before = new ArrayList<>();
      for (SimulatedInferenceServer s : servers) {
        before.add(s.read());
      }
      long t0 = System.nanoTime();
      RunStats t = sparq.run();
      double real = (System.nanoTime() - t0) * 1e-9;
      double[] util = new double[servers.size()];
      double wall = 0;
      double ceiling = 0;
      for (int i = 0; i < servers.size(); i++) {
        SimulatedInferenceServer.Reading a = servers.get(i).read();
        SimulatedInferenceServer.Reading r = before.get(i);
        util[i] = a.utilisationSince(r, capacity);
        wall = Math.max(wall, a.now() - r.now());
        ceiling = Math.max(ceiling, servers.get(i).params().ceilingSeconds(a.tokens() - r.tokens(),
            a.prefillTokens() - r.prefillTokens()));
        if (Boolean.getBoolean("sim.verbose")) {
          System.out.printf(Locale.ROOT, "  [%s server %d] requests %d, sequences %d, tokens %d, prefill tokens %d,"
              + " steps %d, ceiling %.0f s%n", mode, i + 1, a.requests() - r.requests(), a.sequences() - r.sequences(),
              a.tokens() - r.tokens(), a.prefillTokens() - r.prefillTokens(), a.steps() - r.steps(),
              servers.get(i).params().ceilingSeconds(a.tokens() - r.tokens(), a.prefillTokens() - r.prefillTokens()));
        }
      }
      if (Boolean.getBoolean("sim.verbose")) {
        System.out.printf(Locale.ROOT, "  [%s] generated %d, evaluated %d, duplicates %d, rejections %s%n", mode,
            t.generated(), t.evaluated(), t.duplicates(), t.rejections());
      }
      return new Result(mode.name().toLowerCase(Locale.ROOT), capacity, inFlight, deployment.gpus(), wall,
          t.candidates(), solved[0], t.rollouts(), util, ceiling, sparq.archive().stats().qdScore(), real,
          t.iterations(), curve.stream().mapToDouble(p -> p[0]).toArray(),
          curve.stream().mapToDouble(p -> p[1]).toArray());
    }
  }
}
