package dev.sparq.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.SamplingParams;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The decoding loop in Java: one prefill run per batch, then one decoder run per token, with each
 * run's {@code present.*} outputs passed as the next run's {@code past_key_values.*} inputs (the
 * native tensors themselves, never copied through Java arrays; on CUDA, ONNX Runtime's Java API
 * still copies them to the host and back on every run). Sampling, EOS and stop strings are handled
 * in Java after each step; finished rows are dropped from the cache by {@link KvGather}.
 */
final class KvCacheLoop implements GenerationStrategy {
  private final LoadedDecoder d;
  private final KvGather gather;

  KvCacheLoop(LoadedDecoder d, KvGather gather) {
    this.d = d;
    this.gather = gather;
  }

  @Override
  public List<List<Completion>> generate(List<long[]> prompts, SamplingParams params, long seed)
      throws OrtException {
    try (Batch b = new Batch(prompts, params, seed)) {
      return b.run();
    }
  }

  @Override
  public void close() {
    gather.close();
  }

  /** The state of one batch: rows, KV cache tensors and reusable input buffers. */
  private final class Batch implements AutoCloseable {
    private final List<long[]> prompts;
    private final SamplingParams params;
    private final long seed;
    private final TokenSampler sampler;
    private final ThreadLocal<TokenSampler> samplers;
    private final StopConditions stops;
    private final DecoderFeeds feeds;
    private final LogitsOutput logitsOut;
    private List<Sequence> rows = new ArrayList<>();
    private final List<Sequence> all = new ArrayList<>();
    private AutoCloseable kvOwner;
    private List<OnnxTensor> kv = new ArrayList<>();
    private int total;

    Batch(List<long[]> prompts, SamplingParams params, long seed) {
      this.prompts = prompts;
      this.params = params;
      this.seed = seed;
      this.sampler = new TokenSampler(params);
      this.samplers = ThreadLocal.withInitial(() -> new TokenSampler(params));
      this.stops = new StopConditions(params, d.eosIds, d.tokenizer, d.maxPositions);
      this.feeds = new DecoderFeeds(d);
      this.logitsOut = new LogitsOutput(d);
    }

    List<List<Completion>> run() throws OrtException {
      int b = prompts.size();
      int s = 0;
      for (long[] p : prompts) {
        s = Math.max(s, p.length);
      }
      int vocab = d.sig.vocab();
      int[] pads = new int[b];
      Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
      try {
        // Prefill, left-padded.
        int keep = feeds.prefill(inputs, prompts, s, pads);
        int positions = keep > 0 ? 1 : s;
        FloatBuffer logits = runModel(inputs, b, positions);
        total = s;
        // Rows: n per prompt, sharing the prompt's prefill.
        int n = params.n();
        long[] expand = new long[b * n];
        for (int i = 0; i < b; i++) {
          for (int j = 0; j < n; j++) {
            Sequence r = new Sequence(i, j, prompts.get(i), pads[i], seed + j,
                params.repetitionPenalty() != 1.0, vocab, d.tokenizer);
            rows.add(r);
            all.add(r);
            expand[i * n + j] = i;
          }
        }
        for (int k = 0; k < rows.size(); k++) {
          Sequence r = rows.get(k);
          int offset = (r.prompt * positions + positions - 1) * vocab;
          stops.accept(r, observe(r, logits, offset, rows.size(),
              sampler.sample(logits, offset, vocab, r.seen, r.rng)), total);
        }
        if (n > 1) {
          regather(expand);
        }
      } finally {
        feeds.close(inputs);
      }
      d.stats.addTokens(rows.size());
      // Decode.
      long start = System.nanoTime();
      long runBefore = d.stats.runNanos();
      while (true) {
        long[] keepIdx = survivors();
        if (keepIdx.length == 0) {
          break;
        }
        if (keepIdx.length < rows.size()) {
          List<Sequence> next = new ArrayList<>(keepIdx.length);
          for (long k : keepIdx) {
            next.add(rows.get((int) k));
          }
          regather(keepIdx);
          rows = next;
        }
        step();
      }
      d.stats.addDecode(System.nanoTime() - start, d.stats.runNanos() - runBefore);
      List<List<Completion>> out = new ArrayList<>();
      for (int i = 0; i < b; i++) {
        out.add(new ArrayList<>(params.n()));
      }
      for (Sequence r : all) {
        out.get(r.prompt).add(new Completion(r.text, r.promptLen, r.generated, r.finish));
      }
      return out;
    }

