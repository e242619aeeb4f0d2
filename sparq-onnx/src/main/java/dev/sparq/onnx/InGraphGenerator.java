package dev.sparq.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.FinishReason;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.onnx.proto.GenerationGraph;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link GenerationPath#IN_GRAPH} path: generates a batch with one ONNX Runtime run of a
 * wrapper model ({@link GenerationGraph}) whose {@code GreedySearch} / {@code Sampling} operator
 * runs the decoder in a loop, keeping the KV cache inside ONNX Runtime. Per call only the prompt
 * ids and masks go in and the generated ids come out: O(batch x length) int32s, never the KV cache.
 *
 * <p>The wrapper is written next to the model as {@code <model>.sparq-gen-<hash>.onnx}, the hash
 * covering the model file's bytes and everything that shapes the wrapper, written atomically
 * (temporary file, then rename) and reused; when the model directory is not writable it is only
 * kept in memory and loaded from there, with the model's folder as the folder of its external data.
 * It is never written to or read from a shared place such as the temporary directory, where
 * another user could put a file of the expected name first.
 *
 * <p>Stop strings, further EOS ids and the length limit are applied afterwards by replaying the
 * generated ids through the same rules as the Java loop, so text, token counts and finish reasons
 * match it; a row that meets a stop string keeps generating inside the run until its EOS, its
 * {@code max_tokens}, or the end of the batch (the cost of not stopping inside the graph).
 */
final class InGraphGenerator implements GenerationStrategy {
  private static final Logger LOG = LoggerFactory.getLogger(InGraphGenerator.class);
  /** Largest decoder file rewritten (the protobuf limit). */
  static final long MAX_MODEL_BYTES = Integer.MAX_VALUE - 8L;

  private final LoadedDecoder d;
  private final OrtEnvironment env;
  private final OnnxOptions options;
  private final OnnxOptions.Device device;
  private final ModelDirectory dir;
  private final DecoderSignature sig;
  private final int primaryEos;
  private final int[] otherEos;
  private final GenerationStrategy fallback;
  private final Map<String, OrtSession> sessions = new HashMap<>();
  private final Map<String, String> failed = new HashMap<>();
  private final Set<String> fallbackLogged = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private String modelDigest;
  private volatile Path lastWrapper;

  /**
   * @param d the loaded decoder (its session is not used: the wrapper has its own)
   * @param onCuda whether the wrapper's sessions go to CUDA
   * @param preferredEos the EOS id the operator stops at (the tokenizer's {@code eos_token}), or
   *     null for the smallest of {@code d.eosIds}; the other EOS ids are folded into it
   * @param fallback runs what the graph cannot (owned: closed with this)
   */
  InGraphGenerator(LoadedDecoder d, OnnxOptions options, boolean onCuda, ModelDirectory dir,
      Long preferredEos, GenerationStrategy fallback) {
    this.d = d;
    this.env = d.env;
    this.options = options;
    this.device = onCuda ? OnnxOptions.Device.CUDA : OnnxOptions.Device.CPU;
    this.dir = dir;
    this.sig = d.sig;
    this.fallback = fallback;
    TreeSet<Long> sorted = new TreeSet<>(d.eosIds);
    long primary = preferredEos != null && d.eosIds.contains(preferredEos) ? preferredEos
        : sorted.isEmpty() ? GenerationGraph.NO_EOS : sorted.first();
    sorted.remove(primary);
    this.primaryEos = (int) primary;
    this.otherEos = sorted.stream().mapToInt(Long::intValue).toArray();
  }

