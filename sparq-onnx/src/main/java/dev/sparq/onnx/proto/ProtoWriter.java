package dev.sparq.onnx.proto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal protocol-buffers wire-format writer: varints, 32-bit floats and length-delimited
 * fields. Enough to write ONNX {@code ModelProto} messages without generated classes.
 */
final class ProtoWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private void tag(int field, int wireType) {
    varint(((long) field << 3) | wireType);
  }

  private void varint(long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  ProtoWriter int64(int field, long v) {
    tag(field, 0);
    varint(v);
    return this;
  }

  ProtoWriter float32(int field, float f) {
    tag(field, 5);
    int bits = Float.floatToIntBits(f);
    out.write(bits & 0xFF);
    out.write((bits >>> 8) & 0xFF);
    out.write((bits >>> 16) & 0xFF);
    out.write((bits >>> 24) & 0xFF);
    return this;
  }

  ProtoWriter bytes(int field, byte[] b) {
    tag(field, 2);
    varint(b.length);
    out.write(b, 0, b.length);
    return this;
  }

  ProtoWriter string(int field, String s) {
    return bytes(field, s.getBytes(StandardCharsets.UTF_8));
  }

  ProtoWriter message(int field, ProtoWriter m) {
    return bytes(field, m.toByteArray());
  }

  /** A packed repeated int64 field. */
  ProtoWriter packedInt64(int field, long[] values) {
    ProtoWriter inner = new ProtoWriter();
    for (long v : values) {
      inner.varint(v);
    }
    return bytes(field, inner.toByteArray());
  }

  /** Appends already encoded fields (tag and payload) unchanged. */
  ProtoWriter raw(java.nio.ByteBuffer encoded) {
    java.nio.ByteBuffer b = encoded.duplicate();
    if (b.hasArray()) {
      out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
    } else {
      byte[] chunk = new byte[Math.min(b.remaining(), 1 << 16)];
      while (b.hasRemaining()) {
        int n = Math.min(chunk.length, b.remaining());
        b.get(chunk, 0, n);
        out.write(chunk, 0, n);
      }
    }
    return this;
  }

  /** A length-delimited field whose payload is already encoded. */
  ProtoWriter bytes(int field, java.nio.ByteBuffer payload) {
    tag(field, 2);
    varint(payload.remaining());
    return raw(payload);
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }
}
