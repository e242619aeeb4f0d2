/**
 * Sentence embeddings with ONNX Runtime and what uses them: semantic niches ({@link
 * dev.sparq.onnx.embed.EmbeddingDescriptor}) and near-duplicate removal for export. It depends
 * on sparq-core's stage, export and value packages and on {@code dev.sparq.onnx}; applications
 * may depend on it.
 */
package dev.sparq.onnx.embed;
