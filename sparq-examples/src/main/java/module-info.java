/**
 * The examples of the Java API, the demo domain and the {@code sparq} command line
 * (src-docs/architecture.md). The command line is an application: its package is not exported,
 * only opened to picocli (which reads its annotated options) and Jackson (which binds its files).
 */
module dev.sparq.examples {
  requires transitive dev.sparq.core;
  requires dev.sparq.onnx;
  requires dev.sparq.openai;
  requires dev.sparq.testkit;
  requires com.fasterxml.jackson.core;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;
  requires info.picocli;
  // sun.misc.Signal: a second Ctrl-C while a run stops exits at once
  requires jdk.unsupported;

  exports dev.sparq.examples;
  exports dev.sparq.examples.demo;

  opens dev.sparq.examples.cli to info.picocli, com.fasterxml.jackson.databind;

  // backend demo: the command finds the demo domain as a service (its package imports no demo)
  uses dev.sparq.examples.cli.SimulatedDomain;
  provides dev.sparq.examples.cli.SimulatedDomain with dev.sparq.examples.demo.provider.DemoProvider;
}