  @Override
  public List<List<Completion>> generate(List<long[]> prompts, SamplingParams params, long seed)
      throws OrtException {
    int longest = 0;
    for (long[] p : prompts) {
      longest = Math.max(longest, p.length);
    }
    String why = unsupported(params, longest);
    OrtSession s = why == null ? session(params) : null;
    if (s == null) {
      why = why != null ? why : unsupported(params, longest);
      if (fallbackLogged.add(why)) {
        LOG.info("{}: in-graph generation not used, the Java loop runs instead: {}", dir.dir(), why);
      }
      return fallback.generate(prompts, params, seed);
    }
    long t0 = System.nanoTime();
    List<List<Completion>> done = generate(s, prompts, params, seed);
    long dt = System.nanoTime() - t0;
    d.stats.addRun(dt);
    d.stats.addDecode(dt, dt);
    for (List<Completion> cs : done) {
      for (Completion c : cs) {
        d.stats.addTokens(c.completionTokens());
      }
    }
    return done;
  }

  /** The wrapper file last opened, or null when it was loaded from memory (for tests and logs). */
  Path lastWrapper() {
    return lastWrapper;
  }

  /**
   * Why these parameters or this chunk cannot run in the graph, or null when they can.
   *
   * @param longest the longest prompt of the chunk
   */
  String unsupported(SamplingParams p, int longest) {
    if (p.repetitionPenalty() != 1.0) {
      return "repetition_penalty is applied only by the Java loop";
    }
    if (!p.greedy() && p.topP() < 1.0 && p.minP() > 0) {
      return "top_p together with min_p is applied in vLLM's order only by the Java loop";
    }
    if ((long) longest + p.maxTokens() - 1 > d.maxPositions) {
      return "prompt plus max_tokens passes the model's context (max_position_embeddings "
          + d.maxPositions + ")";
    }
    if ((long) longest + p.maxTokens() > Integer.MAX_VALUE / 2) {
      return "prompt plus max_tokens is too long";
    }
    return failed.get(config(p).key());
  }

  private GenerationGraph.Config config(SamplingParams p) {
    boolean greedy = p.greedy();
    return new GenerationGraph.Config(
        greedy ? GenerationGraph.Search.GREEDY : GenerationGraph.Search.SAMPLING, primaryEos,
        otherEos, (int) d.padId, sig.layers(), sig.kvHeads(), sig.headDim(), sig.vocab(),
        !greedy && p.topK() > 0 && p.topK() < sig.vocab(), !greedy && p.minP() > 0,
        greedy || p.topP() >= 1.0 ? 1f : (float) p.topP());
  }

