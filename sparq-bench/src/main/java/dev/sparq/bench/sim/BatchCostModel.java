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
    int prefill = 0;
    while (running.size() < params.capacity() && !waiting.isEmpty()) {
      Seq s = waiting.poll();
      s.finishStep = step + s.length;
      prefill += s.prefill;
      running.add(s);
    }
    if (running.isEmpty()) {
      return 0;
    }
    int busy = running.size();
    double dt = params.stepBase() + params.stepPerSequence() * busy + params.prefillPerToken() * prefill;
    step++;
    now += dt;
    busySlotSeconds += busy * dt;
    tokens += busy;
    while (!running.isEmpty() && running.peek().finishStep <= step) {
      Seq s = running.poll();
      if (--s.request.remaining == 0) {
        s.request.done = now;
        completed.add(s.request);
      }
    }
    return dt;
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
