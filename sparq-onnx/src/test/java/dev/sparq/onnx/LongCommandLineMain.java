package dev.sparq.onnx;

import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.onnx.testing.TinyDecoder;
import java.nio.file.Path;
import java.util.List;

/**
 * Child-JVM program of {@link LongCommandLineTest}: writes the tiny test decoder, opens it (which
 * creates the ONNX Runtime environment and a session) and generates.
 */
public final class LongCommandLineMain {
  private LongCommandLineMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = new TinyDecoder(TinyDecoder.Spec.tiny()).writeTo(Path.of(args[0]));
    try (OnnxLanguageModel m = OnnxLanguageModel.open(dir,
        OnnxOptions.builder().intraOpThreads(1).build())) {
      List<List<Completion>> out = m.complete(List.of(ChatRequest.user("hi")),
          SamplingParams.builder().temperature(0).maxTokens(5).seed(1).build());
      Completion c = out.get(0).get(0);
      System.out.println("GENERATED " + c.completionTokens() + " tokens");
    }
  }
}
