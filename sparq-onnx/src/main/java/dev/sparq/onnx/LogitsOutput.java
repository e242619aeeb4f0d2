package dev.sparq.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * The decoder's {@code logits} output, pinned: ONNX Runtime writes it straight into a reused direct
 * buffer. Float16 logits are widened to floats on reading.
 */
final class LogitsOutput {
  private final LoadedDecoder d;
  private ByteBuffer logitsBuf = ByteBuffer.allocateDirect(0);
  private float[] halfScratch = new float[0];
  private boolean half;
  private long count;

  LogitsOutput(LoadedDecoder d) {
    this.d = d;
  }

  /**
   * A tracked tensor over the buffer, shaped {@code [rows, positions, vocab]}, to pass as the
   * pinned output of one run; the caller closes it after the run.
   */
  OnnxTensor pin(int rowsN, int positions) throws OrtException {
    count = (long) rowsN * positions * d.sig.vocab();
    half = d.sig.logitsType() == OnnxJavaType.FLOAT16;
    logitsBuf = DecoderFeeds.ensure(logitsBuf, count * (half ? 2 : 4));
    long[] shape = {rowsN, positions, d.sig.vocab()};
    OnnxTensor pinned;
    if (half) {
      ShortBuffer sb = logitsBuf.asShortBuffer();
      sb.limit((int) count);
      pinned = OnnxTensor.createTensor(d.env, sb, shape, OnnxJavaType.FLOAT16);
    } else {
      FloatBuffer fb = logitsBuf.asFloatBuffer();
      fb.limit((int) count);
      pinned = OnnxTensor.createTensor(d.env, fb, shape);
    }
    return d.tracker.track(pinned);
  }

  /** The logits of the last run, as floats. */
  FloatBuffer read() {
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
