/**
 * SPARQ's backend for OpenAI-compatible inference servers (src-docs/architecture.md).
 */
module dev.sparq.openai {
  requires transitive dev.sparq.core;
  requires com.fasterxml.jackson.core;
  requires transitive java.net.http; // the builder accepts an HttpClient
  requires org.slf4j;

  exports dev.sparq.openai;

  opens dev.sparq.openai to com.fasterxml.jackson.databind;
}
