/**
 * SPARQ for Java's core: the engine, the stage ports and their model-based implementations,
 * archives, the run store and the exporter. No native code and no dependency on another SPARQ
 * module (src-docs/architecture.md).
 *
 * <p>Every package is exported except {@code dev.sparq.core.internal}, whose helpers (Jackson
 * set-up, non-closing streams) are shared only with SPARQ's own modules. Packages whose types
 * Jackson binds by reflection (engine state, log positions, archive documents) are opened to it.
 */
module dev.sparq.core {
  requires transitive com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.core;
  requires com.fasterxml.jackson.annotation;
  requires com.google.common;
  requires org.slf4j;

  exports dev.sparq.core;
  exports dev.sparq.core.answer;
  exports dev.sparq.core.archive;
  exports dev.sparq.core.describe;
  exports dev.sparq.core.difficulty;
  exports dev.sparq.core.engine;
  exports dev.sparq.core.export;
  exports dev.sparq.core.generate;
  exports dev.sparq.core.llm;
  exports dev.sparq.core.math;
  exports dev.sparq.core.model;
  exports dev.sparq.core.preset;
  exports dev.sparq.core.prompt;
  exports dev.sparq.core.seeds;
  exports dev.sparq.core.solve;
  exports dev.sparq.core.stage;
  exports dev.sparq.core.state;
  exports dev.sparq.core.store;

  exports dev.sparq.core.internal to dev.sparq.onnx, dev.sparq.openai, dev.sparq.examples;

  opens dev.sparq.core.archive to com.fasterxml.jackson.databind;
  opens dev.sparq.core.engine to com.fasterxml.jackson.databind;
  opens dev.sparq.core.store to com.fasterxml.jackson.databind;
}
