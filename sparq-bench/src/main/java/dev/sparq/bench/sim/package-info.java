/**
 * A simulated inference server with a vLLM-like cost model ({@link dev.sparq.bench.sim.BatchCostModel},
 * {@link dev.sparq.bench.sim.SimulatedInferenceServer}, several servers on one
 * {@link dev.sparq.bench.sim.SimClock}) and the throughput harness that runs the
 * synchronous and asynchronous engines against it through the real OpenAI client
 * ({@link dev.sparq.bench.sim.ThroughputBench}); see src-docs/benchmarks.md.
 */
package dev.sparq.bench.sim;
