package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.model.AddStatus;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Lineage;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.model.Validity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class LogCodecProperties {
  @Provide
  Arbitrary<String> texts() {
    // any BMP text including quotes, backslashes, control characters and line breaks
    return Arbitraries.strings().all().ofMaxLength(40)
        .filter(s -> s.chars().noneMatch(ch -> Character.isSurrogate((char) ch)));
  }

  @Provide
  Arbitrary<List<String>> textLists() {
    return texts().list().ofMaxSize(5);
  }

  @Property(tries = 300)
  void everyCandidateRoundTripsOnOneLine(@ForAll("texts") String statement,
      @ForAll("texts") String solution, @ForAll("texts") String answer,
      @ForAll("textLists") List<String> rolloutTexts, @ForAll("textLists") List<String> labels,
      @ForAll double quality, @ForAll double measure, @ForAll long seq) throws IOException {
    if (!Double.isFinite(quality) || seq < 0) {
      return;
    }
    List<Rollout> rollouts = new ArrayList<>();
    for (int i = 0; i < rolloutTexts.size(); i++) {
      rollouts.add(new Rollout(rolloutTexts.get(i), i % 2 == 0 ? null : answer, i % 3 == 0, i));
    }
    int correct = (int) rollouts.stream().filter(Rollout::correct).count();
    Problem p = new Problem(null, statement, solution, answer,
        new Lineage(List.of("a", statement), "op " + answer, 3), Map.of("k", solution, "x\"y", "z"));
    EvaluatedCandidate c = new EvaluatedCandidate(7, p, rollouts,
        new Difficulty(correct, rollouts.size(), quality, Validity.DISPUTED),
        new Descriptor(new double[] {Double.isFinite(measure) ? measure : 0.5}, labels),
        AddStatus.IMPROVED, quality / 2);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LogCodec.write(seq, c, out);
    byte[] b = out.toByteArray();
    for (byte x : b) {
      assertTrue(x != '\n' && x != '\r', "a record is one line");
    }
    LoggedCandidate back = LogCodec.read(b, 0, b.length);
    assertEquals(seq, back.seq());
    assertEquals(c, back.candidate());
    LogCodec.Header head = LogCodec.peek(b, 0, b.length);
    assertEquals(seq, head.seq());
    assertEquals(quality, head.quality());
    // the summary the report reads skips the texts but gives the same scalar fields
    CandidateSummary sum = LogCodec.readSummary(b, 0, b.length);
    assertEquals(new CandidateSummary(seq, back.candidate().iteration(), back.candidate().difficulty(),
        back.candidate().status(), back.candidate().duplicate(), back.candidate().value(),
        back.candidate().problem().lineage().operator(), back.candidate().problem().lineage().generation()), sum);
  }
}
