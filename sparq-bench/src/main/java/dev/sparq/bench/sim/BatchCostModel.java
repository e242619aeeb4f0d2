package dev.sparq.bench.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A vLLM-like continuous-batching cost model on a simulated clock, without threads or real time.
 *
 * <p>Up to {@code capacity} sequences run at once; more wait in a first-come queue. Each decode
 * step every running sequence produces one token and the step takes
 * {@code stepBase + stepPerSequence * running + prefillPerToken * promptTokensAdmitted} simulated
 * seconds, where the last term is the prefill of the requests admitted at that step (a request's
 * {@code n} samples share one prompt, so its prompt is paid once). Free slots are refilled from the
 * queue at the start of every step. A request is done when the last of its sequences is.
 *
 * <p>Utilisation is busy sequence-slot time over {@code capacity} times elapsed time.
 */
public final class BatchCostModel {

  /**
   * Cost-model parameters.
   *
   * @param capacity the most sequences decoded at once (the server's maximum batch)
   * @param stepBase seconds per decode step with no sequence (weights read once per step)
   * @param stepPerSequence extra seconds per step for each running sequence (KV-cache reads)
   * @param prefillPerToken seconds per prompt token admitted in a step
   */
  public record Params(int capacity, double stepBase, double stepPerSequence, double prefillPerToken) {
    public Params {
      if (capacity < 1 || stepBase < 0 || stepPerSequence < 0 || prefillPerToken < 0) {
        throw new IllegalArgumentException("bad cost-model parameters");
      }
    }

    /**
     * An 8B model in bf16 on one H100-class GPU (3.35 TB/s) under vLLM, from memory traffic: a decode
     * step reads the weights once (16 GB, about 5 ms, plus scheduling: 7 ms) and each running
     * sequence's KV cache (128 KiB per token for Llama-3-8B, about 600 tokens of context on average
     * here: 0.025 ms); prefill runs at about 20,000 tokens/s (0.05 ms per token). At 256 sequences a
     * step takes 13.4 ms, 19,000 tokens/s; at 64 sequences 8.6 ms, 7,400 tokens/s.
     */
    public static Params gpu(int capacity) {
      return new Params(capacity, Double.parseDouble(System.getProperty("sim.stepBaseMs", "7")) / 1000,
          Double.parseDouble(System.getProperty("sim.stepPerSequenceMs", "0.025")) / 1000,
          Double.parseDouble(System.getProperty("sim.prefillPerTokenMs", "0.05")) / 1000);
    }

    /**
     * The least simulated seconds in which any scheduler could run this work on this server: every
     * decode step full ({@code capacity} sequences), so {@code decodeTokens / capacity} steps. A
     * step of {@code b} sequences costs {@code stepBase + stepPerSequence * b}, so over a run the
     * per-sequence and prefill terms add up to the same total however the work is batched, and only
     * the number of steps can shrink: the bound is {@code decodeTokens / capacity * stepBase +
     * decodeTokens * stepPerSequence + prefillTokens * prefillPerToken}.
     *
     * @param decodeTokens tokens decoded (one per running sequence per step)
     * @param prefillTokens prompt tokens prefilled (once per request)
     */
    public double ceilingSeconds(long decodeTokens, long prefillTokens) {
      return (double) decodeTokens / capacity * stepBase + decodeTokens * stepPerSequence
          + prefillTokens * prefillPerToken;
    }
  }

  /**
   * A model deployment the simulated server stands for: its name, the GPUs it occupies (they all
   * count towards GPU-hours) and its per-step costs; {@link #params(int)} gives the cost model at a
   * chosen maximum batch. The derivations, from memory traffic on an H100-class GPU (3.35 TB/s HBM,
   * about 80 GB), are in src-docs/benchmarks.md.
   *
   * @param name the name used on the benchmark's command line
   * @param gpus GPUs of one server of this model
   * @param stepBase seconds per decode step with no sequence
   * @param stepPerSequence extra seconds per step per running sequence
   * @param prefillPerToken seconds per prompt token admitted
   */
  public record Profile(String name, int gpus, double stepBase, double stepPerSequence, double prefillPerToken) {
    public Profile {
      if (gpus < 1 || stepBase < 0 || stepPerSequence < 0 || prefillPerToken < 0) {
        throw new IllegalArgumentException("bad deployment profile " + name);
      }
    }

