/**
 * SPARQ's in-process backend on ONNX Runtime: a language model for Optimum decoder exports and
 * sentence embeddings for semantic niches and deduplication (src-docs/architecture.md).
 *
 * <p>{@code dev.sparq.onnx.proto} (the ONNX protobuf writer) is exported because the test
 * decoder of {@code dev.sparq.onnx.testing} hands out its graph builder.
 * {@code jinjava} and {@code commons.math3} are automatic modules named after their jar files:
 * neither project declares a module name.
 */
module dev.sparq.onnx {
  requires transitive dev.sparq.core;
  requires transitive com.microsoft.onnxruntime;
  requires ai.djl.tokenizers;
  requires jinjava;
  requires commons.math3;
  requires com.fasterxml.jackson.core;
  requires java.net.http;
  requires transitive org.slf4j; // OnnxSessions takes a Logger

  exports dev.sparq.onnx;
  exports dev.sparq.onnx.embed;
  exports dev.sparq.onnx.proto;
  exports dev.sparq.onnx.testing;

  opens dev.sparq.onnx to com.fasterxml.jackson.databind;
  opens dev.sparq.onnx.embed to com.fasterxml.jackson.databind;
  opens dev.sparq.onnx.testing to com.fasterxml.jackson.databind;
}
