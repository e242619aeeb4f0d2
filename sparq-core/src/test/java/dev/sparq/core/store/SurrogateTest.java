package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparq.core.model.AddStatus;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SurrogateTest {
  @Test
  void loneSurrogatesInModelTextAreReplacedNotFatal() throws IOException {
    EvaluatedCandidate c = new EvaluatedCandidate(0, Problem.of("x \uD83D\uDE00 y", "", "1"),
        List.of(Rollout.of("cut emoji \uD83D", "1", true), Rollout.of("\uDE00 low first", null, false)),
        Difficulty.ofQuality(0.5), Descriptor.ofLabels("a"), AddStatus.NEW, 0.5);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LogCodec.write(0, c, out);
    byte[] b = out.toByteArray();
    EvaluatedCandidate back = LogCodec.read(b, 0, b.length).candidate();
    assertEquals("x \uD83D\uDE00 y", back.problem().statement(), "valid pairs are kept");
    assertEquals("cut emoji \uFFFD", back.rollouts().get(0).text());
    assertEquals("\uFFFD low first", back.rollouts().get(1).text());
  }
}
