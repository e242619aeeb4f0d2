package dev.sparq.bench.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sparq.onnx.OnnxSessions;
import dev.sparq.onnx.testing.TinyDecoder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvTrafficTest {

  @Test
  void javaLoopStepCountsEveryKvTensorBothWays() {
    // 2 layers, 4 KV heads of 8, float32 KV, vocab 264, position_ids; 3 rows, 10 cached positions.
    KvTraffic.Decoder d = new KvTraffic.Decoder(2, 4, 8, 4, 264, 4, true);
    KvTraffic.Step s = KvTraffic.javaLoop(d, 3, 10);
    long in = 3 * 8 + 3 * 11 * 8 + 3 * 8 + 4L * 3 * 4 * 10 * 8 * 4;
    long out = 4L * 3 * 4 * 11 * 8 * 4 + 3 * 264 * 4;
    assertEquals(in, s.hostToDevice());
    assertEquals(out, s.deviceToHost());
    assertEquals(in + out, s.total());
  }

  @Test
  void withoutPositionIdsAndWithHalfKvTheCountsShrink() {
    KvTraffic.Decoder f32 = new KvTraffic.Decoder(2, 4, 8, 4, 264, 4, true);
    KvTraffic.Decoder f16 = new KvTraffic.Decoder(2, 4, 8, 2, 264, 4, false);
    KvTraffic.Step a = KvTraffic.javaLoop(f32, 5, 7);
    KvTraffic.Step b = KvTraffic.javaLoop(f16, 5, 7);
    long kvIn32 = 4L * 5 * 4 * 7 * 8 * 4;
    assertEquals(a.hostToDevice() - kvIn32 / 2 - 5 * 8, b.hostToDevice());
  }

  @Test
  void issueExampleIsAboutTwelveGigabytesEachWay() {
    // The issue's example: 24 layers, 2 KV heads x 64, fp16, 1,024 rows at 1,000 tokens.
    KvTraffic.Decoder qwen = new KvTraffic.Decoder(24, 2, 64, 2, 151_936, 4, true);
    KvTraffic.Step s = KvTraffic.javaLoop(qwen, 1024, 1000);
    assertEquals(12_582_912_000L, 48L * 1024 * 2 * 1000 * 64 * 2);
    assertEquals(true, s.hostToDevice() > 12_582_912_000L && s.hostToDevice() < 12_600_000_000L);
    assertEquals(1024 * 9, KvTraffic.onDevice(1024).deviceToHost());
    assertEquals(0, KvTraffic.onDevice(1024).hostToDevice());
  }

  @Test
  void tensorBytesAndHumanUnits() {
    assertEquals(2 * 3 * 4 * 2, KvTraffic.tensorBytes(new long[] {2, 3, 4}, 2));
    assertEquals(8, KvTraffic.tensorBytes(new long[0], 8));
    assertThrows(IllegalArgumentException.class, () -> KvTraffic.tensorBytes(new long[] {-1, 2}, 4));
    assertEquals("512 B", KvTraffic.human(512));
    assertEquals("1.5 KiB", KvTraffic.human(1536));
    assertEquals("12.0 GiB", KvTraffic.human(12L << 30));
  }

  @Test
  void formulaEqualsTheShapesOfARealDecodeStep(@TempDir Path tmp) throws Exception {
    TinyDecoder.Spec spec = TinyDecoder.Spec.tiny();
    Path dir = new TinyDecoder(spec).writeTo(tmp.resolve("tiny"));
    OrtEnvironment env = OnnxSessions.environment();
    KvTraffic.Decoder d = new KvTraffic.Decoder(spec.layers(), spec.heads(), spec.headDim(), 4,
        264, 4, true);
    try (OrtSession s = env.createSession(dir.resolve("onnx/model.onnx").toString(),
        new OrtSession.SessionOptions())) {
      for (int[] rp : new int[][] {{1, 5}, {3, 17}}) {
        assertEquals(KvTraffic.javaLoop(d, rp[0], rp[1]), GpuCheck.measureStep(env, s, rp[0], rp[1]),
            "rows " + rp[0] + ", past " + rp[1]);
      }
    }
  }
}
