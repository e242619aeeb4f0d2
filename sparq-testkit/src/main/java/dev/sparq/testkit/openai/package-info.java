/**
 * {@link dev.sparq.testkit.openai.FakeOpenAiServer}: an in-process OpenAI-compatible server with
 * deterministic answers and injected faults, for tests and benchmarks of OpenAI-compatible clients.
 */
package dev.sparq.testkit.openai;
