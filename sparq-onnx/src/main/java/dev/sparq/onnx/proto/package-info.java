/**
 * A minimal ONNX protobuf writer and graph builder, used for the small helper graphs of this
 * module and the test decoder. It depends on nothing; only this module uses it and its module
 * descriptor does not export it.
 */
package dev.sparq.onnx.proto;
