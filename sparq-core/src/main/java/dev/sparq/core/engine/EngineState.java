package dev.sparq.core.engine;

/**
 * The engine's own state besides its archives: enough, with the archive (and, for static variants,
 * the seeds), to resume a run exactly. Randomness is derived from the run seed and the iteration
 * number, so no generator state needs saving.
 *
 * @param seed the run seed
 * @param totals the run totals so far (its {@code iterations} is the next iteration to run)
 */
public record EngineState(long seed, RunStats totals) {}
