package dev.sparq.examples.cli;

import dev.sparq.core.ConfigException;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.onnx.ModelHub;
import dev.sparq.onnx.OnnxLanguageModel;
import dev.sparq.onnx.OnnxOptions;
import java.nio.file.Path;

/**
 * Opens the in-process ONNX model of a configuration: a model directory, or a hub id downloaded
 * into the hub cache first. Kept apart so that ONNX Runtime classes are only loaded when the onnx
 * backend is used (the runnable jar leaves ONNX Runtime out; the distribution has it).
 */
final class OnnxBackend {
  private OnnxBackend() {}

  static LanguageModel open(RunConfig.Backend.Onnx b, long seed) {
    requireRuntime("backend.type", "'onnx'");
    OnnxOptions options = OnnxOptions.builder()
        .variant(b.variant())
        .device(b.device().equals("cuda") ? OnnxOptions.Device.CUDA : OnnxOptions.Device.CPU)
        .seed(seed)
        .chatTemplateVariables(b.chatTemplateKwargs())
        .build();
    if (!Components.isDirectory(b.model())
        && !b.model().matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw ConfigException.forKey("backend.model", "'" + b.model() + "' is neither a model directory "
          + "nor a hub id of the form owner/name");
    }
    Path dir = Components.isDirectory(b.model()) ? Path.of(b.model())
        : ModelHub.fromEnvironment().download(b.model(), "main", b.variant());
    return OnnxLanguageModel.open(dir, options);
  }

  /** Opens the sentence embedder of {@code descriptor.embedding.model}. */
  static dev.sparq.onnx.embed.TextEmbedder openEmbedder(Path dir) {
    requireRuntime("descriptor.embedding.model", "an embedding descriptor");
    return dev.sparq.onnx.embed.OnnxEmbedder.open(dir);
  }

  private static void requireRuntime(String key, String what) {
    try {
      Class.forName("ai.onnxruntime.OrtEnvironment", false, OnnxBackend.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw ConfigException.forKey(key, what + " needs ONNX Runtime on the class path, and "
          + "sparq.jar leaves it out (640 MB of native code). Use the distribution instead "
          + "(sparq-examples/target/sparq-<version>/bin/sparq, ONNX Runtime for CPU included), or add the "
          + "runtime jar: java -cp sparq.jar:onnxruntime-<version>.jar dev.sparq.examples.cli.SparqCli ...");
    }
  }

  /**
   * The execution provider an opened model actually runs on ({@link
   * OnnxLanguageModel#executionProvider()}), or null when {@code model} is not an ONNX model. Only
   * called for the onnx backend, so ONNX Runtime classes are loaded only then.
   */
  static String executionProvider(LanguageModel model) {
    return model instanceof OnnxLanguageModel m ? m.executionProvider() : null;
  }
}
