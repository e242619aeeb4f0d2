package dev.sparq.onnx.embed;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparq.core.ModelException;
import dev.sparq.onnx.HfTokenizer;
import dev.sparq.onnx.NativeTracker;
import dev.sparq.onnx.OnnxOptions;
import dev.sparq.onnx.OnnxSessions;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sentence embeddings from a sentence-transformers ONNX export (all-MiniLM-L6-v2, BGE, E5, ... as
 * exported by Optimum or transformers.js): tokenizes with the model's {@code tokenizer.json} (special
 * tokens added), runs texts in batches padded to the longest text of each batch, pools the token
 * vectors over the attention mask (mean, or the first token) and L2-normalises the result.
 *
 * <p>Inputs fed: {@code input_ids}, {@code attention_mask} and, when the graph declares it,
 * {@code token_type_ids} (zeros: one segment), as int64 or int32 as the graph declares. Output used:
 * {@code sentence_embedding} when the graph has it (the export's own pooling), otherwise
 * {@code last_hidden_state} / {@code token_embeddings} (or the first rank-3 output), pooled here.
 *
 * <p>Texts longer than {@link #maxLength()} tokens are cut at the end (the closing special tokens
 * are kept) and counted in {@link #truncatedTexts()}. Texts are sorted by length and a batch is
 * closed early rather than carry more than 25% padding, so batches hold texts of similar length
 * (on CPU the cost is proportional to padded tokens). Results come back in input order. A text's
 * vector does not depend on the other texts of the call, except for dynamically quantised graphs
 * in padded batches, whose activation scale spans the batch; {@link EmbedderOptions.BatchMode#AUTO}
 * therefore runs those graphs one text per call.
 *
 * <p>Every ONNX Runtime tensor and result is closed before {@link #embed(List)} returns
 * ({@link #openNativeValues()} is zero between calls); {@link #close()} frees the session and the
 * tokenizer. Thread-safe: concurrent {@code embed} calls share one session.
 */
public final class OnnxEmbedder implements TextEmbedder, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxEmbedder.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int DEFAULT_MAX_LENGTH = 512;
  /**
   * Most padding a batch may carry, as a fraction of its real tokens: on CPU the encoder's cost is
   * proportional to padded tokens, and with texts of 8 to 60 words padding every batch of 32 to its
   * longest text made batches 2.4 times slower than one text per call (src-docs/benchmarks.md).
   */
  static final double MAX_PADDING = 0.25;

  private final Path modelFile;
  private final EmbedderOptions options;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final HfTokenizer tokenizer;
  private final boolean onCuda;
  private final int maxLength;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final EmbedderOptions.Pooling pooling;
  private final String outputName;
  private final boolean outputPooled;
  private final int dimension;
  private final boolean hasTypeIds;
  private final boolean hasMask;
  private final boolean int32Inputs;
  private final boolean perText;
  private final long[] prefix;
  private final long[] suffix;
  private final AtomicLong truncated = new AtomicLong();
  private final AtomicLong texts = new AtomicLong();
  private final AtomicLong runs = new AtomicLong();
  private final AtomicLong tokens = new AtomicLong();
  private final NativeTracker tracker = new NativeTracker();

  private OnnxEmbedder(Path modelFile, Path tokenizerJson, Path dir, EmbedderOptions options) {
    this.modelFile = modelFile;
    this.options = options;
    this.env = OnnxSessions.environment();
    OrtSession s = null;
    HfTokenizer tok = null;
    try {
      OnnxSessions.Created created = OnnxSessions.create(options.onnx(),
          so -> env.createSession(modelFile.toString(), so));
      s = created.session();
      this.onCuda = created.onCuda();
      tok = HfTokenizer.open(tokenizerJson);
      Map<String, NodeInfo> in = s.getInputInfo();
      if (!in.containsKey("input_ids")) {
        throw new ModelException(modelFile + ": not a sentence encoder: it has no input 'input_ids'"
            + " (inputs: " + in.keySet() + ")");
      }
      for (String name : in.keySet()) {
        if (!Set.of("input_ids", "attention_mask", "token_type_ids").contains(name)) {
          throw new ModelException(modelFile + ": unsupported input '" + name + "' (an encoder takes"
              + " input_ids, attention_mask and optionally token_type_ids; inputs: " + in.keySet()
              + ")");
        }
      }
      this.hasMask = in.containsKey("attention_mask");
      this.hasTypeIds = in.containsKey("token_type_ids");
      OnnxJavaType idType = ((TensorInfo) in.get("input_ids").getInfo()).type;
      if (idType != OnnxJavaType.INT64 && idType != OnnxJavaType.INT32) {
        throw new ModelException(modelFile + ": input 'input_ids' is " + idType
            + ", expected int64 or int32");
      }
      this.int32Inputs = idType == OnnxJavaType.INT32;
      Map<String, NodeInfo> out = s.getOutputInfo();
      String chosen = null;
      boolean pooled = false;
      int dim = -1;
      if (out.containsKey("sentence_embedding")) {
        chosen = "sentence_embedding";
        pooled = true;
      } else {
        for (String name : List.of("last_hidden_state", "token_embeddings")) {
          if (out.containsKey(name)) {
            chosen = name;
            break;
          }
        }
        if (chosen == null) {
          for (Map.Entry<String, NodeInfo> e : out.entrySet()) {
            if (e.getValue().getInfo() instanceof TensorInfo t && t.getShape().length == 3) {
              chosen = e.getKey();
              break;
            }
          }
        }
      }
      if (chosen == null) {
        throw new ModelException(modelFile + ": no usable output (want 'sentence_embedding',"
            + " 'last_hidden_state', 'token_embeddings' or any [batch, tokens, hidden] tensor;"
            + " outputs: " + out.keySet() + ")");
      }
      TensorInfo oi = (TensorInfo) out.get(chosen).getInfo();
      long[] shape = oi.getShape();
      if (shape.length != (pooled ? 2 : 3)) {
        throw new ModelException(modelFile + ": output '" + chosen + "' has shape "
            + Arrays.toString(shape) + ", expected rank " + (pooled ? 2 : 3));
      }
      dim = (int) shape[shape.length - 1];
      this.outputName = chosen;
      this.outputPooled = pooled;
      this.tokenizer = tok;
      this.session = s;
      long[][] template = specialTokenTemplate(tok);
      this.prefix = template[0];
      this.suffix = template[1];
      this.maxLength = resolveMaxLength(options.maxLength(), dir, tokenizerJson);
      if (maxLength < prefix.length + suffix.length + 1) {
        throw new ModelException("maxLength " + maxLength + " leaves no room for text besides the "
            + (prefix.length + suffix.length) + " special tokens");
      }
      this.pooling = resolvePooling(options.pooling(), dir);
      this.perText = switch (options.batchMode()) {
        case PER_TEXT -> true;
        case PADDED -> false;
        case AUTO -> dynamicallyQuantised(modelFile);
      };
      this.dimension = dim > 0 ? dim : probeDimension();
    } catch (OrtException e) {
      OnnxSessions.closeQuietly(LOG, s, tok);
      throw new ModelException(modelFile + ": ONNX Runtime cannot load the model: " + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      OnnxSessions.closeQuietly(LOG, s, tok);
      throw e;
    }
    LOG.info("loaded encoder {} (dim {}, max {} tokens, {} pooling, output '{}', {}) on {}",
        modelFile, dimension, maxLength, pooling, outputName,
        perText ? "one text per call" : "padded batches of " + options.batchSize(),
        onCuda ? "CUDA" : "CPU");
  }

  /**
   * Opens a sentence-transformers directory: the model is {@code onnx/<variant file>} or
   * {@code <variant file>} (see {@link OnnxOptions#variant()}), the tokenizer {@code tokenizer.json};
   * {@code sentence_bert_config.json} and {@code 1_Pooling/config.json} are read when present.
   *
   * @throws ModelException naming the paths looked at when a file is missing
   */
  public static OnnxEmbedder open(Path dir, EmbedderOptions options) {
    Objects.requireNonNull(dir, "dir");
    if (!Files.isDirectory(dir)) {
      throw new ModelException(dir + ": not an embedding model directory (it does not exist or is a"
          + " file)");
    }
    String file = OnnxOptions.fileOfVariant(options.onnx().variant());
    Path model = dir.resolve("onnx").resolve(file);
    if (!Files.isRegularFile(model)) {
      Path flat = dir.resolve(file);
      if (!Files.isRegularFile(flat)) {
        throw new ModelException(dir + ": embedding model not found: neither " + model + " nor "
            + flat + " exists (variant '" + options.onnx().variant() + "')");
      }
      model = flat;
    }
    Path tok = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(tok)) {
      throw new ModelException(tok + ": tokenizer file not found");
    }
    return new OnnxEmbedder(model, tok, dir, options);
  }

  /** Opens a directory with the default options. */
  public static OnnxEmbedder open(Path dir) {
    return open(dir, EmbedderOptions.defaults());
  }

  /**
   * Opens an explicit ONNX file and {@code tokenizer.json} (for example resources copied out of a
   * jar). The variant in the options is ignored.
   *
   * @throws ModelException naming the path when a file is missing
   */
  public static OnnxEmbedder open(Path modelFile, Path tokenizerJson, EmbedderOptions options) {
    if (!Files.isRegularFile(modelFile)) {
      throw new ModelException(modelFile + ": embedding model file not found");
    }
    if (!Files.isRegularFile(tokenizerJson)) {
      throw new ModelException(tokenizerJson + ": tokenizer file not found");
    }
    return new OnnxEmbedder(modelFile, tokenizerJson, null, options);
  }

  /** The special tokens the post-processor puts before and after a single text. */
  /**
   * Whether the graph quantises activations dynamically: its node list names the operator
   * {@code DynamicQuantizeLinear} (op types are stored as plain strings in the model protobuf).
   */
  static boolean dynamicallyQuantised(Path modelFile) {
    byte[] needle = "DynamicQuantizeLinear".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] buf = new byte[1 << 20];
    int keep = needle.length - 1;
    try (java.io.InputStream in = Files.newInputStream(modelFile)) {
      int have = 0;
      while (true) {
        int r = in.read(buf, have, buf.length - have);
        if (r < 0) {
          return false;
        }
        int end = have + r;
        for (int i = 0; i + needle.length <= end; i++) {
          if (buf[i] == needle[0]
              && Arrays.equals(buf, i, i + needle.length, needle, 0, needle.length)) {
            return true;
          }
        }
        int tail = Math.min(keep, end);
        System.arraycopy(buf, end - tail, buf, 0, tail);
        have = tail;
      }
    } catch (IOException e) {
      throw new ModelException(modelFile + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static long[][] specialTokenTemplate(HfTokenizer tok) {
    String probe = "a probe sentence";
    long[] plain = tok.encode(probe, false);
    long[] full = tok.encode(probe, true);
    for (int start = 0; start + plain.length <= full.length; start++) {
      if (Arrays.equals(full, start, start + plain.length, plain, 0, plain.length)) {
        return new long[][] {Arrays.copyOfRange(full, 0, start),
            Arrays.copyOfRange(full, start + plain.length, full.length)};
      }
    }
    LOG.warn("the tokenizer's special tokens do not wrap the text; truncation keeps the first tokens");
    return new long[][] {new long[0], new long[0]};
  }

  private static int resolveMaxLength(int requested, Path dir, Path tokenizerJson) {
    if (requested > 0) {
      JsonNode config = dir == null ? null : readJson(dir.resolve("config.json"));
      JsonNode positions = config == null ? null : config.path("max_position_embeddings");
      if (positions != null && positions.isIntegralNumber() && positions.asLong() > 0
          && requested > positions.asLong()) {
        // the model would fail at the first long text with a broadcast error from ONNX Runtime
        throw new ModelException("EmbedderOptions.maxLength " + requested + " is more than the "
            + positions.asLong() + " positions the model has (" + dir.resolve("config.json")
            + ": max_position_embeddings); give at most " + positions.asLong());
      }
      return requested;
    }
    if (dir != null) {
      JsonNode st = readJson(dir.resolve("sentence_bert_config.json"));
      if (st != null && st.path("max_seq_length").isIntegralNumber()) {
        return st.path("max_seq_length").asInt();
      }
    }
    JsonNode tok = readJson(tokenizerJson);
    if (tok != null && tok.path("truncation").path("max_length").isIntegralNumber()) {
      return tok.path("truncation").path("max_length").asInt();
    }
    if (dir != null) {
      JsonNode cfg = readJson(dir.resolve("tokenizer_config.json"));
      if (cfg != null && cfg.path("model_max_length").isNumber()
          && cfg.path("model_max_length").asDouble() <= 1_000_000) {
        return cfg.path("model_max_length").asInt();
      }
    }
    return DEFAULT_MAX_LENGTH;
  }

  private static EmbedderOptions.Pooling resolvePooling(EmbedderOptions.Pooling p, Path dir) {
    if (p != EmbedderOptions.Pooling.AUTO) {
      return p;
    }
    if (dir != null) {
      JsonNode cfg = readJson(dir.resolve("1_Pooling").resolve("config.json"));
      if (cfg != null && cfg.path("pooling_mode_cls_token").asBoolean(false)) {
        return EmbedderOptions.Pooling.CLS;
      }
    }
    return EmbedderOptions.Pooling.MEAN;
  }

  private static JsonNode readJson(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new ModelException(file + ": invalid JSON: " + e.getMessage(), e);
    }
  }

  private int probeDimension() {
    return embedUncounted(List.of("probe"))[0].length;
  }

  /** Length of the vectors. */
  @Override
  public int dimension() {
    return dimension;
  }

  /** Most tokens per text, special tokens included. */
  public int maxLength() {
    return maxLength;
  }

  /** The pooling in use (never AUTO). */
  public EmbedderOptions.Pooling pooling() {
    return pooling;
  }

  /** Whether every text runs alone ({@link EmbedderOptions.BatchMode#PER_TEXT} in effect). */
  public boolean perText() {
    return perText;
  }

  /** The ONNX file. */
  public Path modelFile() {
    return modelFile;
  }

  /** Whether the session runs on CUDA. */
  public boolean onCuda() {
    return onCuda;
  }

  /** Texts cut to {@link #maxLength()} tokens since this embedder was opened. */
  public long truncatedTexts() {
    return truncated.get();
  }

  /** Texts embedded since this embedder was opened. */
  public long embeddedTexts() {
    return texts.get();
  }

  /** ONNX Runtime calls made since this embedder was opened. */
  public long runs() {
    return runs.get();
  }

  /** Tokens fed (padding excluded) since this embedder was opened. */
  public long tokens() {
    return tokens.get();
  }

  /** ONNX Runtime tensors and results not yet closed: zero whenever no call is in progress. */
  public int openNativeValues() {
    return tracker.openCount();
  }

  /** Token ids of one text as the model sees them: special tokens added, cut to the maximum. */
  public long[] tokenize(String text) {
    return tokenize(text, null);
  }

  private long[] tokenize(String text, boolean[] cut) {
    ensureOpen();
    long[] body = tokenizer.encode(Objects.requireNonNull(text, "text"), false);
    int room = maxLength - prefix.length - suffix.length;
    if (body.length > room) {
      body = Arrays.copyOf(body, room);
      if (cut != null) {
        cut[0] = true;
      }
    }
    long[] ids = new long[prefix.length + body.length + suffix.length];
    System.arraycopy(prefix, 0, ids, 0, prefix.length);
    System.arraycopy(body, 0, ids, prefix.length, body.length);
    System.arraycopy(suffix, 0, ids, prefix.length + body.length, suffix.length);
    return ids;
  }

  /**
   * Embeds texts in batches of {@link EmbedderOptions#batchSize()}.
   *
   * @return one vector per text, in input order (unit length unless normalisation is off)
   * @throws ModelException when ONNX Runtime fails
   */
  @Override
  public float[][] embed(List<String> input) {
    ensureOpen();
    float[][] out = embedUncounted(input);
    texts.addAndGet(input.size());
    return out;
  }

  private float[][] embedUncounted(List<String> input) {
    int n = input.size();
    long[][] ids = new long[n][];
    boolean[] cut = new boolean[1];
    for (int i = 0; i < n; i++) {
      cut[0] = false;
      ids[i] = tokenize(input.get(i), cut);
      if (cut[0]) {
        truncated.incrementAndGet();
      }
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Integer.compare(ids[a].length, ids[b].length));
    float[][] out = new float[n][];
    int batch = perText ? 1 : options.batchSize();
    int start = 0;
    while (start < n) {
      // texts are in ascending length: grow the batch while padding stays within the tolerance
      int end = start + 1;
      long real = ids[order[start]].length;
      while (end < n && end - start < batch) {
        int len = ids[order[end]].length;
        if ((long) (end - start + 1) * len > (real + len) * (1 + MAX_PADDING)) {
          break;
        }
        real += len;
        end++;
      }
      long[][] rows = new long[end - start][];
      for (int k = start; k < end; k++) {
        rows[k - start] = ids[order[k]];
      }
      float[][] vecs = runBatch(rows);
      for (int k = start; k < end; k++) {
        out[order[k]] = vecs[k - start];
      }
      start = end;
    }
    return out;
  }

  private float[][] runBatch(long[][] rows) {
    int b = rows.length;
    int len = 0;
    for (long[] r : rows) {
      len = Math.max(len, r.length);
      tokens.addAndGet(r.length);
    }
    long[] idBuf = new long[b * len];
    long[] maskBuf = new long[b * len];
    for (int i = 0; i < b; i++) {
      System.arraycopy(rows[i], 0, idBuf, i * len, rows[i].length);
      Arrays.fill(maskBuf, i * len, i * len + rows[i].length, 1L);
    }
    long[] shape = {b, len};
    List<OnnxTensor> made = new ArrayList<>(3);
    try {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put("input_ids", tensor(idBuf, shape, made));
      if (hasMask) {
        inputs.put("attention_mask", tensor(maskBuf, shape, made));
      }
      if (hasTypeIds) {
        inputs.put("token_type_ids", tensor(new long[b * len], shape, made));
      }
      runs.incrementAndGet();
      OrtSession.Result result = tracker.track(session.run(inputs, Set.of(outputName)));
      try {
        OnnxTensor t = (OnnxTensor) result.get(0);
        long[] os = t.getInfo().getShape();
        FloatBuffer fb = t.getFloatBuffer();
        if (fb == null) {
          throw new ModelException(modelFile + ": output '" + outputName + "' is "
              + t.getInfo().type + ", not a floating-point tensor");
        }
        float[] data = new float[fb.remaining()];
        fb.get(data);
        return outputPooled ? rowsOf(data, os, b) : pool(data, os, maskBuf, b, len);
      } finally {
        tracker.close(result);
      }
    } catch (OrtException e) {
      throw new ModelException(modelFile + ": ONNX Runtime failed on a batch of " + b + " texts of up"
          + " to " + len + " tokens: " + e.getMessage(), e);
    } finally {
      for (OnnxTensor t : made) {
        tracker.close(t);
      }
    }
  }

  private OnnxTensor tensor(long[] values, long[] shape, List<OnnxTensor> made)
      throws OrtException {
    OnnxTensor t;
    if (int32Inputs) {
      int[] ints = new int[values.length];
      for (int i = 0; i < values.length; i++) {
        ints[i] = Math.toIntExact(values[i]);
      }
      t = OnnxTensor.createTensor(env, IntBuffer.wrap(ints), shape);
    } else {
      t = OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape);
    }
    made.add(tracker.track(t));
    return t;
  }

  private float[][] rowsOf(float[] data, long[] shape, int b) {
    int h = (int) shape[1];
    float[][] out = new float[b][];
    for (int i = 0; i < b; i++) {
      out[i] = finish(Arrays.copyOfRange(data, i * h, (i + 1) * h));
    }
    return out;
  }

  private float[][] pool(float[] data, long[] shape, long[] mask, int b, int len) {
    if (shape[0] != b || shape[1] != len) {
      throw new ModelException(modelFile + ": output '" + outputName + "' has shape "
          + Arrays.toString(shape) + " for input [" + b + ", " + len + "]");
    }
    int h = (int) shape[2];
    float[][] out = new float[b][];
    double[] acc = new double[h];
    for (int i = 0; i < b; i++) {
      float[] v = new float[h];
      if (pooling == EmbedderOptions.Pooling.CLS) {
        System.arraycopy(data, i * len * h, v, 0, h);
      } else {
        Arrays.fill(acc, 0);
        int count = 0;
        for (int t = 0; t < len; t++) {
          if (mask[i * len + t] == 0) {
            continue;
          }
          count++;
          int base = (i * len + t) * h;
          for (int j = 0; j < h; j++) {
            acc[j] += data[base + j];
          }
        }
        for (int j = 0; j < h; j++) {
          v[j] = (float) (acc[j] / Math.max(count, 1));
        }
      }
      out[i] = finish(v);
    }
    return out;
  }

  private float[] finish(float[] v) {
    if (!options.normalize()) {
      return v;
    }
    double sq = 0;
    for (float x : v) {
      sq += (double) x * x;
    }
    double norm = Math.max(Math.sqrt(sq), 1e-12);
    for (int j = 0; j < v.length; j++) {
      v[j] = (float) (v[j] / norm);
    }
    return v;
  }

  /** Frees the ONNX Runtime session and the tokenizer; closing again does nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      OnnxSessions.closeQuietly(LOG, session, tokenizer);
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the embedder of " + modelFile + " is closed; open it again"
          + " to use it");
    }
  }
}
