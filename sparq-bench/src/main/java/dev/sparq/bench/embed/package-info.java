/**
 * The sentence-embedding throughput benchmark of sparq-onnx on CPU. It depends on sparq-onnx;
 * nothing depends on it.
 */
package dev.sparq.bench.embed;
