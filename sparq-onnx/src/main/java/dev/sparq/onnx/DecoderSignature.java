package dev.sparq.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.sparq.core.ModelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The inputs and outputs of an Optimum decoder session, checked: {@code input_ids},
 * {@code attention_mask}, optional {@code position_ids}, {@code past_key_values.{i}.key/.value}
 * ({@code [batch, kv_heads, past, head_dim]}), optional {@code num_logits_to_keep} and
 * {@code use_cache_branch}; outputs {@code logits} and {@code present.{i}.key/.value}.
 */
record DecoderSignature(
    int layers,
    boolean positionIds,
    boolean numLogitsToKeep,
    boolean useCacheBranch,
    OnnxJavaType kvType,
    long kvHeads,
    long headDim,
    OnnxJavaType logitsType,
    int vocab,
    List<String> pastNames,
    List<String> presentNames) {

  static DecoderSignature inspect(OrtSession session, ModelDirectory dir, Path file) {
    Map<String, NodeInfo> in;
    Map<String, NodeInfo> out;
    try {
      in = session.getInputInfo();
      out = session.getOutputInfo();
    } catch (OrtException e) {
      throw new ModelException(file + ": cannot read the session's inputs: " + e.getMessage(), e);
    }
    List<String> problems = new ArrayList<>();
    for (String required : List.of("input_ids", "attention_mask")) {
      if (!in.containsKey(required)) {
        problems.add("input '" + required + "' is missing");
      }
    }
    if (!out.containsKey("logits")) {
      problems.add("output 'logits' is missing");
    }
    Set<String> known = new TreeSet<>(List.of("input_ids", "attention_mask", "position_ids",
        "num_logits_to_keep", "use_cache_branch"));
    int layers = 0;
    while (in.containsKey("past_key_values." + layers + ".key")) {
      layers++;
    }
    if (layers == 0) {
      problems.add("no 'past_key_values.0.key' input: export with --task text-generation-with-past");
    }
    long configLayers = dir.configLong("num_hidden_layers", layers);
    if (layers > 0 && configLayers != layers) {
      problems.add("config.json says num_hidden_layers=" + configLayers + " but the model has "
          + layers + " past_key_values inputs");
    }
    List<String> past = new ArrayList<>();
    List<String> present = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      for (String kind : List.of("key", "value")) {
        String p = "past_key_values." + i + "." + kind;
        String q = "present." + i + "." + kind;
        if (!in.containsKey(p)) {
          problems.add("input '" + p + "' is missing");
        }
        if (!out.containsKey(q)) {
          problems.add("output '" + q + "' is missing");
        }
        known.add(p);
        past.add(p);
        present.add(q);
      }
    }
    for (String name : in.keySet()) {
      if (!known.contains(name)) {
        problems.add("unsupported input '" + name + "'");
      }
    }
    OnnxJavaType kvType = OnnxJavaType.FLOAT;
    long kvHeads = dir.configLong("num_key_value_heads", dir.configLong("num_attention_heads", -1));
    long hidden = dir.configLong("hidden_size", -1);
    long heads = dir.configLong("num_attention_heads", -1);
    long headDim = dir.configLong("head_dim", hidden > 0 && heads > 0 ? hidden / heads : -1);
    if (layers > 0 && in.get("past_key_values.0.key").getInfo() instanceof TensorInfo ti) {
      kvType = ti.type;
      long[] shape = ti.getShape();
      if (shape.length != 4) {
        problems.add("input 'past_key_values.0.key' has rank " + shape.length + ", expected 4"
            + " [batch, kv_heads, past, head_dim]");
      } else {
        if (shape[1] > 0) {
          kvHeads = shape[1];
        }
        if (shape[3] > 0) {
          headDim = shape[3];
        }
      }
      if (kvType != OnnxJavaType.FLOAT && kvType != OnnxJavaType.FLOAT16) {
        problems.add("KV cache type " + kvType + " is not supported (float32 or float16)");
      }
    }
    if (kvHeads <= 0 || headDim <= 0) {
      problems.add("cannot tell KV heads / head_dim: neither the model's past_key_values shape nor"
          + " config.json (num_key_value_heads, head_dim or hidden_size/num_attention_heads) says");
    }
    OnnxJavaType logitsType = OnnxJavaType.FLOAT;
    int vocab = (int) dir.configLong("vocab_size", -1);
    if (out.get("logits") != null && out.get("logits").getInfo() instanceof TensorInfo li) {
      logitsType = li.type;
      long[] s = li.getShape();
      if (s.length == 3 && s[2] > 0) {
        vocab = (int) s[2];
      }
      if (logitsType != OnnxJavaType.FLOAT && logitsType != OnnxJavaType.FLOAT16) {
        problems.add("logits type " + logitsType + " is not supported (float32 or float16)");
      }
    }
    if (vocab <= 0) {
      problems.add("vocabulary size unknown: no fixed logits dimension and no vocab_size in config.json");
    }
    if (!problems.isEmpty()) {
      throw new ModelException(file + ": not an Optimum decoder with KV cache: "
          + String.join("; ", problems));
    }
    return new DecoderSignature(layers, in.containsKey("position_ids"),
        in.containsKey("num_logits_to_keep"), in.containsKey("use_cache_branch"), kvType, kvHeads,
        headDim, logitsType, vocab, List.copyOf(past), List.copyOf(present));
  }
}
