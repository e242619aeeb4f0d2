/**
 * A minimal ONNX protobuf writer and graph builder, used for the small helper graphs of this
 * module and the test decoder. It depends on nothing; this module's descriptor exports it only
 * because the test decoder of {@code dev.sparq.onnx.testing} hands out its graph builder.
 */
package dev.sparq.onnx.proto;
