/**
 * The {@link dev.sparq.core.stage.Solver} stage over a language model ({@link
 * dev.sparq.core.solve.LlmSolver}): the student whose solve rate defines difficulty. It depends
 * on the stage ports, the model port, prompt templates and answer checking; estimators that need
 * a second solve, presets and applications may depend on it.
 */
package dev.sparq.core.solve;
