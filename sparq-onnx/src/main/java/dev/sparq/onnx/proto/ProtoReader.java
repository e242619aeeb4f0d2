package dev.sparq.onnx.proto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A minimal protocol-buffers wire-format reader over a buffer: walks the fields of one message,
 * decoding varints and handing out length-delimited payloads as views (no copy), so that large
 * messages can be passed through unchanged while only the few fields a rewrite needs are decoded.
 * Malformed input (a truncated field, an unknown wire type, an over-long varint) throws
 * {@link IllegalArgumentException} naming the byte offset.
 */
final class ProtoReader {
  private final ByteBuffer buf;
  private int field;
  private int wireType;
  private int fieldStart;
  private long varintValue;
  private ByteBuffer payload;

  /** Reads the fields between {@code buf}'s position and limit. */
  ProtoReader(ByteBuffer buf) {
    this.buf = buf.slice();
  }

  /** Advances to the next field; false at the end of the message. */
  boolean next() {
    if (!buf.hasRemaining()) {
      return false;
    }
    fieldStart = buf.position();
    long tag = readVarint();
    field = (int) (tag >>> 3);
    wireType = (int) (tag & 7);
    payload = null;
    switch (wireType) {
      case 0 -> varintValue = readVarint();
      case 1 -> skip(8);
      case 5 -> skip(4);
      case 2 -> {
        long len = readVarint();
        if (len < 0 || len > buf.remaining()) {
          throw new IllegalArgumentException("truncated field " + field + " at byte " + fieldStart
              + ": length " + len + ", " + buf.remaining() + " bytes left");
        }
        payload = buf.slice(buf.position(), (int) len);
        buf.position(buf.position() + (int) len);
      }
      default -> throw new IllegalArgumentException("unsupported wire type " + wireType
          + " at byte " + fieldStart);
    }
    return true;
  }

  /** The current field number. */
  int field() {
    return field;
  }

  /** The current wire type. */
  int wireType() {
    return wireType;
  }

  /** The current varint value (wire type 0). */
  long varint() {
    if (wireType != 0) {
      throw new IllegalArgumentException("field " + field + " at byte " + fieldStart
          + " is not a varint");
    }
    return varintValue;
  }

  /** The payload of the current length-delimited field, as a view. */
  ByteBuffer payload() {
    if (payload == null) {
      throw new IllegalArgumentException("field " + field + " at byte " + fieldStart
          + " is not length-delimited");
    }
    return payload.duplicate();
  }

  /** The payload as UTF-8 text. */
  String string() {
    ByteBuffer p = payload();
    byte[] b = new byte[p.remaining()];
    p.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** The whole current field (tag and payload) as encoded, for copying through. */
  ByteBuffer encoded() {
    return buf.slice(fieldStart, buf.position() - fieldStart);
  }

  /** The values of a repeated int64 field, packed or not (call once per occurrence). */
  long[] int64s() {
    if (wireType == 0) {
      return new long[] {varintValue};
    }
    ProtoReader inner = new ProtoReader(payload());
    long[] out = new long[8];
    int n = 0;
    while (inner.buf.hasRemaining()) {
      if (n == out.length) {
        out = java.util.Arrays.copyOf(out, n * 2);
      }
      out[n++] = inner.readVarint();
    }
    return java.util.Arrays.copyOf(out, n);
  }

  private void skip(int n) {
    if (buf.remaining() < n) {
      throw new IllegalArgumentException("truncated field " + field + " at byte " + fieldStart);
    }
    buf.position(buf.position() + n);
  }

  private long readVarint() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!buf.hasRemaining()) {
        throw new IllegalArgumentException("truncated varint at byte " + buf.position());
      }
      byte b = buf.get();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes at byte " + buf.position());
  }
}
