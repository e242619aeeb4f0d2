package dev.sparq.onnx.proto;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a Hugging Face Optimum / onnx-community decoder ({@code input_ids},
 * {@code attention_mask}, optional {@code position_ids}, {@code past_key_values.{i}.key/value},
 * optional {@code num_logits_to_keep} / {@code use_cache_branch} in; {@code logits},
 * {@code present.{i}.key/value} out) into a model whose only node is ONNX Runtime's
 * {@code com.microsoft.GreedySearch} or {@code com.microsoft.Sampling} operator, with the decoder as
 * its {@code decoder} subgraph, so the whole decoding loop runs inside ONNX Runtime and the KV cache
 * never leaves the device.
 *
 * <p>The subgraph follows the GPT contract of those operators: int32 {@code input_ids},
 * {@code position_ids}, {@code attention_mask}, then one {@code past_i} per layer shaped
 * {@code [2, batch, kv_heads, past, head_dim]} (key and value stacked); out float32 {@code logits},
 * then {@code present_i} in the same layout. Adapter nodes translate: {@code Cast} for the integer
 * inputs, {@code Gather} on axis 0 to take key and value out of {@code past_i},
 * {@code Unsqueeze}+{@code Concat} to stack {@code present_i} (or, when the decoder makes each
 * {@code present} with a {@code Concat} of its past and the new entries, as Optimum exports do, one
 * {@code Concat} of {@code past_i} and the stacked new entries in place of those, from which the
 * decoder's attention reads key and value: one copy of the cache per step less), and {@code Cast}
 * to float32 for a
 * float16 KV cache or logits (exact both ways, so the tokens do not change). The decoder's nodes
 * are copied through as encoded bytes, only their input/output names are decoded and renamed. The
 * decoder's initializers move to the outer graph (the subgraph reads them as outer-scope values),
 * unchanged, so external data ({@code model.onnx_data}) keeps working when the result is written
 * next to the original.
 *
 * <p>Extra logits processing inside the subgraph, all applied to the float32 logits:
 * <ul>
 *   <li>several end-of-sequence ids: the operator knows one; the other ids are folded into it (the
 *       merged logit is the maximum for greedy search, the log-sum-exp after temperature for
 *       sampling, so the probability of stopping is kept) and masked out;
 *   <li>sampling: temperature (outer input {@code sparq_temperature}), then top-k
 *       ({@code sparq_top_k}) and min-p ({@code sparq_log_min_p}, the natural log of min-p) masks
 *       when asked for; top-p stays the operator's attribute.
 * </ul>
 *
 * <p>Inputs of the result: {@code input_ids} and {@code attention_mask} (int32
 * {@code [batch, length]}, left-padded with {@link #PAD}), {@code max_length} (int32 {@code [1]}, prompt length
 * plus new tokens), and for sampling {@code seed} (int32 {@code [1]}) and the {@code sparq_*}
 * parameters; output {@code sequences} (int32 {@code [batch, max_length]}).
 */
public final class GenerationGraph {
  /** Changes whenever the rewrite changes, so cached wrappers are rebuilt. */
  public static final int VERSION = 2;

  private static final int INT32 = 6;
  private static final int INT64 = 7;
  private static final int FLOAT = 1;
  private static final int FLOAT16 = 10;
  private static final int BOOL = 9;
  /** The operator's pad id: not a token, so prompts never hold it. */
  public static final int PAD = -1;
  /** The operator's EOS id for a model without one: no token, so rows stop at max_length. */
  public static final int NO_EOS = -2;

  /** The search the wrapper runs. */
  public enum Search {
    /** Argmax at each step ({@code com.microsoft.GreedySearch}). */
    GREEDY,
    /** Seeded multinomial sampling ({@code com.microsoft.Sampling}). */
    SAMPLING
  }

  /**
   * What to build.
   *
   * @param search greedy or sampling
   * @param eosTokenId the end-of-sequence id the operator stops at
   * @param otherEos further end-of-sequence ids, folded into {@code eosTokenId}
   * @param padTokenId the model's pad id, fed to the decoder for padding and after a row has
   *     finished (the operator itself pads with {@link #PAD})
   * @param layers decoder layers
   * @param kvHeads key/value heads
   * @param headDim head size
   * @param vocab logits width
   * @param topK whether to apply the {@code sparq_top_k} mask (sampling)
   * @param minP whether to apply the {@code sparq_log_min_p} mask (sampling)
   * @param topP the operator's {@code top_p} (sampling; 1 for none)
   */
  public record Config(Search search, int eosTokenId, int[] otherEos, int padTokenId, int layers,
      long kvHeads, long headDim, int vocab, boolean topK, boolean minP, float topP) {
    public Config {
      otherEos = otherEos.clone();
    }

    /** A short text naming everything that shapes the graph, for cache keys. */
    public String key() {
      return "v" + VERSION + "/" + search + "/eos" + eosTokenId + java.util.Arrays.toString(otherEos)
          + "/pad" + padTokenId + "/L" + layers + "/H" + kvHeads + "/D" + headDim + "/V" + vocab
          + "/k" + topK + "/minp" + minP + "/p" + Float.floatToIntBits(topP);
    }
  }

  /** Thrown when a model cannot be rewritten; the message says why. */
  public static final class UnsupportedModelException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** An exception with the reason. */
    public UnsupportedModelException(String message) {
      super(message);
    }
  }

  private GenerationGraph() {}

  /** A value declared by the decoder graph: its element type. */
  private record Declared(String name, int elemType) {}

  /**
   * Builds the wrapper model.
   *
   * @param model the serialized decoder {@code ModelProto}
   * @return the serialized wrapper {@code ModelProto}
   * @throws UnsupportedModelException when the decoder does not fit (the message says why)
   * @throws IllegalArgumentException when the bytes are not a well-formed protobuf message
   */
  public static byte[] rewrite(ByteBuffer model, Config c) {
    // ---- ModelProto
    long irVersion = 8;
    ByteBuffer graph = null;
    List<ByteBuffer> opsets = new ArrayList<>();
    List<ByteBuffer> functions = new ArrayList<>();
    long defaultOpset = -1;
    boolean hasMs = false;
    ProtoReader m = new ProtoReader(model);
    while (m.next()) {
      switch (m.field()) {
        case 1 -> irVersion = m.varint();
        case 7 -> graph = m.payload();
        case 8 -> {
          opsets.add(m.encoded());
          String domain = "";
          long version = 0;
          ProtoReader o = new ProtoReader(m.payload());
          while (o.next()) {
            if (o.field() == 1) {
              domain = o.string();
            } else if (o.field() == 2) {
              version = o.varint();
            }
          }
          if (domain.isEmpty() || domain.equals("ai.onnx")) {
            defaultOpset = version;
          } else if (domain.equals("com.microsoft")) {
            hasMs = true;
          }
        }
        case 25 -> functions.add(m.encoded());
        default -> { }
      }
    }
    if (graph == null) {
      throw new UnsupportedModelException("the file holds no graph");
    }
    if (defaultOpset < 13) {
      throw new UnsupportedModelException("default-domain opset " + defaultOpset
          + " is below 13 (the adapters use Unsqueeze with axes as an input)");
    }

    // ---- GraphProto of the decoder
    List<ByteBuffer> nodes = new ArrayList<>();
    List<ByteBuffer> initializers = new ArrayList<>();
    List<ByteBuffer> valueInfo = new ArrayList<>();
    List<String> valueInfoNames = new ArrayList<>();
    Map<String, Declared> inputs = new LinkedHashMap<>();
    Map<String, Declared> outputs = new LinkedHashMap<>();
    ProtoReader g = new ProtoReader(graph);
    while (g.next()) {
      switch (g.field()) {
        case 1 -> nodes.add(g.payload());
        case 5, 15 -> initializers.add(g.encoded());
        case 11 -> {
          Declared d = declared(g.payload());
          inputs.put(d.name(), d);
        }
        case 12 -> {
          Declared d = declared(g.payload());
          outputs.put(d.name(), d);
        }
        case 13 -> {
          valueInfo.add(g.encoded());
          valueInfoNames.add(declared(g.payload()).name());
        }
        default -> { }
      }
    }
    // Initializers may also be listed as graph inputs (old exporters); those are not decoder inputs.
    Set<String> known = Set.of("input_ids", "attention_mask", "position_ids", "num_logits_to_keep",
        "use_cache_branch");
    for (String name : inputs.keySet()) {
      if (!known.contains(name) && !name.startsWith("past_key_values.")) {
        throw new UnsupportedModelException("unsupported decoder input '" + name + "'");
      }
    }
    for (String need : List.of("input_ids", "attention_mask")) {
      if (!inputs.containsKey(need)) {
        throw new UnsupportedModelException("decoder input '" + need + "' is missing");
      }
    }
    if (!outputs.containsKey("logits")) {
      throw new UnsupportedModelException("decoder output 'logits' is missing");
    }
    Declared past0 = inputs.get("past_key_values.0.key");
    if (past0 == null) {
      throw new UnsupportedModelException("decoder input 'past_key_values.0.key' is missing");
    }
    int kvType = past0.elemType();
    int logitsType = outputs.get("logits").elemType();
    for (int t : new int[] {kvType, logitsType}) {
      if (t != FLOAT && t != FLOAT16) {
        throw new UnsupportedModelException("KV cache and logits must be float32 or float16, found"
            + " element type " + t);
      }
    }
    for (int i = 0; i < c.layers(); i++) {
      for (String kind : List.of("key", "value")) {
        if (!inputs.containsKey("past_key_values." + i + "." + kind)) {
          throw new UnsupportedModelException("decoder input 'past_key_values." + i + "." + kind
              + "' is missing");
        }
        if (!outputs.containsKey("present." + i + "." + kind)) {
          throw new UnsupportedModelException("decoder output 'present." + i + "." + kind
              + "' is missing");
        }
      }
    }
    if (inputs.containsKey("past_key_values." + c.layers() + ".key")) {
      throw new UnsupportedModelException("the decoder has more than " + c.layers() + " layers");
    }

    // ---- the decoder's nodes, decoded as far as the rewrite needs
    List<NodeInfo> infos = new ArrayList<>(nodes.size());
    for (ByteBuffer node : nodes) {
      infos.add(NodeInfo.of(node));
    }
    // Fused mode: each present.{i}.key/value is Concat(past_key_values.{i}.key/value, new, axis 2)
    // (the Optimum layout). Then the stacked present_i is made with one Concat of past_i and the
    // new entries, and the decoder reads key and value out of it: one copy of the cache per step
    // less than stacking the decoder's present outputs.
    Map<String, Integer> concatOf = new HashMap<>();
    boolean fuse = true;
    for (NodeInfo n : infos) {
      fuse &= !n.hasGraph();
    }
    for (int i = 0; i < c.layers() && fuse; i++) {
      for (String kind : List.of("key", "value")) {
        String present = "present." + i + "." + kind;
        int at = -1;
        for (int j = 0; j < infos.size(); j++) {
          if (List.of(infos.get(j).outputs()).contains(present)) {
            at = j;
          }
        }
        NodeInfo n = at < 0 ? null : infos.get(at);
        fuse &= n != null && n.op().equals("Concat") && n.domainIsDefault()
            && n.inputs().length == 2 && n.outputs().length == 1
            && n.inputs()[0].equals("past_key_values." + i + "." + kind)
            && (n.axis() == 2 || n.axis() == -2);
        if (fuse) {
          concatOf.put(present, at);
        }
      }
    }
    if (!fuse) {
      concatOf.clear();
    }
    java.util.Set<Integer> removed = new java.util.HashSet<>(concatOf.values());
    java.util.Set<String> pastStillRead = new java.util.HashSet<>();
    for (int j = 0; j < infos.size(); j++) {
      if (!removed.contains(j)) {
        pastStillRead.addAll(List.of(infos.get(j).inputs()));
      }
    }

    // ---- the subgraph
    Map<String, String> rename = new HashMap<>();
    rename.put("input_ids", "sparq_dec_input_ids");
    rename.put("attention_mask", "sparq_dec_attention_mask");
    rename.put("position_ids", "sparq_dec_position_ids");
    rename.put("logits", "sparq_dec_logits");
    OnnxGraphBuilder sub = new OnnxGraphBuilder("sparq_decoder", (int) defaultOpset)
        .namePrefix("sparq_gen/");
    sub.input("input_ids", INT32, "batch_size", "sequence_length");
    sub.input("position_ids", INT32, "batch_size", "sequence_length");
    sub.input("attention_mask", INT32, "batch_size", "total_sequence_length");
    for (int i = 0; i < c.layers(); i++) {
      sub.input("past_" + i, FLOAT, 2, "batch_size", c.kvHeads(), "past_sequence_length",
          c.headDim());
    }
    sub.output("logits", FLOAT, "batch_size", "sequence_length", c.vocab());
    for (int i = 0; i < c.layers(); i++) {
      sub.output("present_" + i, FLOAT, 2, "batch_size", c.kvHeads(), "total_sequence_length",
          c.headDim());
    }
    OnnxGraphBuilder.Attr[] none = new OnnxGraphBuilder.Attr[0];
    // The operator marks as padding every prompt id equal to its pad_token_id, so it gets -1,
    // which no real token has; the decoder is fed the model's pad id in its place.
    sub.longInit("sparq_c_pad", new long[] {c.padTokenId()});
    sub.longInit("sparq_c_no_id", new long[] {0});
    String ids64 = sub.op("Cast", new OnnxGraphBuilder.Attr[] {OnnxGraphBuilder.Attr.i("to", INT64)},
        "input_ids");
    String padded = sub.op("Where", sub.op("Less", ids64, "sparq_c_no_id"), "sparq_c_pad", ids64);
    sub.node("Cast", new String[] {padded}, "sparq_dec_input_ids",
        OnnxGraphBuilder.Attr.i("to", inputs.get("input_ids").elemType()));
    sub.node("Cast", new String[] {"attention_mask"}, "sparq_dec_attention_mask",
        OnnxGraphBuilder.Attr.i("to", inputs.get("attention_mask").elemType()));
    if (inputs.containsKey("position_ids")) {
      sub.node("Cast", new String[] {"position_ids"}, "sparq_dec_position_ids",
          OnnxGraphBuilder.Attr.i("to", inputs.get("position_ids").elemType()));
    }
    sub.longInit("sparq_c_key", new long[] {0});
    sub.longInit("sparq_c_value", new long[] {1});
    sub.longInit("sparq_c_axis0", new long[] {0}, 1);
    String[] kinds = {"key", "value"};
    String[] picks = {"sparq_c_key", "sparq_c_value"};
    for (int i = 0; i < c.layers(); i++) {
      for (int k = 0; k < 2; k++) {
        String pastName = "past_key_values." + i + "." + kinds[k];
        if (fuse && !pastStillRead.contains(pastName)) {
          continue;
        }
        if (kvType == FLOAT) {
          sub.node("Gather", new String[] {"past_" + i, picks[k]}, pastName,
              OnnxGraphBuilder.Attr.i("axis", 0));
        } else {
          String f = sub.node("Gather", new String[] {"past_" + i, picks[k]},
              sub.fresh("past"), OnnxGraphBuilder.Attr.i("axis", 0));
          sub.node("Cast", new String[] {f}, pastName, OnnxGraphBuilder.Attr.i("to", FLOAT16));
        }
      }
    }
    if (inputs.containsKey("num_logits_to_keep")) {
      sub.longInit("num_logits_to_keep", new long[] {1});
    }
    if (inputs.containsKey("use_cache_branch")) {
      // True once there is a past: its length (axis 3 of past_0) is above zero.
      sub.longInit("sparq_c_three", new long[] {3});
      sub.longInit("sparq_c_zero", new long[] {0});
      sub.longInit("sparq_c_shape1", new long[] {1}, 1);
      String len = sub.op("Gather", sub.op("Shape", "past_0"), "sparq_c_three");
      sub.node("Reshape", new String[] {sub.op("Greater", len, "sparq_c_zero"), "sparq_c_shape1"},
          "use_cache_branch");
      if (inputs.get("use_cache_branch").elemType() != BOOL) {
        throw new UnsupportedModelException("use_cache_branch is not boolean");
      }
    }
    for (int j = 0; j < nodes.size(); j++) {
      if (removed.contains(j)) {
        continue;
      }
      NodeInfo n = infos.get(j);
      sub.rawNode(renamedNode(nodes.get(j), rename), renamed(n.inputs(), rename),
          renamed(n.outputs(), rename));
    }
    if (fuse) {
      for (int i = 0; i < c.layers(); i++) {
        String[] fresh = new String[2];
        for (int k = 0; k < 2; k++) {
          String added = infos.get(concatOf.get("present." + i + "." + kinds[k])).inputs()[1];
          if (kvType != FLOAT) {
            added = sub.op("Cast", new OnnxGraphBuilder.Attr[] {OnnxGraphBuilder.Attr.i("to", FLOAT)},
                added);
          }
          fresh[k] = sub.op("Unsqueeze", added, "sparq_c_axis0");
        }
        String stacked = sub.op("Concat", new OnnxGraphBuilder.Attr[] {OnnxGraphBuilder.Attr.i("axis", 0)},
            fresh);
        sub.node("Concat", new String[] {"past_" + i, stacked}, "present_" + i,
            OnnxGraphBuilder.Attr.i("axis", 3));
        for (int k = 0; k < 2; k++) {
          String present = "present." + i + "." + kinds[k];
          if (kvType == FLOAT) {
            sub.node("Gather", new String[] {"present_" + i, picks[k]}, present,
                OnnxGraphBuilder.Attr.i("axis", 0));
          } else {
            String f = sub.node("Gather", new String[] {"present_" + i, picks[k]},
                sub.fresh("present"), OnnxGraphBuilder.Attr.i("axis", 0));
            sub.node("Cast", new String[] {f}, present, OnnxGraphBuilder.Attr.i("to", FLOAT16));
          }
        }
      }
    }
    for (int i = 0; i < valueInfo.size(); i++) {
      String name = valueInfoNames.get(i);
      if (!rename.containsKey(name) && !rename.containsValue(name)) {
        sub.rawValueInfo(valueInfo.get(i));
      }
    }
    // After the decoder's nodes (nodes must be in topological order): stack present_i.
    for (int i = 0; i < c.layers() && !fuse; i++) {
      String[] stacked = new String[2];
      for (int k = 0; k < 2; k++) {
        String present = "present." + i + "." + kinds[k];
        if (kvType != FLOAT) {
          present = sub.op("Cast", new OnnxGraphBuilder.Attr[] {OnnxGraphBuilder.Attr.i("to", FLOAT)},
              present);
        }
        stacked[k] = sub.op("Unsqueeze", present, "sparq_c_axis0");
      }
      sub.node("Concat", stacked, "present_" + i, OnnxGraphBuilder.Attr.i("axis", 0));
    }
    String logits = sub.op("Cast", new OnnxGraphBuilder.Attr[] {OnnxGraphBuilder.Attr.i("to", FLOAT)},
        "sparq_dec_logits");
    boolean sampling = c.search() == Search.SAMPLING;
    if (sampling) {
      logits = sub.op("Div", logits, "sparq_temperature");
    }
    if (c.otherEos().length > 0) {
      logits = foldEos(sub, logits, c, sampling);
    }
    if (sampling && c.topK()) {
      // Keep logits >= the k-th largest (ties at the threshold are kept).
      String[] topk = {sub.fresh("topk_values"), sub.fresh("topk_indices")};
      sub.node("TopK", new String[] {logits, "sparq_top_k"}, topk,
          OnnxGraphBuilder.Attr.i("axis", -1));
      sub.longInit("sparq_c_one", new long[] {1}, 1);
      String last = sub.op("Sub", "sparq_top_k", "sparq_c_one");
      String kth = sub.node("Gather", new String[] {topk[0], last}, sub.fresh("kth"),
          OnnxGraphBuilder.Attr.i("axis", -1));
      logits = mask(sub, logits, sub.op("Less", logits, kth));
    }
    if (sampling && c.minP()) {
      // Keep p >= min_p * p_max, that is logit >= max logit + ln(min_p).
      String max = max(sub, logits);
      logits = mask(sub, logits, sub.op("Less", logits, sub.op("Add", max, "sparq_log_min_p")));
    }
    sub.node("Identity", new String[] {logits}, "logits");
    if (fuse) {
      // The fused nodes were appended after the decoder's; move them to where they are needed.
      sub.sortTopologically();
    }

    // ---- the outer graph
    List<String> opInputs = new ArrayList<>(List.of("input_ids", "max_length", "", "", "", "",
        "attention_mask"));
    List<OnnxGraphBuilder.Attr> attrs = new ArrayList<>();
    attrs.add(OnnxGraphBuilder.Attr.i("eos_token_id", c.eosTokenId()));
    attrs.add(OnnxGraphBuilder.Attr.i("pad_token_id", PAD));
    attrs.add(OnnxGraphBuilder.Attr.i("model_type", 0));
    attrs.add(OnnxGraphBuilder.Attr.i("vocab_size", c.vocab()));
    attrs.add(OnnxGraphBuilder.Attr.graph("decoder", sub));
    if (sampling) {
      opInputs.add("");
      opInputs.add("seed");
      attrs.add(OnnxGraphBuilder.Attr.f("temperature", 1f));
      // Always set: the operator's default (0) would filter out every token.
      attrs.add(OnnxGraphBuilder.Attr.f("top_p", Math.min(1f, c.topP())));
    }
    ProtoWriter op = new ProtoWriter();
    for (String in : opInputs) {
      op.string(1, in);
    }
    op.string(2, "sequences");
    op.string(3, "sparq_generate");
    op.string(4, sampling ? "Sampling" : "GreedySearch");
    for (OnnxGraphBuilder.Attr a : attrs) {
      op.message(5, a.write());
    }
    op.string(7, "com.microsoft");

    ProtoWriter outer = new ProtoWriter();
    outer.message(1, op);
    outer.string(2, "sparq_generation");
    for (ByteBuffer init : initializers) {
      outer.raw(init);
    }
    outer.message(11, OnnxGraphBuilder.valueInfoProto("input_ids", INT32,
        new Object[] {"batch_size", "sequence_length"}));
    outer.message(11, OnnxGraphBuilder.valueInfoProto("max_length", INT32, new Object[] {1}));
    outer.message(11, OnnxGraphBuilder.valueInfoProto("attention_mask", INT32,
        new Object[] {"batch_size", "sequence_length"}));
    if (sampling) {
      outer.message(11, OnnxGraphBuilder.valueInfoProto("seed", INT32, new Object[] {1}));
      outer.message(11, OnnxGraphBuilder.valueInfoProto("sparq_temperature", FLOAT,
          new Object[] {1}));
      if (c.topK()) {
        outer.message(11, OnnxGraphBuilder.valueInfoProto("sparq_top_k", INT64, new Object[] {1}));
      }
      if (c.minP()) {
        outer.message(11, OnnxGraphBuilder.valueInfoProto("sparq_log_min_p", FLOAT,
            new Object[] {1}));
      }
    }
    outer.message(12, OnnxGraphBuilder.valueInfoProto("sequences", INT32,
        new Object[] {"batch_size", "max_length"}));

    ProtoWriter out = new ProtoWriter();
    out.int64(1, Math.max(irVersion, 8));
    out.string(2, "sparq-onnx generation wrapper");
    out.message(7, outer);
    for (ByteBuffer o : opsets) {
      out.raw(o);
    }
    if (!hasMs) {
      out.message(8, new ProtoWriter().string(1, "com.microsoft").int64(2, 1));
    }
    for (ByteBuffer f : functions) {
      out.raw(f);
    }
    return out.toByteArray();
  }

  /** Folds the other EOS ids into the operator's one. */
  private static String foldEos(OnnxGraphBuilder sub, String logits, Config c, boolean sampling) {
    int[] all = new int[c.otherEos().length + 1];
    all[0] = c.eosTokenId();
    System.arraycopy(c.otherEos(), 0, all, 1, c.otherEos().length);
    long[] idx = new long[all.length];
    byte[] primary = new byte[c.vocab()];
    byte[] others = new byte[c.vocab()];
    for (int i = 0; i < all.length; i++) {
      if (all[i] < 0 || all[i] >= c.vocab()) {
        throw new UnsupportedModelException("end-of-sequence id " + all[i] + " is outside the"
            + " vocabulary of " + c.vocab());
      }
      idx[i] = all[i];
      (i == 0 ? primary : others)[all[i]] = 1;
    }
    others[c.eosTokenId()] = 0;
    sub.longInit("sparq_eos_ids", idx, idx.length);
    sub.boolInit("sparq_eos_primary", primary, c.vocab());
    sub.boolInit("sparq_eos_others", others, c.vocab());
    String picked = sub.node("Gather", new String[] {logits, "sparq_eos_ids"},
        sub.fresh("eos_logits"), OnnxGraphBuilder.Attr.i("axis", -1));
    String merged = max(sub, picked);
    if (sampling) {
      // log(sum(exp(x))) = m + log(sum(exp(x - m)))
      sub.longInit("sparq_c_last_axis", new long[] {-1}, 1);
      String sum = sub.node("ReduceSum",
          new String[] {sub.op("Exp", sub.op("Sub", picked, merged)), "sparq_c_last_axis"},
          sub.fresh("eos_sum"), OnnxGraphBuilder.Attr.i("keepdims", 1));
      merged = sub.op("Add", merged, sub.op("Log", sum));
    }
    String withPrimary = sub.op("Where", "sparq_eos_primary", merged, logits);
    return mask(sub, withPrimary, "sparq_eos_others");
  }

  /** The maximum over the last axis, kept as a size-1 axis. */
  private static String max(OnnxGraphBuilder sub, String x) {
    if (!sub.hasInitializer("sparq_c_k1")) {
      sub.longInit("sparq_c_k1", new long[] {1}, 1);
    }
    String[] top = {sub.fresh("max"), sub.fresh("argmax")};
    sub.node("TopK", new String[] {x, "sparq_c_k1"}, top, OnnxGraphBuilder.Attr.i("axis", -1));
    return top[0];
  }

  /** Sets the masked logits to minus infinity. */
  private static String mask(OnnxGraphBuilder sub, String x, String masked) {
    if (!sub.hasInitializer("sparq_c_neg_inf")) {
      sub.floatInit("sparq_c_neg_inf", new float[] {Float.NEGATIVE_INFINITY});
    }
    return sub.op("Where", masked, "sparq_c_neg_inf", x);
  }

  /** What the rewrite reads of a {@code NodeProto}. */
  private record NodeInfo(String op, String domain, String[] inputs, String[] outputs, long axis,
      boolean hasGraph) {
    boolean domainIsDefault() {
      return domain.isEmpty() || domain.equals("ai.onnx");
    }

    static NodeInfo of(ByteBuffer node) {
      String op = "";
      String domain = "";
      List<String> in = new ArrayList<>();
      List<String> out = new ArrayList<>();
      long axis = Long.MIN_VALUE;
      boolean graph = false;
      ProtoReader r = new ProtoReader(node);
      while (r.next()) {
        switch (r.field()) {
          case 1 -> in.add(r.string());
          case 2 -> out.add(r.string());
          case 4 -> op = r.string();
          case 7 -> domain = r.string();
          case 5 -> {
            String name = "";
            long i = Long.MIN_VALUE;
            ProtoReader a = new ProtoReader(r.payload());
            while (a.next()) {
              if (a.field() == 1) {
                name = a.string();
              } else if (a.field() == 3) {
                i = a.varint();
              } else if (a.field() == 6 || a.field() == 11) {
                graph = true;
              }
            }
            if (name.equals("axis")) {
              axis = i;
            }
          }
          default -> { }
        }
      }
      return new NodeInfo(op, domain, in.toArray(new String[0]), out.toArray(new String[0]), axis,
          graph);
    }
  }

  private static String[] renamed(String[] names, Map<String, String> rename) {
    String[] out = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      out[i] = rename.getOrDefault(names[i], names[i]);
    }
    return out;
  }

  /** The name and element type of a {@code ValueInfoProto}. */
  private static Declared declared(ByteBuffer valueInfo) {
    String name = null;
    int elem = 0;
    ProtoReader r = new ProtoReader(valueInfo);
    while (r.next()) {
      if (r.field() == 1) {
        name = r.string();
      } else if (r.field() == 2) {
        ProtoReader type = new ProtoReader(r.payload());
        while (type.next()) {
          if (type.field() == 1) {
            ProtoReader tensor = new ProtoReader(type.payload());
            while (tensor.next()) {
              if (tensor.field() == 1) {
                elem = (int) tensor.varint();
              }
            }
          }
        }
      }
    }
    return new Declared(name == null ? "" : name, elem);
  }

  /** A {@code NodeProto} with its input and output names renamed, nested graphs included. */
  private static ProtoWriter renamedNode(ByteBuffer node, Map<String, String> rename) {
    ProtoWriter w = new ProtoWriter();
    ProtoReader r = new ProtoReader(node);
    while (r.next()) {
      switch (r.field()) {
        case 1, 2 -> w.string(r.field(), rename.getOrDefault(r.string(), r.string()));
        case 5 -> w.message(5, renamedAttribute(r.payload(), rename));
        default -> w.raw(r.encoded());
      }
    }
    return w;
  }

  private static ProtoWriter renamedAttribute(ByteBuffer attr, Map<String, String> rename) {
    ProtoWriter w = new ProtoWriter();
    ProtoReader r = new ProtoReader(attr);
    while (r.next()) {
      if (r.field() == 6 || r.field() == 11) {
        w.message(r.field(), renamedGraph(r.payload(), rename));
      } else {
        w.raw(r.encoded());
      }
    }
    return w;
  }

  /**
   * A nested graph (an {@code If} branch, a {@code Loop} body) whose nodes may read outer-scope
   * values: only names it does not define itself are renamed.
   */
  private static ProtoWriter renamedGraph(ByteBuffer graph, Map<String, String> rename) {
    Map<String, String> scoped = new HashMap<>(rename);
    ProtoReader scan = new ProtoReader(graph);
    while (scan.next()) {
      if (scan.field() == 11 || scan.field() == 5) {
        scoped.remove(scan.field() == 11 ? declared(scan.payload()).name() : tensorName(scan.payload()));
      } else if (scan.field() == 1) {
        ProtoReader n = new ProtoReader(scan.payload());
        while (n.next()) {
          if (n.field() == 2) {
            scoped.remove(n.string());
          }
        }
      }
    }
    ProtoWriter w = new ProtoWriter();
    ProtoReader r = new ProtoReader(graph);
    while (r.next()) {
      if (r.field() == 1) {
        w.message(1, renamedNode(r.payload(), scoped));
      } else if (r.field() == 12) {
        w.message(12, renamedValueInfo(r.payload(), scoped));
      } else {
        w.raw(r.encoded());
      }
    }
    return w;
  }

  private static ProtoWriter renamedValueInfo(ByteBuffer valueInfo, Map<String, String> rename) {
    ProtoWriter w = new ProtoWriter();
    ProtoReader r = new ProtoReader(valueInfo);
    while (r.next()) {
      if (r.field() == 1) {
        w.string(1, rename.getOrDefault(r.string(), r.string()));
      } else {
        w.raw(r.encoded());
      }
    }
    return w;
  }

  private static String tensorName(ByteBuffer tensor) {
    ProtoReader r = new ProtoReader(tensor);
    while (r.next()) {
      if (r.field() == 8) {
        return r.string();
      }
    }
    return "";
  }

  /**
   * The {@code location} of every external-data initializer of a model, in order of first use.
   *
   * @throws IllegalArgumentException when the bytes are not a well-formed protobuf message
   */
  public static List<String> externalDataLocations(ByteBuffer model) {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    ProtoReader m = new ProtoReader(model);
    while (m.next()) {
      if (m.field() != 7) {
        continue;
      }
      ProtoReader g = new ProtoReader(m.payload());
      while (g.next()) {
        if (g.field() != 5) {
          continue;
        }
        ProtoReader t = new ProtoReader(g.payload());
        while (t.next()) {
          if (t.field() != 13) {
            continue;
          }
          String key = null;
          String value = null;
          ProtoReader e = new ProtoReader(t.payload());
          while (e.next()) {
            if (e.field() == 1) {
              key = e.string();
            } else if (e.field() == 2) {
              value = e.string();
            }
          }
          if ("location".equals(key) && value != null) {
            out.add(value);
          }
        }
      }
    }
    return List.copyOf(out);
  }
}
