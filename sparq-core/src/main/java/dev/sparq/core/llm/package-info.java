/**
 * The port to any language model ({@link dev.sparq.core.llm.LanguageModel}) with its request,
 * sampling, completion and token-usage types, and {@link dev.sparq.core.llm.ReasoningText}, which
 * separates a reasoning model's thinking from its answer. It depends on nothing but {@code dev.sparq.core};
 * stages that call a model, presets and the backend modules (sparq-onnx, sparq-openai) depend on
 * it.
 */
package dev.sparq.core.llm;
