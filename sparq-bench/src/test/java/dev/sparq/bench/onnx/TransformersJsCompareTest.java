package dev.sparq.bench.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.onnx.OnnxLanguageModel;
import dev.sparq.onnx.OnnxOptions;
import dev.sparq.onnx.testing.TinyDecoder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransformersJsCompareTest {
  static final ObjectMapper OM = new ObjectMapper();

  static JsonNode json(String s) throws Exception {
    return OM.readTree(s.replace('\'', '"'));
  }

  @Test
  void parityNamesTheFirstDifferingStepOfEachRow() throws Exception {
    assertEquals("identical (2 x 3)",
        TransformersJsCompare.parity(json("[[1,2,3],[4,5,6]]"), json("[[1,2,3],[4,5,6]]")));
    assertEquals("DIFFERENT: row 1 from step 2",
        TransformersJsCompare.parity(json("[[1,2,3],[4,5,6]]"), json("[[1,2,3],[4,5,7]]")));
    assertEquals("DIFFERENT row counts 1 vs 2",
        TransformersJsCompare.parity(json("[[1]]"), json("[[1],[2]]")));
  }

  @Test
  void medianOfOddAndEvenCountsAndBest() throws Exception {
    assertEquals(1.0, TransformersJsCompare.best(json("[3, 1, 2]")));
    assertEquals(2.0, TransformersJsCompare.median(json("[3, 1, 2]")));
    assertEquals(2.5, TransformersJsCompare.median(json("[4, 1, 2, 3]")));
  }

  @Test
  void reportComputesTokensPerSecondFromTheMedianAndTheRatio() throws Exception {
    JsonNode java = json("{'tokens': 10, 'results': [{'batch': 2, 'seconds': [1.0, 0.5, 2.0],"
        + " 'ids': [[1],[2]]}, {'batch': 4, 'seconds': [1.0], 'ids': [[1],[1],[1],[1]]}]}");
    JsonNode tjs = json("{'results': [{'batch': 2, 'seconds': [4.0, 5.0], 'ids': [[1],[3]]}]}");
    String r = TransformersJsCompare.report(java, tjs);
    // batch 2, 20 tokens: median 1.0 s = 20 tok/s, best 0.5 s = 40; transformers.js median 4.5 s
    // = 4.4 tok/s, best 4 s = 5 tok/s: ratios 4.50x and 8.00x.
    assertTrue(r.matches("(?s).*\\n2 +Java loop +20\\.0 / 40\\.0 +4\\.4 / 5\\.0 +4\\.50x +8\\.00x"
        + " +DIFFERENT: row 1 from step 0\\n.*"), r);
    assertTrue(r.matches("(?s).*\\n4 +Java loop +40\\.0 / 40\\.0 +- +- +- +no transformers\\.js"
        + " result\\n.*"), r);
    assertFalse(r.contains("session.run"), "no bound table without session.run times: " + r);
  }

  @Test
  void reportAddsTheInGraphRowAndTheSessionRunBound() throws Exception {
    JsonNode java = json("{'tokens': 10, 'results': [{'batch': 1, 'seconds': [1.0, 2.0, 1.5],"
        + " 'ort_seconds': [0.8, 0.5, 0.9], 'in_graph_seconds': [0.4, 0.5, 0.6],"
        + " 'in_graph_same': true, 'ids': [[1]]}, {'batch': 2, 'seconds': [1.0],"
        + " 'in_graph_seconds': [1.0], 'in_graph_same': false, 'ids': [[1],[2]]}]}");
    JsonNode tjs = json("{'results': [{'batch': 1, 'seconds': [2.0], 'ids': [[1]]},"
        + " {'batch': 2, 'seconds': [2.0], 'ids': [[1],[2]]}]}");
    String r = TransformersJsCompare.report(java, tjs);
    // in-graph batch 1: median 0.5 s = 20 tok/s, best 0.4 s = 25; transformers.js 5 tok/s.
    assertTrue(r.matches("(?s).*\\n1 +in-graph +20\\.0 / 25\\.0 +5\\.0 / 5\\.0 +4\\.00x +5\\.00x"
        + " +same completions as the Java loop\\n.*"), r);
    assertTrue(r.contains("DIFFERENT from the Java loop"), r);
    // Java loop batch 1: median wall 1.5 s, median session.run 0.8 s: 53.3%; 10 / 0.8 = 12.5
    // tok/s if nothing else took time, 2.50x transformers.js's 5 tok/s.
    assertTrue(r.matches("(?s).*\\n1 +53\\.3% +12\\.5 +2\\.50x\\n.*"), r);
  }

  @Test
  void reportBoundsBatchOneByMemoryBandwidth() throws Exception {
    JsonNode java = json("{'tokens': 10, 'weight_bytes': 2000000, 'read_bytes_per_second': 1.0e9,"
        + " 'results': [{'batch': 1, 'seconds': [1.0], 'ids': [[1]]}]}");
    JsonNode tjs = json("{'results': [{'batch': 1, 'seconds': [0.05], 'ids': [[1]]}]}");
    // 1 GB/s over 2 MB of weights: at most 500 tok/s; transformers.js 10 / 0.05 = 200 tok/s.
    String r = TransformersJsCompare.report(java, tjs);
    assertTrue(r.contains("memory read bandwidth 1.0 GB/s; a batch-1 decode step reads the 2.0 MB of"
        + " weights once, so no runtime decodes faster than 500.0 tok/s at batch 1 with these weights"
        + " (2.50x transformers.js's median)"), r);
  }

  @Test
  void readBandwidthIsPositiveAndFinite() throws Exception {
    double bw = TransformersJsCompare.readBandwidth(1);
    assertTrue(bw > 1e8 && bw < 1e13, "bytes per second: " + bw);
  }

  @Test
  void greedyIdsAreTheTokensBehindTheCompletions(@TempDir Path tmp) throws Exception {
    Path dir = new TinyDecoder(TinyDecoder.Spec.tiny()).writeTo(tmp.resolve("tiny"));
    OnnxGenerationBench.dropEos(dir);
    SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(12).build();
    try (OnnxLanguageModel m = OnnxLanguageModel.open(dir,
        OnnxOptions.builder().intraOpThreads(1).build())) {
      List<long[]> prompts = GpuCheck.prompts(3, 20);
      List<long[]> ids = TransformersJsCompare.greedyIds(m, prompts, greedy);
      List<List<Completion>> done = m.completeTokens(prompts, greedy);
      assertEquals(3, ids.size());
      for (int i = 0; i < 3; i++) {
        assertEquals(12, ids.get(i).length, "row " + i);
        assertEquals(done.get(i).get(0).text(), m.tokenizer().decode(ids.get(i), true), "row " + i);
      }
      assertEquals(0, m.openNativeValues());
    }
  }
}
