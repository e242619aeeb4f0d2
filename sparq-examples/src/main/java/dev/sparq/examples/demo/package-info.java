/**
 * The built-in demo domain of {@code sparq demo}: exact-fraction arithmetic, linear equations
 * and systems, a procedural generator and a simulated student. It depends on sparq-core's stage
 * ports and value types; the CLI and the examples may depend on it.
 */
package dev.sparq.examples.demo;
