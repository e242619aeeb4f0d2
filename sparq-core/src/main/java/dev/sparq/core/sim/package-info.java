/**
 * A rule-based arithmetic domain with a simulated student, which runs the whole engine without
 * any model (examples, tests, benchmarks). It implements the stage ports and depends on them and
 * the value types; examples and benchmarks may depend on it, the engine may not.
 */
package dev.sparq.core.sim;
