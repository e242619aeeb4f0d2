package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.DataException;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.difficulty.AdaptiveEstimator;
import dev.sparq.core.engine.RunStats;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stateful components restored from checkpoint slots by {@link SparqRun}. */
class ComponentSlotsTest {
  @TempDir Path tmp;

  private static AdaptiveEstimator adaptive() {
    return AdaptiveEstimator.builder().build();
  }

  /** What a finished run left: archive JSON, totals, log records. */
  private record Outcome(String archive, RunStats totals, java.util.List<String> log) {}

  /**
   * Runs 24 iterations checkpointing every 5, either in one go or stopped after 13 steps (last
   * checkpoint after iteration 10) and resumed with a fresh estimator.
   */
  private Outcome run(Path dir, boolean interrupt, boolean withSlot,
      Function<AdaptiveEstimator, AdaptiveEstimator> check) {
    if (interrupt) {
      AdaptiveEstimator first = adaptive();
      SparqRun.Builder b = SparqRun.builder(dir, RunFixtures.engine(24).estimator(first))
          .checkpointEvery(5);
      if (withSlot) {
        b.slot(first.checkpointSlot());
      }
      try (SparqRun run = b.open()) {
        for (int i = 0; i < 13; i++) {
          run.engine().step();
        }
      }
    }
    AdaptiveEstimator est = adaptive();
    SparqRun.Builder b = SparqRun.builder(dir, RunFixtures.engine(24).estimator(est))
        .checkpointEvery(5);
    if (withSlot) {
      b.slot(est.checkpointSlot());
    }
    try (SparqRun run = b.open()) {
      assertEquals(interrupt, run.resumed());
      RunStats totals = run.run();
      check.apply(est);
      return new Outcome(ArchiveJson.toJson((CellArchive) run.engine().archive()), totals,
          SparqRunTest.logLines(dir));
    }
  }

  @Test
  void adaptiveEstimatorResumesWithItsLearnedPrior() {
    AdaptiveEstimator[] wholeEst = new AdaptiveEstimator[1];
    Outcome whole = run(tmp.resolve("whole"), false, true, e -> wholeEst[0] = e);
    AdaptiveEstimator[] resumedEst = new AdaptiveEstimator[1];
    Outcome resumed = run(tmp.resolve("parts"), true, true, e -> resumedEst[0] = e);
    assertTrue(whole.equals(resumed), "same archive, totals and log");
    assertEquals(wholeEst[0].priorState(), resumedEst[0].priorState());
    assertEquals(wholeEst[0].rolloutsSpent(), resumedEst[0].rolloutsSpent());
    assertEquals(wholeEst[0].problemsEstimated(), resumedEst[0].problemsEstimated());
    assertTrue(wholeEst[0].priorState().observations() > 100, "the prior learned something");

    // without the slot the resumed run starts from an empty prior and spends rollouts differently
    Outcome forgetful = run(tmp.resolve("noslot"), true, false, e -> e);
    assertNotEquals(whole.totals(), forgetful.totals());
    assertTrue(!whole.log().equals(forgetful.log()), "the log differs without the slot");
  }

  @Test
  void adaptiveSlotRejectsAMalformedState() {
    AdaptiveEstimator est = adaptive();
    ObjectNode state = (ObjectNode) est.checkpointSlot().save();
    ((ObjectNode) state.get("prior")).remove("counts");
    DataException e = assertThrows(DataException.class, () -> est.checkpointSlot().restore(state));
    assertTrue(e.getMessage().contains("slots.adaptive_estimator.counts"), e.getMessage());
  }
}