  /**
   * The session for these parameters, building (or reusing) the wrapper; null when the model
   * cannot be rewritten or the session does not start, with the reason kept for
   * {@link #unsupported}.
   */
  synchronized OrtSession session(SamplingParams p) {
    GenerationGraph.Config c = config(p);
    String key = c.key();
    OrtSession s = sessions.get(key);
    if (s != null || failed.containsKey(key)) {
      return s;
    }
    try {
      Wrapper wrapper = wrapper(c);
      Path modelDir = dir.modelFile().toAbsolutePath().getParent();
      if (wrapper.file() != null) {
        s = OnnxSessions.createOn(options, device,
            so -> env.createSession(wrapper.file().toString(), so)).session();
      } else {
        // Not writable beside the model: loaded from memory, its external data read from the
        // model's folder (the default for a model loaded from bytes is the working directory).
        s = OnnxSessions.createOn(options, device, so -> {
          so.addConfigEntry("session.model_external_initializers_file_folder_path",
              modelDir.toString());
          return env.createSession(wrapper.bytes(), so);
        }).session();
      }
      lastWrapper = wrapper.file();
      sessions.put(key, s);
      LOG.info("in-graph generation ({}) ready: {}", c.search(),
          wrapper.file() != null ? wrapper.file() : "wrapper in memory");
      return s;
    } catch (GenerationGraph.UnsupportedModelException e) {
      failed.put(key, "the decoder cannot be rewritten: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      failed.put(key, dir.modelFile() + " is not a readable ONNX file: " + e.getMessage());
    } catch (IOException e) {
      failed.put(key, "cannot write the wrapper model: " + e.getMessage());
    } catch (OrtException e) {
      failed.put(key, "ONNX Runtime cannot load the wrapper model: " + e.getMessage());
    }
    return null;
  }

  /** A wrapper model: a file beside the decoder, or (when none can be written there) bytes. */
  private record Wrapper(Path file, byte[] bytes) {}

  /** Finds the wrapper file already built beside the model, or builds it. */
  private Wrapper wrapper(GenerationGraph.Config c) throws IOException {
    Path model = dir.modelFile();
    long size = Files.size(model);
    if (size > MAX_MODEL_BYTES) {
      throw new GenerationGraph.UnsupportedModelException(model + " has " + size
          + " bytes, over the 2 GB protobuf limit");
    }
    try (FileChannel ch = FileChannel.open(model, StandardOpenOption.READ)) {
      ByteBuffer bytes = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      if (modelDigest == null) {
        modelDigest = hex(digest(bytes.duplicate(), new byte[0]));
      }
      String hash = hex(digest(ByteBuffer.wrap(modelDigest.getBytes(
          java.nio.charset.StandardCharsets.UTF_8)), c.key().getBytes(
          java.nio.charset.StandardCharsets.UTF_8))).substring(0, 16);
      String base = model.getFileName().toString().replaceFirst("\\.onnx$", "");
      String name = base + ".sparq-gen-" + hash + ".onnx";
      Path beside = model.resolveSibling(name);
      if (Files.isRegularFile(beside)) {
        return new Wrapper(beside, null);
      }
      byte[] out = GenerationGraph.rewrite(bytes, c);
      try {
        writeAtomically(beside, out);
        return new Wrapper(beside, null);
      } catch (IOException e) {
        LOG.info("{} is not writable ({}); the generation wrapper is kept in memory (rebuilt at "
            + "each start)", model.getParent(), e.getMessage());
      }
      externalLocations(bytes);
      return new Wrapper(null, out);
    }
  }

  /** The external-data file names the model's initializers name, checked to stay beside it. */
  private List<String> externalLocations(ByteBuffer model) {
    List<String> out = new ArrayList<>();
    for (String location : GenerationGraph.externalDataLocations(model)) {
      Path p = Path.of(location);
      if (p.isAbsolute() || p.getNameCount() != 1 || location.equals("..")) {
        throw new GenerationGraph.UnsupportedModelException("external data location '" + location
            + "' is not a file beside the model");
      }
      out.add(location);
    }
    return out;
  }

  private static void writeAtomically(Path target, byte[] data) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), ".sparq-gen-", ".tmp");
    try {
      Files.write(tmp, data);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static byte[] digest(ByteBuffer a, byte[] b) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(a);
      md.update(b);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  /**
   * Generates a chunk of prompts with a session from {@link #session}.
   *
   * @return per prompt, {@code params.n()} completions
   */
  private List<List<Completion>> generate(OrtSession session, List<long[]> prompts,
      SamplingParams params, long seed) throws OrtException {
    int n = params.n();
    boolean greedy = params.greedy();
    // Greedy samples are all the same: generate each prompt once and repeat it.
    int copies = greedy ? 1 : n;
    int b = prompts.size() * copies;
    int s = 0;
    for (long[] p : prompts) {
      s = Math.max(s, p.length);
    }
    IntBuffer ids = ints(b * s);
    IntBuffer mask = ints(b * s);
    for (int i = 0; i < b; i++) {
      long[] p = prompts.get(i / copies);
      int pad = s - p.length;
      for (int j = 0; j < s; j++) {
        boolean real = j >= pad;
        ids.put(i * s + j, real ? (int) p[j - pad] : GenerationGraph.PAD);
        mask.put(i * s + j, real ? 1 : 0);
      }
    }
    Map<String, OnnxTensor> in = new LinkedHashMap<>();
    int[][] generated = new int[b][];
    try {
      in.put("input_ids", d.tracker.track(OnnxTensor.createTensor(env, ids, new long[] {b, s})));
      in.put("attention_mask", d.tracker.track(OnnxTensor.createTensor(env, mask,
          new long[] {b, s})));
      in.put("max_length", scalarInt(s + params.maxTokens()));
      if (!greedy) {
        in.put("seed", scalarInt(seed32(seed)));
        in.put("sparq_temperature", scalarFloat((float) params.temperature()));
        GenerationGraph.Config c = config(params);
        if (c.topK()) {
          ByteBuffer k = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
          k.putLong(0, params.topK());
          in.put("sparq_top_k", d.tracker.track(OnnxTensor.createTensor(env, k.asLongBuffer(),
              new long[] {1})));
        }
        if (c.minP()) {
          in.put("sparq_log_min_p", scalarFloat((float) Math.log(params.minP())));
        }
      }
      try (OrtSession.Result r = session.run(in)) {
        OnnxTensor seq = (OnnxTensor) r.get(0);
        long[] shape = seq.getInfo().getShape();
        int len = (int) shape[1];
        IntBuffer all = seq.getIntBuffer();
        for (int i = 0; i < b; i++) {
          int[] row = new int[Math.max(0, len - s)];
          all.get(i * len + s, row, 0, row.length);
          generated[i] = row;
        }
      }
    } finally {
      for (OnnxTensor t : in.values()) {
        d.tracker.close(t);
      }
    }
    StopConditions stops = new StopConditions(params, d.eosIds, d.tokenizer, d.maxPositions);
    List<List<Completion>> out = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      List<Completion> samples = new ArrayList<>(n);
      for (int j = 0; j < n; j++) {
        int row = i * copies + (greedy ? 0 : j);
        samples.add(replay(stops, prompts.get(i), generated[row]));
      }
      out.add(samples);
    }
    return out;
  }

  /**
   * Turns generated ids into a completion by replaying them through the Java loop's
   * {@link StopConditions}: the first EOS id, a stop string (cut from the text), {@code max_tokens}
   * or the context limit ends it.
   */
  private Completion replay(StopConditions stops, long[] prompt, int[] tokens) {
    Sequence r = new Sequence(0, 0, prompt, 0, 0, false, sig.vocab(), d.tokenizer);
    for (int token : tokens) {
      // The operator writes its pad id in place of the EOS that ends a row, and after it.
      stops.accept(r, token == GenerationGraph.PAD ? primaryEos : token, prompt.length + r.generated);
      if (r.finish != null) {
        break;
      }
    }
    if (r.finish == null) {
      // Not reached: the operator ends a row only at its EOS or max_length.
      stops.finish(r, FinishReason.LENGTH);
    }
    return new Completion(r.text, r.promptLen, r.generated, r.finish);
  }

  /** A positive int32 seed for ONNX Runtime from a 64-bit one. */
  static int seed32(long seed) {
    long z = seed + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    int v = (int) (z >>> 33);
    return v == 0 ? 1 : v;
  }

  private OnnxTensor scalarInt(int v) throws OrtException {
    IntBuffer b = ints(1);
    b.put(0, v);
    return d.tracker.track(OnnxTensor.createTensor(env, b, new long[] {1}));
  }

  private OnnxTensor scalarFloat(float v) throws OrtException {
    java.nio.FloatBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder())
        .asFloatBuffer();
    b.put(0, v);
    return d.tracker.track(OnnxTensor.createTensor(env, b, new long[] {1}));
  }

  private static IntBuffer ints(int count) {
    return ByteBuffer.allocateDirect(count * 4).order(ByteOrder.nativeOrder()).asIntBuffer();
  }

  @Override
  public synchronized void close() {
    OnnxSessions.closeQuietly(LOG, sessions.values().toArray(new AutoCloseable[0]));
    sessions.clear();
    fallback.close();
  }
}
