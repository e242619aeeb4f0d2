package dev.sparq.core.engine;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import java.util.Map;
import java.util.Objects;

/**
 * The engine's own state besides its archives: enough, with the archive (and, for static variants,
 * the seeds), to resume a run exactly. Randomness is derived from the run seed and the iteration
 * number, so no generator state needs saving.
 *
 * @param seed the run seed
 * @param totals the run totals so far (its {@code iterations} is the next iteration to run)
 * @param evaluated the first evaluation of every problem id evaluated so far, reused for duplicates
 *     (an unmodifiable map iterated in id order; empty for states saved before duplicates were
 *     tracked). Kept compactly, a few tens of bytes per id on the heap and in a checkpoint, where
 *     each distinct difficulty and descriptor is stored once (see {@code storage.md}, "Checkpoint")
 * @param stalled the consecutive iterations, ending with the last one run, that evaluated no new
 *     problem (the stall guard's counter, so a resumed run stalls where an uninterrupted one would;
 *     0 for states saved before it was kept)
 */
public record EngineState(long seed, RunStats totals,
    @JsonSerialize(using = EvaluatedIds.Writer.class)
    @JsonDeserialize(using = EvaluatedIds.Reader.class)
    Map<String, Evaluated> evaluated,
    int stalled) {
  public EngineState {
    Objects.requireNonNull(totals, "totals");
    evaluated = EvaluatedIds.frozenCopy(evaluated == null ? Map.of() : evaluated);
    if (stalled < 0) {
      throw new IllegalArgumentException("stalled must be >= 0, was " + stalled);
    }
  }

  /** A state with evaluated ids and a stall counter of 0. */
  public EngineState(long seed, RunStats totals, Map<String, Evaluated> evaluated) {
    this(seed, totals, evaluated, 0);
  }

  /** A state without evaluated ids. */
  public EngineState(long seed, RunStats totals) {
    this(seed, totals, Map.of(), 0);
  }

  /**
   * What the engine keeps of one evaluated problem to reuse for a duplicate.
   *
   * @param difficulty the measured difficulty
   * @param descriptor the descriptor
   */
  public record Evaluated(Difficulty difficulty, Descriptor descriptor) {
    public Evaluated {
      Objects.requireNonNull(difficulty, "difficulty");
      Objects.requireNonNull(descriptor, "descriptor");
    }
  }
}
