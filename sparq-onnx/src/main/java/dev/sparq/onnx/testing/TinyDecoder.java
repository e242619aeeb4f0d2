package dev.sparq.onnx.testing;

import static dev.sparq.onnx.proto.OnnxGraphBuilder.BOOL;
import static dev.sparq.onnx.proto.OnnxGraphBuilder.FLOAT;
import static dev.sparq.onnx.proto.OnnxGraphBuilder.INT64;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.onnx.proto.OnnxGraphBuilder;
import dev.sparq.onnx.proto.OnnxGraphBuilder.Attr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A random decoder-only transformer written as a real ONNX graph in the Hugging Face Optimum
 * layout ({@code input_ids}, {@code attention_mask}, {@code position_ids},
 * {@code past_key_values.{i}.key/value} in, {@code logits} and {@code present.{i}.key/value} out),
 * plus a plain-Java forward pass of the same weights to check the runtime against.
 *
 * <p>Architecture: token and learned absolute position embeddings, pre-RMSNorm blocks with
 * multi-head causal attention (KV cache concatenated on the sequence axis) and a SiLU MLP, a final
 * RMSNorm and an untied LM head. The vocabulary is {@link ByteLevelVocab}. Weights come from a
 * {@link SplittableRandom} with the spec's seed, so the same spec always gives the same model.
 *
 * <p>It lives in main code (not a test-jar) so that {@code sparq-bench} and users can write the
 * same models, for example the 50-100M parameter {@link Spec#bench()} model.
 */
public final class TinyDecoder {
  private static final float EPS = 1e-5f;

  /**
   * Model size.
   *
   * @param hidden hidden size
   * @param layers number of blocks
   * @param heads attention heads (key/value heads are the same)
   * @param ff MLP inner size
   * @param maxPositions learned positions (the context length)
   * @param seed weight seed
   * @param numLogitsToKeep whether the graph takes a {@code num_logits_to_keep} input
   * @param vocab vocabulary size, 0 for the plain byte-level vocabulary (264 tokens); larger sizes
   *     add filler tokens ({@link ByteLevelVocab#ByteLevelVocab(int)})
   */
  public record Spec(int hidden, int layers, int heads, int ff, int maxPositions, long seed,
      boolean numLogitsToKeep, int vocab) {
    public Spec {
      if (hidden % heads != 0) {
        throw new IllegalArgumentException("hidden must be divisible by heads");
      }
    }

    /** A spec with the plain byte-level vocabulary. */
    public Spec(int hidden, int layers, int heads, int ff, int maxPositions, long seed,
        boolean numLogitsToKeep) {
      this(hidden, layers, heads, ff, maxPositions, seed, numLogitsToKeep, 0);
    }

    /**
     * The tiny model with a 151,936-token vocabulary (Qwen2.5's logits width): 9.7M parameters,
     * nearly all in the embedding and the LM head, so the per-token cost of the vocabulary
     * (logits transfer, sampling) dominates.
     */
    public static Spec largeVocab() {
      return new Spec(32, 2, 4, 64, 256, 42, false, 151_936);
    }

    /** Two layers, four heads, hidden size 32: the unit-test model. */
    public static Spec tiny() {
      return new Spec(32, 2, 4, 64, 256, 42, false);
    }

    /** About 85M parameters (hidden 768, 12 layers, 12 heads): the benchmark model. */
    public static Spec bench() {
      return new Spec(768, 12, 12, 3072, 1024, 7, false);
    }

    /** The same spec with another seed. */
    public Spec withSeed(long s) {
      return new Spec(hidden, layers, heads, ff, maxPositions, s, numLogitsToKeep, vocab);
    }

    /** The same spec with a {@code num_logits_to_keep} input. */
    public Spec withNumLogitsToKeep() {
      return new Spec(hidden, layers, heads, ff, maxPositions, seed, true, vocab);
    }

    /** Head size. */
    public int headDim() {
      return hidden / heads;
    }
  }

  private final Spec spec;
  private final ByteLevelVocab vocab;
  private final int v;
  private final float[] embed;
  private final float[] pos;
  private final float[][] g1;
  private final float[][] wq;
  private final float[][] wk;
  private final float[][] wv;
  private final float[][] wo;
  private final float[][] g2;
  private final float[][] w1;
  private final float[][] w2;
  private final float[] gf;
  private final float[] lm;

  /** Draws the weights of a model with this spec. */
  public TinyDecoder(Spec spec) {
    this.spec = spec;
    this.vocab = new ByteLevelVocab(spec.vocab());
    this.v = vocab.size();
    SplittableRandom r = new SplittableRandom(spec.seed());
    int e = spec.hidden();
    int l = spec.layers();
    embed = gauss(r, v * e, 1.0);
    pos = gauss(r, spec.maxPositions() * e, 0.5);
    g1 = new float[l][];
    wq = new float[l][];
    wk = new float[l][];
    wv = new float[l][];
    wo = new float[l][];
    g2 = new float[l][];
    w1 = new float[l][];
    w2 = new float[l][];
    double se = 1.0 / Math.sqrt(e);
    for (int i = 0; i < l; i++) {
      g1[i] = gain(r, e);
      wq[i] = gauss(r, e * e, se);
      wk[i] = gauss(r, e * e, se);
      wv[i] = gauss(r, e * e, se);
      wo[i] = gauss(r, e * e, se);
      g2[i] = gain(r, e);
      w1[i] = gauss(r, e * spec.ff(), se);
      w2[i] = gauss(r, spec.ff() * e, 1.0 / Math.sqrt(spec.ff()));
    }
    gf = gain(r, e);
    lm = gauss(r, e * v, se * 2);
  }

  /** The spec. */
  public Spec spec() {
    return spec;
  }

  /** The vocabulary. */
  public ByteLevelVocab vocab() {
    return vocab;
  }

  /** Number of weights. */
  public long parameterCount() {
    long e = spec.hidden();
    return v * e + spec.maxPositions() * e
        + spec.layers() * (2 * e + 4 * e * e + 2 * e * spec.ff()) + e + e * v;
  }

  private static float[] gauss(SplittableRandom r, int n, double scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i += 2) {
      // Box-Muller, so the stream only depends on the seed.
      double u1 = 1.0 - r.nextDouble();
      double u2 = r.nextDouble();
      double m = Math.sqrt(-2 * Math.log(u1));
      a[i] = (float) (scale * m * Math.cos(2 * Math.PI * u2));
      if (i + 1 < n) {
        a[i + 1] = (float) (scale * m * Math.sin(2 * Math.PI * u2));
      }
    }
    return a;
  }

  private static float[] gain(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (1.0 + 0.1 * (r.nextDouble() - 0.5));
    }
    return a;
  }

  // ---------------------------------------------------------------- ONNX graph

  /** The ONNX model; large weights go to {@code externalData} when it is not null. */
  public OnnxGraphBuilder graph(Path externalData) throws IOException {
    return graph(externalData, false);
  }

  /**
   * The ONNX model. With {@code halfIo} the KV cache inputs/outputs and the logits are float16
   * (the interface of an fp16 export) while the arithmetic stays float32, so the runtime's
   * half-precision paths can be tested against the float32 model.
   */
  public OnnxGraphBuilder graph(Path externalData, boolean halfIo) throws IOException {
    return graph(externalData, halfIo, false);
  }

  /**
   * The ONNX model; with {@code cacheBranchInput} it also declares the boolean
   * {@code use_cache_branch} input of Optimum's merged exports (unused here: this graph computes
   * the same with an empty or a filled past), so the runtime's handling of that input is tested.
   */
  public OnnxGraphBuilder graph(Path externalData, boolean halfIo, boolean cacheBranchInput)
      throws IOException {
    int kvType = halfIo ? OnnxGraphBuilder.FLOAT16 : FLOAT;
    int e = spec.hidden();
    int h = spec.heads();
    int d = spec.headDim();
    OnnxGraphBuilder g = new OnnxGraphBuilder("tiny_decoder", 17);
    if (externalData != null) {
      g.externalData(externalData);
    }
    g.input("input_ids", INT64, "batch_size", "sequence_length");
    g.input("attention_mask", INT64, "batch_size", "total_sequence_length");
    g.input("position_ids", INT64, "batch_size", "sequence_length");
    for (int i = 0; i < spec.layers(); i++) {
      g.input("past_key_values." + i + ".key", kvType, "batch_size", h, "past_sequence_length", d);
      g.input("past_key_values." + i + ".value", kvType, "batch_size", h, "past_sequence_length", d);
    }
    if (spec.numLogitsToKeep()) {
      g.input("num_logits_to_keep", INT64);
    }
    if (cacheBranchInput) {
      g.input("use_cache_branch", BOOL, 1);
    }
    g.output("logits", kvType, "batch_size", "sequence_length", v);
    for (int i = 0; i < spec.layers(); i++) {
      g.output("present." + i + ".key", kvType, "batch_size", h, "total_sequence_length", d);
      g.output("present." + i + ".value", kvType, "batch_size", h, "total_sequence_length", d);
    }
    g.floatInit("embed", embed, v, e);
    g.floatInit("pos_embed", pos, spec.maxPositions(), e);
    String one = g.longInit("c_one", new long[] {1}, 1);
    String idx1 = g.longInit("c_idx1", new long[] {1});
    String zeroS = g.longInit("c_zero_scalar", new long[] {0});
    String oneS = g.longInit("c_one_scalar", new long[] {1});
    g.longInit("c_heads_shape", new long[] {0, 0, h, d}, 4);
    g.longInit("c_merge_shape", new long[] {0, 0, e}, 3);
    g.floatInit("c_eps", new float[] {EPS});
    g.floatInit("c_scale", new float[] {(float) (1.0 / Math.sqrt(d))});
    g.floatInit("c_zero_f", new float[] {0f});
    g.floatInit("c_neg_f", new float[] {-1e9f});
    String x = g.op("Add", g.op("Gather", "embed", "input_ids"), g.op("Gather", "pos_embed", "position_ids"));
    // Mask: key j visible to query i when j <= past + i and attention_mask[b, j] == 1.
    String s = g.op("Gather", g.op("Shape", "input_ids"), idx1);
    String t = g.op("Gather", g.op("Shape", "attention_mask"), idx1);
    String past = g.op("Sub", t, s);
    String kpos = g.op("Range", zeroS, t, oneS);
    String qpos = g.op("Range", past, t, oneS);
    String qcol = g.op("Unsqueeze", qpos, one);
    String causal = g.op("LessOrEqual", kpos, qcol);
    String pad = g.op("Cast", new Attr[] {Attr.i("to", BOOL)}, "attention_mask");
    String pad4 = g.op("Unsqueeze", pad, g.longInit("c_axes12", new long[] {1, 2}, 2));
    String allowed = g.op("And", causal, pad4);
    String bias = g.op("Where", allowed, "c_zero_f", "c_neg_f");
    for (int i = 0; i < spec.layers(); i++) {
      String n1 = rms(g, x, g.floatInit("g1_" + i, g1[i], e));
      String q = heads(g, g.op("MatMul", n1, g.floatInit("wq_" + i, wq[i], e, e)));
      String k = heads(g, g.op("MatMul", n1, g.floatInit("wk_" + i, wk[i], e, e)));
      String vv = heads(g, g.op("MatMul", n1, g.floatInit("wv_" + i, wv[i], e, e)));
      String kall;
      String vall;
      if (halfIo) {
        Attr toFloat = Attr.i("to", FLOAT);
        Attr toHalf = Attr.i("to", OnnxGraphBuilder.FLOAT16);
        String pk = g.op("Cast", new Attr[] {toFloat}, "past_key_values." + i + ".key");
        String pv = g.op("Cast", new Attr[] {toFloat}, "past_key_values." + i + ".value");
        // Round the new entries to half too, so cached and recomputed runs see the same values.
        String kh = g.op("Cast", new Attr[] {toHalf}, k);
        String vh = g.op("Cast", new Attr[] {toHalf}, vv);
        g.node("Concat", new String[] {"past_key_values." + i + ".key", kh}, "present." + i + ".key",
            Attr.i("axis", 2));
        g.node("Concat", new String[] {"past_key_values." + i + ".value", vh},
            "present." + i + ".value", Attr.i("axis", 2));
        kall = g.op("Concat", new Attr[] {Attr.i("axis", 2)}, pk,
            g.op("Cast", new Attr[] {toFloat}, kh));
        vall = g.op("Concat", new Attr[] {Attr.i("axis", 2)}, pv,
            g.op("Cast", new Attr[] {toFloat}, vh));
      } else {
        kall = g.node("Concat", new String[] {"past_key_values." + i + ".key", k},
            "present." + i + ".key", Attr.i("axis", 2));
        vall = g.node("Concat", new String[] {"past_key_values." + i + ".value", vv},
            "present." + i + ".value", Attr.i("axis", 2));
      }
      String kt = g.op("Transpose", new Attr[] {Attr.ints("perm", 0, 1, 3, 2)}, kall);
      String sc = g.op("Add", g.op("Mul", g.op("MatMul", q, kt), "c_scale"), bias);
      String pr = g.op("Softmax", new Attr[] {Attr.i("axis", -1)}, sc);
      String ctx = g.op("MatMul", pr, vall);
      String merged = g.op("Reshape",
          g.op("Transpose", new Attr[] {Attr.ints("perm", 0, 2, 1, 3)}, ctx), "c_merge_shape");
      x = g.op("Add", x, g.op("MatMul", merged, g.floatInit("wo_" + i, wo[i], e, e)));
      String n2 = rms(g, x, g.floatInit("g2_" + i, g2[i], e));
      String u = g.op("MatMul", n2, g.floatInit("w1_" + i, w1[i], e, spec.ff()));
      String act = g.op("Mul", u, g.op("Sigmoid", u));
      x = g.op("Add", x, g.op("MatMul", act, g.floatInit("w2_" + i, w2[i], spec.ff(), e)));
    }
    String nf = rms(g, x, g.floatInit("gf", gf, e));
    if (spec.numLogitsToKeep()) {
      // Keep the last num_logits_to_keep positions: Slice(nf, -k, INT64_MAX, axis 1).
      String start = g.op("Neg", g.op("Reshape", "num_logits_to_keep", one));
      String end = g.longInit("c_end", new long[] {Long.MAX_VALUE}, 1);
      nf = g.op("Slice", nf, start, end, one);
    }
    if (halfIo) {
      g.node("Cast", new String[] {g.op("MatMul", nf, g.floatInit("lm_head", lm, e, v))}, "logits",
          Attr.i("to", OnnxGraphBuilder.FLOAT16));
    } else {
      g.node("MatMul", new String[] {nf, g.floatInit("lm_head", lm, e, v)}, "logits");
    }
    return g;
  }

  private static String rms(OnnxGraphBuilder g, String x, String gain) {
    String ms = g.op("ReduceMean", new Attr[] {Attr.ints("axes", -1), Attr.i("keepdims", 1)},
        g.op("Mul", x, x));
    String r = g.op("Sqrt", g.op("Add", ms, "c_eps"));
    return g.op("Mul", g.op("Div", x, r), gain);
  }

  private static String heads(OnnxGraphBuilder g, String x) {
    return g.op("Transpose", new Attr[] {Attr.ints("perm", 0, 2, 1, 3)},
        g.op("Reshape", x, "c_heads_shape"));
  }

  /**
   * Writes the model directory in the Optimum / onnx-community layout: {@code config.json},
   * {@code generation_config.json}, {@code tokenizer.json}, {@code tokenizer_config.json} (ChatML
   * template) and {@code onnx/model.onnx} (with {@code model.onnx_data} for models over 16M
   * parameters).
   *
   * @return {@code dir}
   */
  public Path writeTo(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("onnx"));
    boolean external = parameterCount() > 16_000_000L;
    OnnxGraphBuilder g = graph(external ? dir.resolve("onnx/model.onnx_data") : null);
    g.write(dir.resolve("onnx/model.onnx"));
    ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    int eos = vocab.id("<|im_end|>");
    int eot = vocab.id("<|endoftext|>");
    ObjectNode config = om.createObjectNode();
    config.putArray("architectures").add("SparqTinyForCausalLM");
    config.put("model_type", "sparq_tiny");
    config.put("vocab_size", v);
    config.put("hidden_size", spec.hidden());
    config.put("num_hidden_layers", spec.layers());
    config.put("num_attention_heads", spec.heads());
    config.put("num_key_value_heads", spec.heads());
    config.put("head_dim", spec.headDim());
    config.put("intermediate_size", spec.ff());
    config.put("max_position_embeddings", spec.maxPositions());
    config.put("rms_norm_eps", EPS);
    config.put("bos_token_id", eot);
    config.put("eos_token_id", eos);
    config.put("torch_dtype", "float32");
    om.writeValue(dir.resolve("config.json").toFile(), config);
    ObjectNode gen = om.createObjectNode();
    gen.put("bos_token_id", eot);
    gen.putArray("eos_token_id").add(eos).add(eot);
    om.writeValue(dir.resolve("generation_config.json").toFile(), gen);
    om.writeValue(dir.resolve("tokenizer.json").toFile(), vocab.tokenizerJson());
    ObjectNode tc = om.createObjectNode();
    tc.put("tokenizer_class", "PreTrainedTokenizerFast");
    tc.putNull("bos_token");
    tc.put("eos_token", "<|im_end|>");
    tc.put("pad_token", "<|endoftext|>");
    tc.put("model_max_length", spec.maxPositions());
    tc.put("chat_template", CHATML);
    om.writeValue(dir.resolve("tokenizer_config.json").toFile(), tc);
    return dir;
  }

  /** A ChatML template (the Qwen style) with a default system prompt. */
  public static final String CHATML = "{% for message in messages %}"
      + "{% if loop.first and messages[0]['role'] != 'system' %}"
      + "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
      + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
      + "{% endfor %}"
      + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

  /**
   * Adds {@code onnx/model_fp16.onnx}, the float16-interface variant of {@link #graph(Path,
   * boolean)}, to a directory written by {@link #writeTo(Path)}.
   */
  public void writeHalfVariant(Path dir) throws IOException {
    graph(null, true).write(dir.resolve("onnx/model_fp16.onnx"));
  }

  /** Adds {@code onnx/model_merged.onnx}, the graph with a {@code use_cache_branch} input. */
  public void writeMergedStyleVariant(Path dir) throws IOException {
    graph(null, false, true).write(dir.resolve("onnx/model_merged.onnx"));
  }

  // ---------------------------------------------------------------- reference forward pass

  /**
   * Logits of every position of one unpadded sequence (positions 0..n-1), recomputed from scratch
   * in plain Java with double accumulation.
   *
   * @return {@code [n][vocab]}
   */
  public float[][] referenceLogits(int[] tokens) {
    int n = tokens.length;
    int e = spec.hidden();
    int h = spec.heads();
    int d = spec.headDim();
    float[][] x = new float[n][e];
    for (int p = 0; p < n; p++) {
      for (int j = 0; j < e; j++) {
        x[p][j] = embed[tokens[p] * e + j] + pos[p * e + j];
      }
    }
    double scale = 1.0 / Math.sqrt(d);
    for (int l = 0; l < spec.layers(); l++) {
      float[][] q = new float[n][];
      float[][] k = new float[n][];
      float[][] vv = new float[n][];
      for (int p = 0; p < n; p++) {
        float[] nx = rmsRef(x[p], g1[l]);
        q[p] = matVec(nx, wq[l], e, e);
        k[p] = matVec(nx, wk[l], e, e);
        vv[p] = matVec(nx, wv[l], e, e);
      }
      for (int p = 0; p < n; p++) {
        float[] ctx = new float[e];
        for (int hh = 0; hh < h; hh++) {
          double[] sc = new double[p + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= p; j++) {
            double dot = 0;
            for (int c = 0; c < d; c++) {
              dot += (double) q[p][hh * d + c] * k[j][hh * d + c];
            }
            sc[j] = dot * scale;
            max = Math.max(max, sc[j]);
          }
          double sum = 0;
          for (int j = 0; j <= p; j++) {
            sc[j] = Math.exp(sc[j] - max);
            sum += sc[j];
          }
          for (int c = 0; c < d; c++) {
            double acc = 0;
            for (int j = 0; j <= p; j++) {
              acc += sc[j] / sum * vv[j][hh * d + c];
            }
            ctx[hh * d + c] = (float) acc;
          }
        }
        float[] o = matVec(ctx, wo[l], e, e);
        for (int j = 0; j < e; j++) {
          x[p][j] += o[j];
        }
        float[] n2 = rmsRef(x[p], g2[l]);
        float[] u = matVec(n2, w1[l], e, spec.ff());
        for (int j = 0; j < u.length; j++) {
          u[j] = (float) (u[j] / (1 + Math.exp(-u[j])));
        }
        float[] dn = matVec(u, w2[l], spec.ff(), e);
        for (int j = 0; j < e; j++) {
          x[p][j] += dn[j];
        }
      }
    }
    float[][] logits = new float[n][];
    for (int p = 0; p < n; p++) {
      logits[p] = matVec(rmsRef(x[p], gf), lm, e, v);
    }
    return logits;
  }

  private static float[] rmsRef(float[] x, float[] gain) {
    double ms = 0;
    for (float f : x) {
      ms += (double) f * f;
    }
    double r = Math.sqrt(ms / x.length + EPS);
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (float) (x[i] / r * gain[i]);
    }
    return out;
  }

  private static float[] matVec(float[] x, float[] w, int in, int out) {
    double[] acc = new double[out];
    for (int i = 0; i < in; i++) {
      double xi = x[i];
      int base = i * out;
      for (int j = 0; j < out; j++) {
        acc[j] += xi * w[base + j];
      }
    }
    float[] r = new float[out];
    for (int j = 0; j < out; j++) {
      r[j] = (float) acc[j];
    }
    return r;
  }
}
