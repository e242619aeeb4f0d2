package dev.sparq.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sparq.core.ModelException;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.llm.TokenUsage;
import dev.sparq.core.llm.UsageReporting;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
  private final GenerationStrategy strategy;
  /** The in-graph path (falling back to the Java loop), or null when only the loop runs. */
  private final InGraphGenerator inGraph;
  private final LoadedDecoder decoder;
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
  /** Most bytes of prefill logits per batch without {@code num_logits_to_keep} (tests lower it). */
  static volatile long prefillLogitsBytes = 1L << 30;

  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();

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
    decoder.observer = o;
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
          so -> env.createSession(KvGather.graph(sig), so)).session();
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
    // without max_position_embeddings the tokenizer's model_max_length is the best bound there is:
    // past the graph's position table a row would fail the whole batch instead of ending with LENGTH
    this.maxPositions = dir.configLong("max_position_embeddings",
        dir.tokenizerMaxLength().orElse(Long.MAX_VALUE));
    this.decoder = new LoadedDecoder(env, s, sig, tok, eosIds, padId, maxPositions, tracker, stats);
    GenerationStrategy loop = new KvCacheLoop(decoder, new KvGather(decoder, g));
    GenerationPath path = options.generation();
    if (path == GenerationPath.IN_GRAPH || (path == GenerationPath.AUTO && onCuda)) {
      Long preferred = null;
      if (dir.eosToken() != null) {
        long[] ids = tok.encode(dir.eosToken());
        preferred = ids.length == 1 ? ids[0] : null;
      }
      this.inGraph = new InGraphGenerator(decoder, options, onCuda, dir, preferred, loop);
      this.strategy = inGraph;
    } else {
      this.inGraph = null;
      this.strategy = loop;
    }
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
    ensureOpen();
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
    ensureOpen();
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
      for (int j = 0; j < p.length; j++) {
        // the embedding lookup would read a negative id from the end of the table, and report a
        // large one as an ONNX Runtime Gather error
        if (p[j] < 0 || p[j] >= sig.vocab()) {
          throw new IllegalArgumentException("prompt " + i + ", token " + j + ": id " + p[j]
              + " is not in the model's vocabulary (ids 0 to " + (sig.vocab() - 1) + "); is the"
              + " tokenizer the model's own?");
        }
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
      try {
        List<List<Completion>> done = strategy.generate(chunk, params, seed);
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
   * The generation path calls take when a request allows it: {@link GenerationPath#IN_GRAPH} when
   * {@link OnnxOptions#generation()} asks for it (or is {@code AUTO} on CUDA), else
   * {@link GenerationPath#JAVA_LOOP}. Requests or models the in-graph path cannot serve still run
   * in the Java loop.
   */
  public GenerationPath generationPath() {
    return inGraph != null ? GenerationPath.IN_GRAPH : GenerationPath.JAVA_LOOP;
  }

  /**
   * The wrapper model file the in-graph path last loaded, or null: no in-graph path, or a wrapper
   * loaded from memory (for tests).
   */
  Path inGraphWrapper() {
    return inGraph == null ? null : inGraph.lastWrapper();
  }

  /**
   * Prompt tokens read (each prompt once, however many samples) and tokens generated since the
   * model was opened; unlike {@link #stats()} these are never reset.
   */
  @Override
  public TokenUsage tokenUsage() {
    return new TokenUsage(promptTokensRead.sum(), completionTokensMade.sum());
  }

  /** Releases the sessions and the tokenizer; closing again does nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      OnnxSessions.closeQuietly(LOG, session, strategy, tokenizer);
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException(name() + " is closed; open the model again to use it");
    }
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

    void addRun(long nanos) {
      runNanos.add(nanos);
      runs.increment();
    }

    void addTokens(long n) {
      tokens.add(n);
    }

    void addDecode(long nanos, long runNanosWithin) {
      decodeNanos.add(nanos);
      decodeRunNanos.add(runNanosWithin);
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

  /** IEEE 754 half to float. */
  static float halfToFloat(short h) {
    return LogitsOutput.halfToFloat(h);
  }
}