    /** The cost model of this deployment with at most {@code capacity} sequences at once. */
    public Params params(int capacity) {
      return new Params(capacity, stepBase, stepPerSequence, prefillPerToken);
    }

    /**
     * The original profile, {@link Params#gpu(int)}: an 8B Llama-3-class model on one GPU (7 ms,
     * 0.025 ms per sequence, 0.05 ms per prompt token; the {@code sim.*} system properties apply).
     */
    public static Profile llama3_8b() {
      Params p = Params.gpu(1);
      return new Profile("llama3-8b", 1, p.stepBase(), p.stepPerSequence(), p.prefillPerToken());
    }

    /**
     * Gemma-2-9b (the paper's student) in bf16 on one GPU: 9.24 B parameters, 18.5 GB read per
     * step (5.5 ms) plus the same 2 ms of scheduling as {@link #llama3_8b()}: 7.5 ms; KV cache
     * 2 x 42 layers x 8 KV heads x 256 x 2 bytes = 344,064 bytes per token, 600 tokens of context:
     * 0.062 ms per sequence; prefill at the 8B profile's 320 TFLOP/s, 2 x 9.24 GFLOP per token:
     * 17,300 tokens/s, 0.058 ms per token.
     */
    public static Profile gemma2_9b() {
      return new Profile("gemma2-9b", 1, 0.0075, 0.000062, 0.000058);
    }

    /**
     * Gemma-2-27b (the paper's generator) in bf16, tensor-parallel on two GPUs (54.4 GB of weights
     * leave one 80 GB GPU about 17.6 GB of KV cache, 180 tokens per sequence at 256 sequences):
     * each GPU reads half the weights per step (27.2 GB, 8.1 ms), plus 2 ms of scheduling and 92
     * all-reduces per step (2 per layer, about 15 us each on NVLink with small messages: 1.4 ms):
     * 11.5 ms; half the KV cache per GPU (2 x 46 x 16 x 128 x 2 / 2 = 188,416 bytes per token,
     * 600 tokens: 0.034 ms) plus the all-reduce payload that grows with the batch (92 x 4,608 x 2
     * bytes per sequence at about 450 GB/s over NVLink: 0.002 ms): 0.036 ms per sequence; prefill
     * at 320 TFLOP/s per GPU, 2 x 27.2 GFLOP per token over two GPUs, with all-reduces: 0.09 ms per
     * token.
     */
    public static Profile gemma2_27bTp2() {
      return new Profile("gemma2-27b-tp2", 2, 0.0115, 0.000036, 0.00009);
    }

    /** The profile called {@code name}: {@code llama3-8b}, {@code gemma2-9b} or {@code gemma2-27b-tp2}. */
    public static Profile named(String name) {
      for (Profile p : List.of(llama3_8b(), gemma2_9b(), gemma2_27bTp2())) {
        if (p.name().equals(name)) {
          return p;
        }
      }
      throw new IllegalArgumentException("unknown deployment profile '" + name
          + "': use llama3-8b, gemma2-9b or gemma2-27b-tp2");
    }
  }

  /** One request: {@code lengths.length} sequences sharing one prompt. */
  public static final class Request {
    final int promptTokens;
    final int[] lengths;
    final Object tag;
    int remaining;
    double arrival = Double.NaN;
    double done = Double.NaN;

    /**
     * @param promptTokens the prompt's tokens (prefilled once)
     * @param lengths tokens to generate per sequence (each at least 1)
     * @param tag the caller's handle, returned by {@link #tag()}
     */
    public Request(int promptTokens, int[] lengths, Object tag) {
      if (lengths.length == 0) {
        throw new IllegalArgumentException("a request needs at least one sequence");
      }
      this.promptTokens = promptTokens;
      this.lengths = lengths.clone();
      this.tag = tag;
      this.remaining = lengths.length;
    }

    /** The caller's handle. */
    public Object tag() {
      return tag;
    }

    /** Simulated time of arrival. */
    public double arrival() {
      return arrival;
    }

    /** Simulated time the last sequence finished (NaN while running). */
    public double done() {
      return done;
    }
  }

  private static final class Seq {
    final Request request;
    final int length;
    final int prefill;
    long finishStep;

    Seq(Request request, int length, int prefill) {
      this.request = request;
      this.length = Math.max(1, length);
      this.prefill = prefill;
    }
  }

