package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.DataException;
import dev.sparq.core.model.AddStatus;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Validity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LogReader.RecordView#summary()}: the scalar fields of a record, its texts skipped. A record
 * that the full decode refuses is refused too, naming the shard and line, and the fields equal those
 * of the full decode whatever order and extra fields the record has.
 */
class CandidateSummaryTest {
  @TempDir Path tmp;

  private static final String RECORD = "{\"v\":1,\"seq\":%d,\"iteration\":2,\"id\":\"x\",\"quality\":0.25,"
      + "\"solve_rate\":0.75,\"correct\":3,\"num_rollouts\":4,\"validity\":\"VALID\",\"status\":\"NEW\","
      + "\"value\":0.25,\"skills\":[\"a\"],\"measures\":[0.5,null],\"operator\":\"mut\\u00e9\","
      + "\"generation\":1,\"parent_ids\":[\"p\"],\"problem\":\"What is \\\"2\\\"?\\n\",\"answer\":\"2\","
      + "\"solution\":\"s\",\"attributes\":\"{}\",\"rollouts\":[{\"text\":\"\\ud83d\\ude00 \\\\boxed{2}\","
      + "\"answer\":\"2\",\"correct\":true,\"tokens\":5},{\"text\":\"x\",\"answer\":null,\"correct\":false,"
      + "\"tokens\":1,\"extra\":{\"nested\":[1,{\"a\":\"b\"}]}}]}";

  @Test
  void theSummaryEqualsTheFullDecodeWhateverTheFieldOrder() throws IOException {
    // the texts before the scalars, as another writer might order them
    String reordered = "{\"rollouts\":[{\"text\":\"long\",\"correct\":true}],\"problem\":\"q\",\"operator\":\"op\","
        + "\"status\":\"IMPROVED\",\"duplicate\":true,\"quality\":0.5,\"num_rollouts\":1,\"correct\":1,"
        + "\"unknown\":{\"deep\":[[\"x\"]]},\"seq\":9,\"value\":null,\"generation\":4}";
    String withAttributes = String.format(java.util.Locale.ROOT, RECORD, 5).replace("\"attributes\":\"{}\"",
        "\"attributes\":\"{\\\"level\\\":\\\"Level 3\\\"}\"");
    for (String json : new String[] {String.format(java.util.Locale.ROOT, RECORD, 5), reordered, withAttributes}) {
      byte[] b = json.getBytes(StandardCharsets.UTF_8);
      CandidateSummary s;
      LoggedCandidate full;
      try {
        s = LogCodec.readSummary(b, 0, b.length);
        full = LogCodec.read(b, 0, b.length);
      } catch (IllegalArgumentException e) {
        // a null quality is refused by Difficulty in both decodes alike
        assertThrows(IllegalArgumentException.class, () -> LogCodec.read(b, 0, b.length));
        continue;
      }
      assertEquals(full.seq(), s.seq());
      assertEquals(full.candidate().iteration(), s.iteration());
      assertEquals(full.candidate().difficulty(), s.difficulty());
      assertEquals(full.candidate().status(), s.status());
      assertEquals(full.candidate().duplicate(), s.duplicate());
      assertEquals(Double.doubleToLongBits(full.candidate().value()), Double.doubleToLongBits(s.value()));
      assertEquals(full.candidate().problem().lineage().operator(), s.operator());
      assertEquals(full.candidate().problem().lineage().generation(), s.generation());
      if (json == withAttributes) {
        assertEquals(java.util.Map.of("level", "Level 3"), full.candidate().problem().attributes());
      }
    }
    byte[] b = String.format(java.util.Locale.ROOT, RECORD, 5).getBytes(StandardCharsets.UTF_8);
    assertEquals(new CandidateSummary(5, 2, new Difficulty(3, 4, 0.25, Validity.VALID), AddStatus.NEW, false,
        0.25, "mut\u00e9", 1), LogCodec.readSummary(b, 0, b.length));
  }

  @Test
  void aMalformedRecordIsRefusedNamingShardAndLine() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("log"));
    String good = String.format(java.util.Locale.ROOT, RECORD, 0);
    String[] bad = {
        // a rollout text cut short: the skipped string must still be tokenised
        good.replace("\\\\boxed{2}\",", "\\\\boxed{2},"),
        // an invalid escape inside a skipped text
        good.replace("\"x\",\"answer\":null", "\"\\q\",\"answer\":null"),
        // no problem
        good.replace("\"problem\":", "\"problemo\":"),
        // an unknown status
        good.replace("\"NEW\"", "\"NEWER\""),
        // trailing data
        good + " {}",
        // attributes whose JSON is cut short: the full decode parses it, so the summary must too
        good.replace("\"attributes\":\"{}\"", "\"attributes\":\"{\\\"level\\\":\""),
        // attributes that are not an object, or hold a null value
        good.replace("\"attributes\":\"{}\"", "\"attributes\":\"[1]\""),
        good.replace("\"attributes\":\"{}\"", "\"attributes\":\"{\\\"level\\\":null}\""),
        // an attribute value that is not a string, trailing data after the attributes' object
        good.replace("\"attributes\":\"{}\"", "\"attributes\":\"{\\\"level\\\":3}\""),
        good.replace("\"attributes\":\"{}\"", "\"attributes\":\"{} {}\""),
        // attributes as an object instead of a string holding one
        good.replace("\"attributes\":\"{}\"", "\"attributes\":{}"),
        // parent_ids that is not an array (the full decode looped past the record's end forever)
        good.replace("\"parent_ids\":[\"p\"]", "\"parent_ids\":\"p\""),
        // skills holding an object, a measure that is not a number
        good.replace("\"skills\":[\"a\"]", "\"skills\":[{\"a\":1}]"),
        good.replace("[0.5,null]", "[0.5,\"x\"]"),
        // a rollout with negative tokens, a rollout text that is an object, rollouts that are not objects
        good.replace("\"tokens\":5", "\"tokens\":-5"),
        good.replace("\"text\":\"x\"", "\"text\":{\"x\":1}"),
        good.replace("\"rollouts\":[{", "\"rollouts\":[1,{"),
        // the problem as an object
        good.replace("\"problem\":\"What is", "\"problem\":{\"a\":1},\"x\":\"What is"),
    };
    for (String line : bad) {
      Files.writeString(dir.resolve("candidates-000000.jsonl"), good + "\n" + good.replace("\"seq\":0",
          "\"seq\":1") + "\n" + line + "\n", StandardCharsets.UTF_8);
      try (LogReader log = LogReader.open(dir)) {
        assertEquals(0, log.nextView().summary().seq());
        assertEquals(1, log.nextView().summary().seq());
        LogReader.RecordView v = log.nextView();
        DataException e = assertThrows(DataException.class, v::summary, line);
        assertTrue(e.getMessage().contains(dir.resolve("candidates-000000.jsonl").toString()), e.getMessage());
        assertTrue(e.getMessage().contains(":3"), "names line 3: " + e.getMessage());
        assertTrue(e.getMessage().contains("not a valid candidate record"), e.getMessage());
      }
      // the full decode refuses it too
      try (LogReader log = LogReader.open(dir)) {
        log.next();
        log.next();
        assertThrows(DataException.class, log::next, line);
      }
    }
  }
}
