package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sparq.onnx.testing.TinyDecoder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ONNX graph of the test decoder computes what its plain-Java reference computes. */
class TinyDecoderGraphTest {
  @TempDir Path dir;

  @Test
  void graphMatchesReferenceForward() throws Exception {
    TinyDecoder model = new TinyDecoder(TinyDecoder.Spec.tiny());
    model.writeTo(dir);
    int[] tokens = {5, 77, 200, 3, 260, 12, 99};
    float[][] ref = model.referenceLogits(tokens);
    OrtEnvironment env = OnnxSessions.environment();
    try (OrtSession s = env.createSession(dir.resolve("onnx/model.onnx").toString())) {
      int n = tokens.length;
      long[][] ids = new long[1][n];
      long[][] mask = new long[1][n];
      long[][] pos = new long[1][n];
      for (int i = 0; i < n; i++) {
        ids[0][i] = tokens[i];
        mask[0][i] = 1;
        pos[0][i] = i;
      }
      Map<String, OnnxTensor> in = new HashMap<>();
      in.put("input_ids", OnnxTensor.createTensor(env, ids));
      in.put("attention_mask", OnnxTensor.createTensor(env, mask));
      in.put("position_ids", OnnxTensor.createTensor(env, pos));
      int h = model.spec().heads();
      int d = model.spec().headDim();
      for (int l = 0; l < model.spec().layers(); l++) {
        in.put("past_key_values." + l + ".key", OnnxTensor.createTensor(env, java.nio.ByteBuffer.allocateDirect(0), new long[] {1, h, 0, d}, ai.onnxruntime.OnnxJavaType.FLOAT));
        in.put("past_key_values." + l + ".value", OnnxTensor.createTensor(env, java.nio.ByteBuffer.allocateDirect(0), new long[] {1, h, 0, d}, ai.onnxruntime.OnnxJavaType.FLOAT));
      }
      try (OrtSession.Result r = s.run(in)) {
        float[][][] logits = (float[][][]) r.get("logits").get().getValue();
        for (int p = 0; p < n; p++) {
          for (int t = 0; t < ref[p].length; t++) {
            assertEquals(ref[p][t], logits[0][p][t], 1e-3, "position " + p + " token " + t);
          }
        }
      }
      in.values().forEach(OnnxTensor::close);
    }
  }
}
