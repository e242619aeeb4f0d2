/**
 * The port to any language model ({@link dev.sparq.core.llm.LanguageModel}) with its request,
 * sampling, completion and token-usage types. It depends on nothing but {@code dev.sparq.core};
 * stages that call a model, presets and the backend modules (sparq-onnx, sparq-openai) depend on
 * it.
 */
package dev.sparq.core.llm;
