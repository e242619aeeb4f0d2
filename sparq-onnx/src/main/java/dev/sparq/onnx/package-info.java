/**
 * A {@link dev.sparq.core.llm.LanguageModel} that runs Hugging Face Optimum decoder exports in
 * process with ONNX Runtime: model directories and the hub cache, tokenizer and chat template,
 * session options, token sampling and native-memory tracking. It depends on sparq-core's model
 * port; applications may depend on it, sparq-core and sparq-openai may not.
 */
package dev.sparq.onnx;
