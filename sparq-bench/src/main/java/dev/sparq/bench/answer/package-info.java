/**
 * Answer-checking throughput benchmarks of sparq-core's {@code AnswerChecker} (JMH, and a harness
 * that divides by CPU time for shared machines). It depends on sparq-core; nothing depends on it.
 */
package dev.sparq.bench.answer;
