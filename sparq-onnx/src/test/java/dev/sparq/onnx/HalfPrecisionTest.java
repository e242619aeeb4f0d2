package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.onnx.testing.TinyDecoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A float16 KV cache and float16 logits (the fp16 export interface) work end to end. */
class HalfPrecisionTest {
  @TempDir Path tmp;

  @Test
  void fp16VariantMatchesFloat32WithinHalfPrecision() throws IOException {
    TinyDecoder t = new TinyDecoder(TinyDecoder.Spec.tiny());
    Path dir = t.writeTo(tmp.resolve("m"));
    t.writeHalfVariant(dir);
    OnnxOptions base = OnnxOptions.builder().intraOpThreads(1).build();
    List<long[]> prompts = List.of(new long[] {5, 6, 7, 8, 9}, new long[] {40, 41});
    SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(6).build();
    try (OnnxLanguageModel f32 = OnnxLanguageModel.open(dir, base);
        OnnxLanguageModel f16 = OnnxLanguageModel.open(dir,
            OnnxOptions.builder().intraOpThreads(1).variant("fp16").build())) {
      OnnxGenerationTest.Trace a = OnnxGenerationTest.trace(f32, () -> f32.completeTokens(prompts, greedy));
      OnnxGenerationTest.Trace b = OnnxGenerationTest.trace(f16, () -> f16.completeTokens(prompts, greedy));
      for (String key : List.of("0/0", "1/0")) {
        float[] la = a.logits.get(key).get(0);
        float[] lb = b.logits.get(key).get(0);
        double maxDiff = 0;
        for (int i = 0; i < la.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(la[i] - lb[i]));
        }
        assertTrue(maxDiff > 0, "half rounding must show");
        assertTrue(maxDiff < 0.05, "diff " + maxDiff);
      }
      // n samples from a shared prefill also work with a float16 cache (Gather in float16).
      SamplingParams p = SamplingParams.builder().temperature(1).n(3).seed(4).maxTokens(5).build();
      List<List<Completion>> shared = f16.completeTokens(prompts, p);
      for (int j = 0; j < 3; j++) {
        List<List<Completion>> one = f16.completeTokens(prompts, p.toBuilder().n(1).seed(4 + j).build());
        assertEquals(one.get(0).get(0), shared.get(0).get(j));
      }
      assertEquals(0, f16.openNativeValues());
    }
  }
}
