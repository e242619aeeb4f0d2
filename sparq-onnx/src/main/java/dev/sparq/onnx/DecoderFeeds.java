package dev.sparq.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import dev.sparq.core.ModelException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;

/**
 * The non-KV inputs of the decoder for one batch: {@code input_ids}, {@code attention_mask},
 * {@code position_ids} (left-padded for prefill, one position per row for a decode step), the
 * optional {@code use_cache_branch} and {@code num_logits_to_keep}, and the empty past of the
 * prefill. The host buffers are direct, reused from step to step and grown by doubling; the tensors
 * are created over them (no copy) and tracked, and the caller closes them with {@link #close}.
 */
final class DecoderFeeds {
  private final LoadedDecoder d;
  private ByteBuffer idsBuf = ByteBuffer.allocateDirect(0);
  private ByteBuffer maskBuf = ByteBuffer.allocateDirect(0);
  private ByteBuffer posBuf = ByteBuffer.allocateDirect(0);

  DecoderFeeds(LoadedDecoder d) {
    this.d = d;
  }

  /**
   * Puts the prefill inputs of {@code prompts}, left-padded to {@code s} tokens, into
   * {@code inputs} (past tensors with zero length included).
   *
   * @param pads receives each prompt's left padding
   * @return 1 when the logits are limited to the last position, else 0
   */
  int prefill(Map<String, OnnxTensor> inputs, List<long[]> prompts, int s, int[] pads)
      throws OrtException {
    int b = prompts.size();
    LongBuffer ids = longs(idsBuf = ensure(idsBuf, b * s * 8L), b * s);
    LongBuffer mask = longs(maskBuf = ensure(maskBuf, b * s * 8L), b * s);
    LongBuffer pos = longs(posBuf = ensure(posBuf, b * s * 8L), b * s);
    for (int i = 0; i < b; i++) {
      long[] p = prompts.get(i);
      pads[i] = s - p.length;
      for (int j = 0; j < s; j++) {
        boolean real = j >= pads[i];
        ids.put(i * s + j, real ? p[j - pads[i]] : d.padId);
        mask.put(i * s + j, real ? 1 : 0);
        pos.put(i * s + j, real ? j - pads[i] : 1);
      }
    }
    inputs.put("input_ids", tensor(ids, b, s));
    inputs.put("attention_mask", tensor(mask, b, s));
    if (d.sig.positionIds()) {
      inputs.put("position_ids", tensor(pos, b, s));
    }
    ByteBuffer empty = ByteBuffer.allocateDirect(0);
    for (String name : d.sig.pastNames()) {
      inputs.put(name, d.tracker.track(OnnxTensor.createTensor(d.env, empty,
          new long[] {b, d.sig.kvHeads(), 0, d.sig.headDim()}, d.sig.kvType())));
    }
    return extras(inputs, false);
  }

  /**
   * Puts the inputs of one decode step into {@code inputs}: each row's last token at position
   * {@code total - pad}, and a mask over {@code total + 1} positions (KV tensors not included).
   */
  void step(Map<String, OnnxTensor> inputs, List<Sequence> rows, int total) throws OrtException {
    int r = rows.size();
    int t = total + 1;
    LongBuffer ids = longs(idsBuf = ensure(idsBuf, r * 8L), r);
    LongBuffer mask = longs(maskBuf = ensure(maskBuf, (long) r * t * 8), r * t);
    LongBuffer pos = longs(posBuf = ensure(posBuf, r * 8L), r);
    for (int i = 0; i < r; i++) {
      Sequence row = rows.get(i);
      ids.put(i, row.last);
      for (int j = 0; j < t; j++) {
        mask.put(i * t + j, j >= row.pad ? 1 : 0);
      }
      pos.put(i, total - row.pad);
    }
    inputs.put("input_ids", tensor(ids, r, 1));
    inputs.put("attention_mask", tensor(mask, r, t));
    if (d.sig.positionIds()) {
      inputs.put("position_ids", tensor(pos, r, 1));
    }
    extras(inputs, true);
  }

  /** Adds the optional scalar inputs; returns 1 when logits are limited to the last position. */
  private int extras(Map<String, OnnxTensor> inputs, boolean decoding) throws OrtException {
    if (d.sig.useCacheBranch()) {
      ByteBuffer flag = ByteBuffer.allocateDirect(1);
      flag.put(0, (byte) (decoding ? 1 : 0));
      inputs.put("use_cache_branch", d.tracker.track(
          OnnxTensor.createTensor(d.env, flag, new long[] {1}, OnnxJavaType.BOOL)));
    }
    if (d.sig.numLogitsToKeep()) {
      LongBuffer one = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).asLongBuffer();
      one.put(0, 1);
      inputs.put("num_logits_to_keep", d.tracker.track(
          OnnxTensor.createTensor(d.env, one, new long[0])));
      return 1;
    }
    return 0;
  }

  private OnnxTensor tensor(LongBuffer data, long rowsN, long cols) throws OrtException {
    return d.tracker.track(OnnxTensor.createTensor(d.env, data, new long[] {rowsN, cols}));
  }

  /** Closes the tensors this class put into {@code inputs}. */
  void close(Map<String, OnnxTensor> inputs) {
    for (OnnxTensor t : inputs.values()) {
      d.tracker.close(t);
    }
  }

  /** {@code buf} if it holds {@code bytes}, else a new native-order direct buffer, at least doubled. */
  static ByteBuffer ensure(ByteBuffer buf, long bytes) {
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
}
