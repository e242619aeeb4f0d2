/**
 * SPARQ's in-process backend on ONNX Runtime: a language model for Optimum decoder exports and
 * sentence embeddings for semantic niches and deduplication (src-docs/architecture.md).
 *
 * <p>{@code dev.sparq.onnx.proto} (the ONNX protobuf writer) is exported because the test
 * decoder of {@code dev.sparq.onnx.testing} hands out its graph builder.
 * {@code dev.sparq.onnx.jinja} is the chat-template interpreter ({@code ChatTemplate} takes its
 * render limits). {@code commons.math3} is an automatic module named after its jar file: the
 * project declares no module name.
 */
module dev.sparq.onnx {
  requires transitive dev.sparq.core;
  requires transitive com.microsoft.onnxruntime;
  requires ai.djl.tokenizers;
  requires commons.math3;
  requires com.fasterxml.jackson.core;
  requires java.net.http;
  requires transitive org.slf4j; // OnnxSessions takes a Logger

  exports dev.sparq.onnx;
  exports dev.sparq.onnx.embed;
  exports dev.sparq.onnx.jinja;
  exports dev.sparq.onnx.proto;
  exports dev.sparq.onnx.testing;

  opens dev.sparq.onnx to com.fasterxml.jackson.databind;
  opens dev.sparq.onnx.embed to com.fasterxml.jackson.databind;
  opens dev.sparq.onnx.testing to com.fasterxml.jackson.databind;
}
