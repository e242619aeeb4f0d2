package dev.sparq.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sparq.core.ModelException;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.FinishReason;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.llm.TokenUsage;
import dev.sparq.core.llm.UsageReporting;
import dev.sparq.onnx.proto.OnnxGraphBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LanguageModel} running a Hugging Face Optimum / onnx-community decoder export in
 * process with ONNX Runtime, on CUDA or CPU.
 *
 * <p>Each {@code complete} call renders the chat template, tokenises, and decodes the requests in
 * left-padded batches of up to {@link OnnxOptions#maxBatchRows()} rows: one prefill run per batch,
 * then one decode run per token with the KV cache of each run's {@code present.*} outputs passed
 * as the next run's {@code past_key_values.*} inputs (the native tensors themselves, never copied
 * through Java arrays). The {@code n} samples of a request share its prefill: the KV rows are
 * replicated by a small ONNX gather graph, which also drops finished rows from the batch. Logits are
 * written by ONNX Runtime straight into a direct buffer (pinned output).
 *
 * <p>Sampling follows vLLM's parameters. With a seed, sample {@code j} of every request draws from
 * {@code SplittableRandom(seed + j)}, so results do not depend on batch composition, and a call
 * with {@code n} samples equals {@code n} calls with one sample and seeds {@code seed, seed+1...}.
 * Without a seed, seeds come from a generator seeded by {@link OnnxOptions#seed()}.
 *
 * <p>Thread-safe; calls from several threads run concurrently on the shared session. Close it to
 * free the sessions and the tokenizer.
 */
public final class OnnxLanguageModel implements LanguageModel, UsageReporting {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxLanguageModel.class);

  private final ModelDirectory dir;
  private final OnnxOptions options;
  private final LongAdder promptTokensRead = new LongAdder();
  private final LongAdder completionTokensMade = new LongAdder();
  private final OrtEnvironment env;
  private final OrtSession session;
  private final OrtSession gather;
  private final DecoderSignature sig;
  private final HfTokenizer tokenizer;
  private final ChatTemplate template;
  private final Set<Long> eosIds;
  private final long padId;
  private final long maxPositions;
  private final boolean onCuda;
  private final NativeTracker tracker = new NativeTracker();
  private final SplittableRandom seeds;
  private final Stats stats = new Stats();
  private volatile TokenObserver observer;
  /** The in-graph path, or null when the options ask for the Java loop (or AUTO on CPU). */
  private final InGraphGenerator inGraph;
  private final Set<String> fallbackLogged = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Most bytes of prefill logits per batch without {@code num_logits_to_keep} (tests lower it). */
  static volatile long prefillLogitsBytes = 1L << 30;

  /** Rows times vocabulary above which rows are sampled in parallel (tests lower it). */
  static volatile long parallelSamplingElements = 1L << 18;

  /** Sees every sampled token with its logits row; for tests. */
  interface TokenObserver {
    /**
     * @param prompt index of the prompt in its batch chunk
     * @param sample sample index within the prompt
     * @param step 0 for the token sampled after prefill
     * @param logits the raw logits row (a copy)
     * @param token the chosen token
     * @param batchRows rows in the run that produced the logits (after expansion for step 0)
     */
    void onToken(int prompt, int sample, int step, float[] logits, int token, int batchRows);
  }

  void observer(TokenObserver o) {
    this.observer = o;
  }

  private OnnxLanguageModel(ModelDirectory dir, OnnxOptions options) {
    this.dir = dir;
    this.options = options;
    this.seeds = new SplittableRandom(options.seed());
    this.env = OnnxSessions.environment();
    OrtSession s = null;
    OrtSession g = null;
    HfTokenizer tok = null;
    try {
      OnnxSessions.Created main = OnnxSessions.create(options,
          so -> env.createSession(dir.modelFile().toString(), so));
      s = main.session();
      this.sig = DecoderSignature.inspect(s, dir, dir.modelFile());
      boolean sessionOnCuda = main.onCuda();
      g = OnnxSessions.createOn(options,
          sessionOnCuda ? OnnxOptions.Device.CUDA : OnnxOptions.Device.CPU,
          so -> env.createSession(gatherGraph(sig), so)).session();
      this.onCuda = sessionOnCuda;
      tok = HfTokenizer.open(dir.tokenizerJson());
    } catch (OrtException e) {
      OnnxSessions.closeQuietly(LOG, s, g, tok);
      throw new ModelException(dir.modelFile() + ": ONNX Runtime cannot load the model: "
          + e.getMessage(), e);
    } catch (RuntimeException e) {
      OnnxSessions.closeQuietly(LOG, s, g, tok);
      throw e;
    }
    this.session = s;
    this.gather = g;
    this.tokenizer = tok;
    this.template = new ChatTemplate(dir.dir().resolve("tokenizer_config.json").toString(),
        dir.chatTemplate(), dir.specialTokens(), java.time.Clock.systemDefaultZone(),
        dev.sparq.onnx.jinja.Template.Limits.DEFAULT);
    Set<Long> eos = new HashSet<>(dir.eosIds());
    if (dir.eosToken() != null) {
      long[] ids = tok.encode(dir.eosToken());
      if (ids.length == 1) {
        eos.add(ids[0]);
      }
    }
    if (eos.isEmpty()) {
      LOG.warn("{}: no EOS token id found; generation stops only at max_tokens or stop strings",
          dir.dir());
    }
    this.eosIds = Set.copyOf(eos);
    this.padId = dir.configLong("pad_token_id", eos.isEmpty() ? 0 : eos.iterator().next());
    this.maxPositions = dir.configLong("max_position_embeddings", Long.MAX_VALUE);
    GenerationPath path = options.generation();
    boolean useGraph = path == GenerationPath.IN_GRAPH
        || (path == GenerationPath.AUTO && onCuda);
    Long preferred = null;
    if (dir.eosToken() != null) {
      long[] ids = tok.encode(dir.eosToken());
      preferred = ids.length == 1 ? ids[0] : null;
    }
    this.inGraph = useGraph ? new InGraphGenerator(env, options, onCuda, dir, sig, tok,
        this.eosIds, preferred, padId, maxPositions, tracker) : null;
    LOG.info("loaded {} ({} layers, kv {} x{}x{}, vocab {}) on {}", dir.modelFile(), sig.layers(),
        sig.kvType(), sig.kvHeads(), sig.headDim(), sig.vocab(), onCuda ? "CUDA" : "CPU");
  }

  /**
   * Opens a model directory.
   *
   * @throws ModelException when files are missing, the model is not an Optimum decoder with KV
   *     cache, or ONNX Runtime cannot load it
   */
  public static OnnxLanguageModel open(Path dir, OnnxOptions options) {
    return new OnnxLanguageModel(ModelDirectory.read(dir, options.variant()), options);
  }

  /** Opens a model directory with the default options (full-precision variant on CPU). */
  public static OnnxLanguageModel open(Path dir) {
    return open(dir, OnnxOptions.defaults());
  }

  private static byte[] gatherGraph(DecoderSignature sig) {
    int type = sig.kvType() == OnnxJavaType.FLOAT16 ? OnnxGraphBuilder.FLOAT16 : OnnxGraphBuilder.FLOAT;
    OnnxGraphBuilder g = new OnnxGraphBuilder("kv_gather", 17);
    g.input("indices", OnnxGraphBuilder.INT64, "rows");
    for (int i = 0; i < sig.pastNames().size(); i++) {
      g.input("kv_" + i, type, "batch", sig.kvHeads(), "len", sig.headDim());
      g.output("out_" + i, type, "rows", sig.kvHeads(), "len", sig.headDim());
      g.node("Gather", new String[] {"kv_" + i, "indices"}, "out_" + i,
          OnnxGraphBuilder.Attr.i("axis", 0));
    }
    return g.toBytes();
  }

  /** Whether the session runs on CUDA. */
  public boolean onCuda() {
    return onCuda;
  }

  /**
   * The ONNX Runtime execution provider the model's sessions actually run on: {@code
   * "CUDAExecutionProvider"}, or {@code "CPUExecutionProvider"} when CPU was asked for or CUDA was
   * asked for but could not be used (the provider is missing, does not load, or no session starts on
   * it), so callers can record what ran rather than what was configured.
   *
   * @return the provider name, as ONNX Runtime spells it
   */
  public String executionProvider() {
    return onCuda ? ai.onnxruntime.OrtProvider.CUDA.getName() : ai.onnxruntime.OrtProvider.CPU.getName();
  }

  /** The tokenizer (owned by this model). */
  public HfTokenizer tokenizer() {
    return tokenizer;
  }

  /** The chat template. */
  public ChatTemplate chatTemplate() {
    return template;
  }

  /** The model files. */
  public ModelDirectory directory() {
    return dir;
  }

  /** EOS token ids. */
  public Set<Long> eosIds() {
    return eosIds;
  }

  /** Timing counters since the model was opened. */
  public Stats stats() {
    return stats;
  }

  /** Native values (tensors, run results) currently open; 0 between calls. */
  public int openNativeValues() {
    return tracker.openCount();
  }

  /** Native values created since the model was opened. */
  public long createdNativeValues() {
    return tracker.createdCount();
  }

  @Override
  public String name() {
    return "onnx:" + dir.dir().getFileName();
  }

  /** The prompt token ids of a request: the rendered chat template, tokenised. */
  public long[] promptTokens(ChatRequest request) {
    return tokenizer.encode(template.render(request.messages(), true,
        options.chatTemplateVariables()));
  }

  @Override
  public List<List<Completion>> complete(List<ChatRequest> requests, SamplingParams params) {
    List<long[]> prompts = new ArrayList<>(requests.size());
    for (ChatRequest r : requests) {
      prompts.add(promptTokens(r));
    }
    return completeTokens(prompts, params);
  }

  /**
   * Completes already tokenised prompts (no chat template).
   *
   * @return per prompt, {@code params.n()} completions
   */
  public List<List<Completion>> completeTokens(List<long[]> prompts, SamplingParams params) {
    long seed;
    if (params.seed().isPresent()) {
      seed = params.seed().getAsLong();
    } else {
      synchronized (seeds) {
        seed = seeds.nextLong();
      }
    }
    for (int i = 0; i < prompts.size(); i++) {
      long[] p = prompts.get(i);
      if (p.length == 0) {
        throw new IllegalArgumentException("prompt " + i + " is empty");
      }
      if (p.length >= maxPositions) {
        throw new ModelException("prompt " + i + " has " + p.length + " tokens; the model's"
            + " context (max_position_embeddings) is " + maxPositions);
      }
    }
    int n = params.n();
    int perBatch = Math.max(1, options.maxBatchRows() / n);
    List<List<Completion>> out = new ArrayList<>(prompts.size());
    for (int from = 0, to; from < prompts.size(); from = to) {
      // Without num_logits_to_keep the prefill returns logits for every position; keep that
      // [prompts, length, vocab] block under prefillLogitsBytes by prefilling fewer prompts.
      to = from + 1;
      int maxLen = prompts.get(from).length;
      while (to < prompts.size() && to - from < perBatch) {
        int len = Math.max(maxLen, prompts.get(to).length);
        long bytes = sig.numLogitsToKeep() ? 0 : (long) (to - from + 1) * len * sig.vocab() * 4;
        if (bytes > prefillLogitsBytes) {
          break;
        }
        maxLen = len;
        to++;
      }
      List<long[]> chunk = prompts.subList(from, to);
      if (inGraph != null) {
        List<List<Completion>> done = inGraph(chunk, params, seed);
        if (done != null) {
          out.addAll(done);
          continue;
        }
      }
      try (Generation g = new Generation(chunk, params, seed)) {
        List<List<Completion>> done = g.run();
        for (int i = 0; i < chunk.size(); i++) {
          promptTokensRead.add(chunk.get(i).length);
          for (Completion c : done.get(i)) {
            completionTokensMade.add(c.completionTokens());
          }
        }
        out.addAll(done);
      } catch (OrtException e) {
        throw new ModelException(name() + ": generation failed: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /**
   * Runs a chunk on the in-graph path; null when it cannot (logged once per reason) so the Java
   * loop runs it.
   */
  private List<List<Completion>> inGraph(List<long[]> chunk, SamplingParams params, long seed) {
    int longest = 0;
    for (long[] p : chunk) {
      longest = Math.max(longest, p.length);
    }
    String why = inGraph.unsupported(params, longest);
    OrtSession s = why == null ? inGraph.session(params) : null;
    if (s == null) {
      why = why != null ? why : inGraph.unsupported(params, longest);
      if (fallbackLogged.add(why)) {
        LOG.info("{}: in-graph generation not used, the Java loop runs instead: {}", name(), why);
      }
      return null;
    }
    try {
      long t0 = System.nanoTime();
      List<List<Completion>> done = inGraph.generate(s, chunk, params, seed);
      long dt = System.nanoTime() - t0;
      stats.runNanos.add(dt);
      stats.decodeNanos.add(dt);
      stats.decodeRunNanos.add(dt);
      stats.runs.increment();
      for (int i = 0; i < chunk.size(); i++) {
        promptTokensRead.add(chunk.get(i).length);
        for (Completion c : done.get(i)) {
          completionTokensMade.add(c.completionTokens());
          stats.tokens.add(c.completionTokens());
        }
      }
      return done;
    } catch (OrtException e) {
      throw new ModelException(name() + ": in-graph generation failed: " + e.getMessage(), e);
    }
  }

  /** The wrapper model file the in-graph path last loaded, or null (for tests). */
  Path inGraphWrapper() {
    return inGraph == null ? null : inGraph.lastWrapper();
  }

  /** The generation path calls take when the request allows it. */
  public GenerationPath generationPath() {
    return inGraph != null ? GenerationPath.IN_GRAPH : GenerationPath.JAVA_LOOP;
  }

  /**
   * Prompt tokens read (each prompt once, however many samples) and tokens generated since the
   * model was opened; unlike {@link #stats()} these are never reset.
   */
  @Override
  public TokenUsage tokenUsage() {
    return new TokenUsage(promptTokensRead.sum(), completionTokensMade.sum());
  }

  @Override
  public void close() {
    OnnxSessions.closeQuietly(LOG, inGraph, session, gather, tokenizer);
  }

  /** Timing counters: time inside {@code session.run} versus the whole decode loop. */
  public static final class Stats {
    private final LongAdder runNanos = new LongAdder();
    private final LongAdder decodeNanos = new LongAdder();
    private final LongAdder decodeRunNanos = new LongAdder();
    private final LongAdder tokens = new LongAdder();
    private final LongAdder runs = new LongAdder();

    /** Nanoseconds in {@code session.run} (prefill, decode and KV gathers). */
    public long runNanos() {
      return runNanos.sum();
    }

    /** Nanoseconds of decode steps (after prefill), including sampling and bookkeeping. */
    public long decodeNanos() {
      return decodeNanos.sum();
    }

    /** Nanoseconds of {@code session.run} within decode steps (model and KV gather runs). */
    public long decodeRunNanos() {
      return decodeRunNanos.sum();
    }

    /** Tokens generated. */
    public long tokens() {
      return tokens.sum();
    }

    /** Session runs. */
    public long runs() {
      return runs.sum();
    }

    /** Resets all counters. */
    public void reset() {
      runNanos.reset();
      decodeNanos.reset();
      decodeRunNanos.reset();
      tokens.reset();
      runs.reset();
    }
  }

  /** One generated sequence. */
  private final class Row {
    final int prompt;
    final int sample;
    final int promptLen;
    final int pad;
    final SplittableRandom rng;
    final BitSet seen;
    final HfTokenizer.IncrementalDecoder decoder = tokenizer.incremental();
    long last;
    int generated;
    long[] out = new long[16];
    int outLen;
    FinishReason finish;
    String text;

    Row(int prompt, int sample, long[] tokens, int pad, long seed, boolean penalty) {
      this.prompt = prompt;
      this.sample = sample;
      this.promptLen = tokens.length;
      this.pad = pad;
      this.rng = new SplittableRandom(seed);
      this.seen = penalty ? new BitSet(sig.vocab()) : null;
      if (penalty) {
        for (long t : tokens) {
          if (t >= 0 && t < sig.vocab()) {
            seen.set((int) t);
          }
        }
      }
    }
  }

  /** The state of one batch: rows, KV cache tensors and reusable input buffers. */
  private final class Generation implements AutoCloseable {
    private final List<long[]> prompts;
    private final SamplingParams params;
    private final long seed;
    private final TokenSampler sampler;
    private final ThreadLocal<TokenSampler> samplers;
    private final int maxStop;
    private List<Row> rows = new ArrayList<>();
    private final List<Row> all = new ArrayList<>();
    private AutoCloseable kvOwner;
    private List<OnnxTensor> kv = new ArrayList<>();
    private int total;
    private ByteBuffer idsBuf = ByteBuffer.allocateDirect(0);
    private ByteBuffer maskBuf = ByteBuffer.allocateDirect(0);
    private ByteBuffer posBuf = ByteBuffer.allocateDirect(0);
    private ByteBuffer logitsBuf = ByteBuffer.allocateDirect(0);
    private float[] halfScratch = new float[0];

    Generation(List<long[]> prompts, SamplingParams params, long seed) {
      this.prompts = prompts;
      this.params = params;
      this.seed = seed;
      this.sampler = new TokenSampler(params);
      this.samplers = ThreadLocal.withInitial(() -> new TokenSampler(params));
      int m = 0;
      for (String s : params.stop()) {
        m = Math.max(m, s.length());
      }
      this.maxStop = m;
    }

    List<List<Completion>> run() throws OrtException {
      int b = prompts.size();
      int s = 0;
      for (long[] p : prompts) {
        s = Math.max(s, p.length);
      }
      // Prefill, left-padded.
      LongBuffer ids = longs(idsBuf = ensure(idsBuf, b * s * 8L), b * s);
      LongBuffer mask = longs(maskBuf = ensure(maskBuf, b * s * 8L), b * s);
      LongBuffer pos = longs(posBuf = ensure(posBuf, b * s * 8L), b * s);
      int[] pads = new int[b];
      for (int i = 0; i < b; i++) {
        long[] p = prompts.get(i);
        pads[i] = s - p.length;
        for (int j = 0; j < s; j++) {
          boolean real = j >= pads[i];
          ids.put(i * s + j, real ? p[j - pads[i]] : padId);
          mask.put(i * s + j, real ? 1 : 0);
          pos.put(i * s + j, real ? j - pads[i] : 1);
        }
      }
      Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
      try {
        inputs.put("input_ids", tensor(ids, b, s));
        inputs.put("attention_mask", tensor(mask, b, s));
        if (sig.positionIds()) {
          inputs.put("position_ids", tensor(pos, b, s));
        }
        ByteBuffer empty = ByteBuffer.allocateDirect(0);
        for (String name : sig.pastNames()) {
          inputs.put(name, tracker.track(OnnxTensor.createTensor(env, empty,
              new long[] {b, sig.kvHeads(), 0, sig.headDim()}, sig.kvType())));
        }
        int keep = extras(inputs, false);
        int positions = keep > 0 ? 1 : s;
        FloatBuffer logits = runModel(inputs, b, positions);
        total = s;
        // Rows: n per prompt, sharing the prompt's prefill.
        int n = params.n();
        long[] expand = new long[b * n];
        for (int i = 0; i < b; i++) {
          for (int j = 0; j < n; j++) {
            Row r = new Row(i, j, prompts.get(i), pads[i], seed + j, params.repetitionPenalty() != 1.0);
            rows.add(r);
            all.add(r);
            expand[i * n + j] = i;
          }
        }
        for (int k = 0; k < rows.size(); k++) {
          Row r = rows.get(k);
          int offset = (r.prompt * positions + positions - 1) * sig.vocab();
          accept(r, observe(r, logits, offset, rows.size(),
              sampler.sample(logits, offset, sig.vocab(), r.seen, r.rng)));
        }
        if (n > 1) {
          regather(expand);
        }
      } finally {
        closeInputs(inputs);
      }
      stats.tokens.add(rows.size());
      // Decode.
      long start = System.nanoTime();
      long runBefore = stats.runNanos();
      while (true) {
        long[] keepIdx = survivors();
        if (keepIdx.length == 0) {
          break;
        }
        if (keepIdx.length < rows.size()) {
          List<Row> next = new ArrayList<>(keepIdx.length);
          for (long k : keepIdx) {
            next.add(rows.get((int) k));
          }
          regather(keepIdx);
          rows = next;
        }
        step();
      }
      stats.decodeNanos.add(System.nanoTime() - start);
      stats.decodeRunNanos.add(stats.runNanos() - runBefore);
      List<List<Completion>> out = new ArrayList<>();
      for (int i = 0; i < b; i++) {
        out.add(new ArrayList<>(params.n()));
      }
      for (Row r : all) {
        out.get(r.prompt).add(new Completion(r.text, r.promptLen, r.generated, r.finish));
      }
      return out;
    }

    private long[] survivors() {
      int alive = 0;
      for (Row r : rows) {
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
      int t = total + 1;
      LongBuffer ids = longs(idsBuf = ensure(idsBuf, r * 8L), r);
      LongBuffer mask = longs(maskBuf = ensure(maskBuf, (long) r * t * 8), r * t);
      LongBuffer pos = longs(posBuf = ensure(posBuf, r * 8L), r);
      for (int i = 0; i < r; i++) {
        Row row = rows.get(i);
        ids.put(i, row.last);
        for (int j = 0; j < t; j++) {
          mask.put(i * t + j, j >= row.pad ? 1 : 0);
        }
        pos.put(i, total - row.pad);
      }
      Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
      try {
        inputs.put("input_ids", tensor(ids, r, 1));
        inputs.put("attention_mask", tensor(mask, r, t));
        if (sig.positionIds()) {
          inputs.put("position_ids", tensor(pos, r, 1));
        }
        extras(inputs, true);
        Map<String, OnnxTensor> all = new HashMap<>(inputs);
        for (int i = 0; i < kv.size(); i++) {
          all.put(sig.pastNames().get(i), kv.get(i));
        }
        FloatBuffer logits = runModel(all, r, 1);
        total = t;
        int[] next = sampleRows(logits, r);
        for (int i = 0; i < r; i++) {
          Row row = rows.get(i);
          accept(row, observe(row, logits, i * sig.vocab(), r, next[i]));
        }
        stats.tokens.add(r);
      } finally {
        closeInputs(inputs);
      }
    }

    /**
     * Samples one token per row. Rows are independent (each has its own generator), so with many
     * rows over a large vocabulary they are sampled in parallel; the result does not depend on it.
     */
    private int[] sampleRows(FloatBuffer logits, int r) {
      int[] next = new int[r];
      int vocab = sig.vocab();
      if (r > 1 && (long) r * vocab >= parallelSamplingElements) {
        java.util.stream.IntStream.range(0, r).parallel().forEach(i -> {
          Row row = rows.get(i);
          next[i] = samplers.get().sample(logits.duplicate(), i * vocab, vocab, row.seen, row.rng);
        });
      } else {
        for (int i = 0; i < r; i++) {
          Row row = rows.get(i);
          next[i] = sampler.sample(logits, i * vocab, vocab, row.seen, row.rng);
        }
      }
      return next;
    }

    /** Adds the optional scalar inputs; returns 1 when logits are limited to the last position. */
    private int extras(Map<String, OnnxTensor> inputs, boolean decoding) throws OrtException {
      if (sig.useCacheBranch()) {
        ByteBuffer flag = ByteBuffer.allocateDirect(1);
        flag.put(0, (byte) (decoding ? 1 : 0));
        inputs.put("use_cache_branch", tracker.track(
            OnnxTensor.createTensor(env, flag, new long[] {1}, OnnxJavaType.BOOL)));
      }
      if (sig.numLogitsToKeep()) {
        LongBuffer one = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).asLongBuffer();
        one.put(0, 1);
        inputs.put("num_logits_to_keep", tracker.track(
            OnnxTensor.createTensor(env, one, new long[0])));
        return 1;
      }
      return 0;
    }

    /** Runs the decoder; the new KV cache replaces the old one; returns the logits. */
    private FloatBuffer runModel(Map<String, OnnxTensor> inputs, int rowsN, int positions)
        throws OrtException {
      long count = (long) rowsN * positions * sig.vocab();
      boolean half = sig.logitsType() == OnnxJavaType.FLOAT16;
      logitsBuf = ensure(logitsBuf, count * (half ? 2 : 4));
      long[] shape = {rowsN, positions, sig.vocab()};
      OnnxTensor pinned;
      if (half) {
        ShortBuffer sb = logitsBuf.asShortBuffer();
        sb.limit((int) count);
        pinned = OnnxTensor.createTensor(env, sb, shape, OnnxJavaType.FLOAT16);
      } else {
        FloatBuffer fb = logitsBuf.asFloatBuffer();
        fb.limit((int) count);
        pinned = OnnxTensor.createTensor(env, fb, shape);
      }
      tracker.track(pinned);
      OrtSession.Result result;
      try {
        long t0 = System.nanoTime();
        result = session.run(inputs, Set.copyOf(sig.presentNames()), Map.of("logits", pinned));
        stats.runNanos.add(System.nanoTime() - t0);
        stats.runs.increment();
      } finally {
        tracker.close(pinned);
      }
      tracker.track(result);
      List<OnnxTensor> next = new ArrayList<>(sig.presentNames().size());
      try {
        for (String name : sig.presentNames()) {
          next.add((OnnxTensor) result.get(name).orElseThrow());
        }
      } catch (RuntimeException e) {
        tracker.close(result);
        throw e;
      }
      replaceKv(result, next);
      FloatBuffer view = logitsBuf.asFloatBuffer();
      if (!half) {
        return view;
      }
      if (halfScratch.length < count) {
        halfScratch = new float[(int) count];
      }
      ShortBuffer sb = logitsBuf.asShortBuffer();
      for (int i = 0; i < count; i++) {
        halfScratch[i] = halfToFloat(sb.get(i));
      }
      return FloatBuffer.wrap(halfScratch);
    }

    /** Keeps only the KV rows at {@code indices} (in that order, repeats allowed). */
    private void regather(long[] indices) throws OrtException {
      LongBuffer idx = ByteBuffer.allocateDirect(indices.length * 8)
          .order(ByteOrder.nativeOrder()).asLongBuffer();
      idx.put(indices).flip();
      OnnxTensor idxT = tracker.track(OnnxTensor.createTensor(env, idx, new long[] {indices.length}));
      try {
        Map<String, OnnxValue> in = new HashMap<>();
        in.put("indices", idxT);
        for (int i = 0; i < kv.size(); i++) {
          in.put("kv_" + i, kv.get(i));
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        Map<String, OnnxTensor> cast = (Map) in;
        long t0 = System.nanoTime();
        OrtSession.Result result = gather.run(cast);
        stats.runNanos.add(System.nanoTime() - t0);
        stats.runs.increment();
        tracker.track(result);
        List<OnnxTensor> next = new ArrayList<>(kv.size());
        try {
          for (int i = 0; i < kv.size(); i++) {
            next.add((OnnxTensor) result.get("out_" + i).orElseThrow());
          }
        } catch (RuntimeException e) {
          tracker.close(result);
          throw e;
        }
        replaceKv(result, next);
      } finally {
        tracker.close(idxT);
      }
    }

    private void replaceKv(AutoCloseable owner, List<OnnxTensor> next) {
      AutoCloseable old = kvOwner;
      kvOwner = owner;
      kv = next;
      tracker.close(old);
    }

    private int observe(Row r, FloatBuffer logits, int offset, int batchRows, int token) {
      TokenObserver o = observer;
      if (o != null) {
        float[] copy = new float[sig.vocab()];
        logits.get(offset, copy, 0, copy.length);
        o.onToken(r.prompt, r.sample, r.generated, copy, token, batchRows);
      }
      return token;
    }

    private void accept(Row r, int token) {
      r.generated++;
      r.last = token;
      if (r.seen != null) {
        r.seen.set(token);
      }
      if (eosIds.contains((long) token)) {
        finish(r, FinishReason.STOP);
        return;
      }
      if (r.outLen == r.out.length) {
        r.out = java.util.Arrays.copyOf(r.out, r.outLen * 2);
      }
      r.out[r.outLen++] = token;
      if (maxStop > 0) {
        // Stop strings need the text as it grows; without them the text is decoded once at the end.
        int before = r.decoder.text().length();
        String piece = r.decoder.add(token);
        if (!piece.isEmpty()) {
          String text = r.decoder.text();
          int from = Math.max(0, before - maxStop + 1);
          int cut = -1;
          for (String stop : params.stop()) {
            int at = text.indexOf(stop, from);
            if (at >= 0 && (cut < 0 || at < cut)) {
              cut = at;
            }
          }
          if (cut >= 0) {
            r.text = text.substring(0, cut);
            r.finish = FinishReason.STOP;
            return;
          }
        }
      }
      // The token just sampled would be fed at position total - pad; past the context it cannot be.
      if (r.generated >= params.maxTokens() || total - r.pad >= maxPositions) {
        finish(r, FinishReason.LENGTH);
      }
    }

    private void finish(Row r, FinishReason reason) {
      r.text = maxStop > 0 ? r.decoder.finish()
          : tokenizer.decode(java.util.Arrays.copyOf(r.out, r.outLen), true);
      r.finish = reason;
    }

    private OnnxTensor tensor(LongBuffer data, long rowsN, long cols) throws OrtException {
      return tracker.track(OnnxTensor.createTensor(env, data, new long[] {rowsN, cols}));
    }

    private void closeInputs(Map<String, OnnxTensor> inputs) {
      for (OnnxTensor t : inputs.values()) {
        tracker.close(t);
      }
    }

    @Override
    public void close() {
      tracker.close(kvOwner);
      kvOwner = null;
      kv = List.of();
    }
  }

  private static ByteBuffer ensure(ByteBuffer buf, long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new ModelException("batch too large for one buffer (" + bytes + " bytes); lower maxBatchRows");
    }
    if (buf.capacity() >= bytes) {
      return buf;
    }
    long cap = Math.max(bytes, Math.min(Integer.MAX_VALUE, buf.capacity() * 2L));
    return ByteBuffer.allocateDirect((int) cap).order(ByteOrder.nativeOrder());
  }

  private static LongBuffer longs(ByteBuffer buf, int count) {
    LongBuffer lb = buf.order(ByteOrder.nativeOrder()).asLongBuffer();
    lb.limit(count);
    return lb;
  }

  /** IEEE 754 half to float. */
  static float halfToFloat(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0) {
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    if (exp == 31) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
