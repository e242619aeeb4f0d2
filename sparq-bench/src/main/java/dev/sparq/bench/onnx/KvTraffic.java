package dev.sparq.bench.onnx;

/**
 * Bytes that cross between host and device on one decode step, by formula, for the two ways of
 * decoding: the Java loop of {@code sparq-onnx}, which (the ONNX Runtime Java API having no
 * IoBinding) feeds every {@code past_key_values.*} tensor from the host and receives every
 * {@code present.*} tensor and the logits back; and a loop kept on the device, where only each
 * row's new token id and finished flag come back.
 */
final class KvTraffic {
  private KvTraffic() {}

  /**
   * The shape of one decoder.
   *
   * @param layers transformer blocks (each has a key and a value tensor)
   * @param kvHeads key/value heads
   * @param headDim head size
   * @param kvBytes bytes per KV element (4 for float32, 2 for float16)
   * @param vocab vocabulary size (logits per row)
   * @param logitsBytes bytes per logit
   * @param positionIds whether the decoder takes {@code position_ids}
   */
  record Decoder(int layers, long kvHeads, long headDim, int kvBytes, long vocab, int logitsBytes,
      boolean positionIds) {}

  /**
   * Bytes of one step.
   *
   * @param hostToDevice inputs fed from the host
   * @param deviceToHost outputs copied back
   */
  record Step(long hostToDevice, long deviceToHost) {
    long total() {
      return hostToDevice + deviceToHost;
    }
  }

  /**
   * One step of the Java loop over {@code rows} rows with {@code past} positions already cached:
   * in, {@code input_ids [rows,1]}, {@code attention_mask [rows,past+1]}, optional
   * {@code position_ids [rows,1]} (int64) and {@code 2*layers} past tensors
   * {@code [rows,kvHeads,past,headDim]}; out, {@code logits [rows,1,vocab]} and {@code 2*layers}
   * present tensors {@code [rows,kvHeads,past+1,headDim]}.
   */
  static Step javaLoop(Decoder d, long rows, long past) {
    long ids = rows * 8;
    long mask = rows * (past + 1) * 8;
    long pos = d.positionIds() ? rows * 8 : 0;
    long kvIn = 2L * d.layers() * rows * d.kvHeads() * past * d.headDim() * d.kvBytes();
    long kvOut = 2L * d.layers() * rows * d.kvHeads() * (past + 1) * d.headDim() * d.kvBytes();
    long logits = rows * d.vocab() * d.logitsBytes();
    return new Step(ids + mask + pos + kvIn, kvOut + logits);
  }

  /**
   * One step of a loop kept on the device: the host only receives each row's token id (int64) and
   * finished flag (one byte); the KV cache, logits and sampling stay on the device.
   */
  static Step onDevice(long rows) {
    return new Step(0, rows * (8 + 1));
  }

  /** Bytes of a tensor of {@code shape} with {@code elementBytes}-byte elements. */
  static long tensorBytes(long[] shape, int elementBytes) {
    long n = elementBytes;
    for (long s : shape) {
      if (s < 0) {
        throw new IllegalArgumentException("symbolic dimension in a concrete shape");
      }
      n = Math.multiplyExact(n, s);
    }
    return n;
  }

  /** A byte count for people: {@code 512 B}, {@code 1.5 KiB}, {@code 12.0 GiB}. */
  static String human(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? bytes + " B" : String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
