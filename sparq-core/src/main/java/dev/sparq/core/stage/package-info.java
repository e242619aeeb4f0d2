/**
 * The stage ports the engine sees: {@link dev.sparq.core.stage.Generator}, {@link
 * dev.sparq.core.stage.Solver}, {@link dev.sparq.core.stage.DifficultyEstimator} and {@link
 * dev.sparq.core.stage.DiversityDescriptor}, with the context the engine hands each call. It
 * depends only on value types; the engine and every stage implementation depend on it.
 */
package dev.sparq.core.stage;
