/**
 * SPARQ for Java's test kit: {@link dev.sparq.testkit.archive.ArchiveContract} (the archive
 * property suite, with feature flags), the simulated math domain
 * ({@link dev.sparq.testkit.math.ArithmeticDomain}, {@link dev.sparq.testkit.math.ArithmeticModel}),
 * a scripted language model ({@link dev.sparq.testkit.llm.ScriptedModel}) and an in-process
 * OpenAI-compatible server ({@link dev.sparq.testkit.openai.FakeOpenAiServer}) and named pipes for
 * tests of readers that must refuse them ({@link dev.sparq.testkit.io.Fifos}). For tests,
 * examples and benchmarks; no production code depends on it.
 *
 * <p>jqwik is needed only for the archive contract ({@code requires static}): whoever runs the
 * contract adds the jqwik engine, which brings its API.
 */
module dev.sparq.testkit {
  requires transitive dev.sparq.core;
  requires static net.jqwik.api;
  requires com.fasterxml.jackson.databind;
  requires jdk.httpserver;

  exports dev.sparq.testkit.archive;
  exports dev.sparq.testkit.io;
  exports dev.sparq.testkit.llm;
  exports dev.sparq.testkit.math;
  exports dev.sparq.testkit.openai;
  exports dev.sparq.testkit.stage;
}
