/**
 * JMH benchmarks and harness programs that check SPARQ's speed and memory targets (archive add,
 * export, OpenAI client, adaptive difficulty), printing side-by-side ratios. They may depend on
 * every other module; nothing depends on them.
 */
package dev.sparq.bench;
