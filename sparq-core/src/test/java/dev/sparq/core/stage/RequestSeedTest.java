package dev.sparq.core.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.model.Problem;
import dev.sparq.core.solve.LlmSolver;
import dev.sparq.testkit.math.ArithmeticModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Request seeds fit a 32-bit signed integer and follow the stage's random stream. */
class RequestSeedTest {

  @Test
  void seedsAreNonNegative31BitAndReproducible() {
    StageContext a = StageContext.of(new SplittableRandom(42));
    StageContext b = StageContext.of(new SplittableRandom(42));
    SplittableRandom raw = new SplittableRandom(42);
    boolean sawHighBit = false;
    for (int i = 0; i < 10_000; i++) {
      long s = a.nextRequestSeed();
      assertTrue(s >= 0 && s <= Integer.MAX_VALUE, "out of range: " + s);
      assertEquals(s, b.nextRequestSeed());
      // one draw per seed: the stream stays aligned with a plain generator
      assertEquals(raw.nextLong() >>> 33, s);
      sawHighBit |= s > (1L << 30);
    }
    assertTrue(sawHighBit, "the whole 31-bit range is used");
  }

  @Test
  void theSolverSendsSeedsAServerReadingInt32Accepts() {
    List<Long> seeds = new ArrayList<>();
    ArithmeticModel inner = new ArithmeticModel(0.1, 0, 0);
    LanguageModel recording = new LanguageModel() {
      @Override
      public String name() {
        return "recording";
      }

      @Override
      public List<List<Completion>> complete(List<ChatRequest> requests, SamplingParams params) {
        seeds.add(params.seed().orElseThrow());
        return inner.complete(requests, params);
      }
    };
    LlmSolver solver = LlmSolver.builder(recording).maxRequestsPerCall(1).build();
    List<Problem> ps = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ps.add(Problem.of("Compute " + i + " + 1.", "", Integer.toString(i + 1)));
    }
    solver.solve(ps, 2, StageContext.of(new SplittableRandom(7)));
    assertFalse(seeds.isEmpty());
    for (long s : seeds) {
      assertTrue(s >= 0 && s <= Integer.MAX_VALUE, "seed " + s + " does not fit an int32");
    }
  }
}
