package dev.sparq.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sparq.onnx.proto.OnnxGraphBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small ONNX graph of one {@code Gather} per KV tensor, run on the decoder's device: it selects
 * batch rows of the cache (repeats allowed), to give each of {@code n} samples its prompt's prefill
 * and to drop finished rows, without the cache passing through Java.
 */
final class KvGather implements AutoCloseable {
  private final LoadedDecoder d;
  private final OrtSession session;

  KvGather(LoadedDecoder d, OrtSession session) {
    this.d = d;
    this.session = session;
  }

  /** The gather graph for the decoder's KV inputs ({@code indices}, {@code kv_i} to {@code out_i}). */
  static byte[] graph(DecoderSignature sig) {
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

  /** What a gather made: the run result (tracked, owning the tensors) and the gathered tensors. */
  record Gathered(OrtSession.Result owner, List<OnnxTensor> kv) {}

  /** Gathers the rows {@code indices} of every tensor in {@code kv}, in that order. */
  Gathered gather(long[] indices, List<OnnxTensor> kv) throws OrtException {
    LongBuffer idx = ByteBuffer.allocateDirect(indices.length * 8)
        .order(ByteOrder.nativeOrder()).asLongBuffer();
    idx.put(indices).flip();
    OnnxTensor idxT = d.tracker.track(OnnxTensor.createTensor(d.env, idx, new long[] {indices.length}));
    try {
      Map<String, OnnxValue> in = new HashMap<>();
      in.put("indices", idxT);
      for (int i = 0; i < kv.size(); i++) {
        in.put("kv_" + i, kv.get(i));
      }
      @SuppressWarnings({"unchecked", "rawtypes"})
      Map<String, OnnxTensor> cast = (Map) in;
      long t0 = System.nanoTime();
      OrtSession.Result result = session.run(cast);
      d.stats.addRun(System.nanoTime() - t0);
      d.tracker.track(result);
      List<OnnxTensor> next = new ArrayList<>(kv.size());
      try {
        for (int i = 0; i < kv.size(); i++) {
          next.add((OnnxTensor) result.get("out_" + i).orElseThrow());
        }
      } catch (RuntimeException e) {
        d.tracker.close(result);
        throw e;
      }
      return new Gathered(result, next);
    } finally {
      d.tracker.close(idxT);
    }
  }

  @Override
  public void close() {
    OnnxSessions.closeQuietly(org.slf4j.LoggerFactory.getLogger(KvGather.class), session);
  }
}
