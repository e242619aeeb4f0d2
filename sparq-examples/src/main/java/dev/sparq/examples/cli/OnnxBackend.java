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
 * backend is used (the runnable jar leaves ONNX Runtime out).
 */
final class OnnxBackend {
  private OnnxBackend() {}

  static LanguageModel open(RunConfig.Backend.Onnx b, long seed) {
    try {
      Class.forName("ai.onnxruntime.OrtEnvironment", false, OnnxBackend.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw ConfigException.forKey("backend.type", "'onnx' needs ONNX Runtime on the class path, and "
          + "sparq.jar leaves it out (640 MB of native code). Run through Maven instead: "
          + "mvn -pl sparq-examples -am compile exec:java -Dexec.args=\"run --config FILE\", or add the "
          + "runtime jar: java -cp sparq.jar:onnxruntime_gpu-<version>.jar dev.sparq.examples.cli.SparqCli ...");
    }
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
}
