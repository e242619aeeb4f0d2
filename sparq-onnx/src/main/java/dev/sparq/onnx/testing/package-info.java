/**
 * A tiny random decoder and byte-level vocabulary written as a real Optimum export, for tests
 * and benchmarks that need an ONNX model without downloading one. It depends on {@code
 * dev.sparq.onnx.proto}; tests and benchmarks may depend on it, production code should not.
 */
package dev.sparq.onnx.testing;