  private final Params params;
  private final ArrayDeque<Seq> waiting = new ArrayDeque<>();
  private final PriorityQueue<Seq> running = new PriorityQueue<>((a, b) -> Long.compare(a.finishStep, b.finishStep));
  private final List<Request> completed = new ArrayList<>();
  private long step;
  private double now;
  private double busySlotSeconds;
  private long tokens;
  private long requests;
  private long sequences;
  private long prefillTokens;
  private boolean inStep;
  private double stepEnd;
  private double stepDt;
  private int stepBusy;

  public BatchCostModel(Params params) {
    this.params = params;
  }

  public Params params() {
    return params;
  }

  /** Queues a request at the current simulated time. */
  public void submit(Request r) {
    r.arrival = now;
    requests++;
    for (int i = 0; i < r.lengths.length; i++) {
      waiting.add(new Seq(r, r.lengths[i], i == 0 ? r.promptTokens : 0));
      sequences++;
    }
  }

  /** Whether nothing is running or waiting. */
  public boolean idle() {
    return running.isEmpty() && waiting.isEmpty();
  }


  /**
   * Runs one decode step: admits waiting sequences into free slots, advances the clock, finishes
   * sequences that reached their length. Returns the step's duration (0 when idle).
   */
  public double step() {
    if (Double.isNaN(beginStep(now))) {
      return 0;
    }
    double dt = stepDt;
    endStep();
    return dt;
  }

  /**
   * Starts a decode step at simulated time {@code start} (the clock first moves there if it is
   * behind: the server was idle): admits waiting sequences into free slots and fixes the step's
   * duration. Returns the time the step ends, or NaN when nothing runs (no step started). Requests
   * submitted before {@link #endStep()} wait for the next step.
   */
  public double beginStep(double start) {
    if (inStep) {
      throw new IllegalStateException("a step is already running");
    }
    if (start > now) {
      now = start;
    }
    int prefill = 0;
    while (running.size() < params.capacity() && !waiting.isEmpty()) {
      Seq s = waiting.poll();
      s.finishStep = step + s.length;
      prefill += s.prefill;
      running.add(s);
    }
    if (running.isEmpty()) {
      return Double.NaN;
    }
    prefillTokens += prefill;
    stepBusy = running.size();
    stepDt = params.stepBase() + params.stepPerSequence() * stepBusy + params.prefillPerToken() * prefill;
    stepEnd = now + stepDt;
    inStep = true;
    return stepEnd;
  }

  /** Ends the step started by {@link #beginStep(double)}: advances the clock, finishes sequences. */
  public void endStep() {
    if (!inStep) {
      throw new IllegalStateException("no step is running");
    }
    inStep = false;
    double dt = stepDt;
    step++;
    now = stepEnd;
    busySlotSeconds += stepBusy * dt;
    tokens += stepBusy;
    while (!running.isEmpty() && running.peek().finishStep <= step) {
      Seq s = running.poll();
      if (--s.request.remaining == 0) {
        s.request.done = now;
        completed.add(s.request);
      }
    }
  }

  /** Whether a step started by {@link #beginStep(double)} has not ended yet. */
  public boolean inStep() {
    return inStep;
  }

  /** The end of the running step (meaningful while {@link #inStep()}). */
  public double stepEnd() {
    return stepEnd;
  }

  /** Requests finished since the last call, in finishing order. */
  public List<Request> drainCompleted() {
    List<Request> out = List.copyOf(completed);
    completed.clear();
    return out;
  }

  /** The simulated clock, seconds. */
  public double now() {
    return now;
  }

  /** Sequence-slot seconds spent decoding so far. */
  public double busySlotSeconds() {
    return busySlotSeconds;
  }

  /** Sequences running now. */
  public int running() {
    return running.size();
  }

  /** Sequences waiting for a slot now. */
  public int waiting() {
    return waiting.size();
  }

  /** Tokens decoded so far. */
  public long tokens() {
    return tokens;
  }

  /** Prompt tokens prefilled so far (once per request, when its first sequence is admitted). */
  public long prefillTokens() {
    return prefillTokens;
  }

  /** Requests submitted so far. */
  public long requests() {
    return requests;
  }

  /** Sequences submitted so far. */
  public long sequences() {
    return sequences;
  }

  /** Decode steps so far. */
  public long steps() {
    return step;
  }
}