    private long[] survivors() {
      int alive = 0;
      for (Sequence r : rows) {
        if (r.finish == null) {
          alive++;
        }
      }
      long[] idx = new long[alive];
      int k = 0;
      for (int i = 0; i < rows.size(); i++) {
        if (rows.get(i).finish == null) {
          idx[k++] = i;
        }
      }
      return idx;
    }

    private void step() throws OrtException {
      int r = rows.size();
      Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
      try {
        feeds.step(inputs, rows, total);
        Map<String, OnnxTensor> withKv = new HashMap<>(inputs);
        for (int i = 0; i < kv.size(); i++) {
          withKv.put(d.sig.pastNames().get(i), kv.get(i));
        }
        FloatBuffer logits = runModel(withKv, r, 1);
        total = total + 1;
        int[] next = sampleRows(logits, r);
        for (int i = 0; i < r; i++) {
          Sequence row = rows.get(i);
          stops.accept(row, observe(row, logits, i * d.sig.vocab(), r, next[i]), total);
        }
        d.stats.addTokens(r);
      } finally {
        feeds.close(inputs);
      }
    }

    /**
     * Samples one token per row. Rows are independent (each has its own generator), so with many
     * rows over a large vocabulary they are sampled in parallel; the result does not depend on it.
     */
    private int[] sampleRows(FloatBuffer logits, int r) {
      int[] next = new int[r];
      int vocab = d.sig.vocab();
      if (r > 1 && (long) r * vocab >= OnnxLanguageModel.parallelSamplingElements) {
        java.util.stream.IntStream.range(0, r).parallel().forEach(i -> {
          Sequence row = rows.get(i);
          next[i] = samplers.get().sample(logits.duplicate(), i * vocab, vocab, row.seen, row.rng);
        });
      } else {
        for (int i = 0; i < r; i++) {
          Sequence row = rows.get(i);
          next[i] = sampler.sample(logits, i * vocab, vocab, row.seen, row.rng);
        }
      }
      return next;
    }

    /** Runs the decoder; the new KV cache replaces the old one; returns the logits. */
    private FloatBuffer runModel(Map<String, OnnxTensor> inputs, int rowsN, int positions)
        throws OrtException {
      OnnxTensor pinned = logitsOut.pin(rowsN, positions);
      OrtSession.Result result;
      try {
        long t0 = System.nanoTime();
        result = d.session.run(inputs, Set.copyOf(d.sig.presentNames()), Map.of("logits", pinned));
        d.stats.addRun(System.nanoTime() - t0);
      } finally {
        d.tracker.close(pinned);
      }
      d.tracker.track(result);
      List<OnnxTensor> next = new ArrayList<>(d.sig.presentNames().size());
      try {
        for (String name : d.sig.presentNames()) {
          next.add((OnnxTensor) result.get(name).orElseThrow());
        }
      } catch (RuntimeException e) {
        d.tracker.close(result);
        throw e;
      }
      replaceKv(result, next);
      return logitsOut.read();
    }

    /** Keeps only the KV rows at {@code indices} (in that order, repeats allowed). */
    private void regather(long[] indices) throws OrtException {
      KvGather.Gathered g = gather.gather(indices, kv);
      replaceKv(g.owner(), g.kv());
    }

    private void replaceKv(AutoCloseable owner, List<OnnxTensor> next) {
      AutoCloseable old = kvOwner;
      kvOwner = owner;
      kv = next;
      d.tracker.close(old);
    }

    private int observe(Sequence r, FloatBuffer logits, int offset, int batchRows, int token) {
      OnnxLanguageModel.TokenObserver o = d.observer;
      if (o != null) {
        float[] copy = new float[d.sig.vocab()];
        logits.get(offset, copy, 0, copy.length);
        o.onToken(r.prompt, r.sample, r.generated, copy, token, batchRows);
      }
      return token;
    }

    @Override
    public void close() {
      d.tracker.close(kvOwner);
      kvOwner = null;
      kv = List.of();
    }
  }
}
