/**
 * Implementations of the {@link dev.sparq.core.stage.DifficultyEstimator} stage: SPARQ's fixed-K
 * estimator, the adaptive estimator and its solve-rate prior, the quality band and the validity
 * guard. It depends on the stage ports, answer checking and the model port; the engine never
 * depends on it, presets and applications may.
 */
package dev.sparq.core.difficulty;
