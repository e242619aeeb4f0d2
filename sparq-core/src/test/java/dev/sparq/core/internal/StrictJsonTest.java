package dev.sparq.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class StrictJsonTest {
  @Test
  void problemsAreInPlainWordsWithoutJacksonsSourceOrNames() {
    // what Jackson says of a truncated file and of an over-long string, as users met it in
    // checkpoint.json and model folders: "[Source: REDACTED (`StreamReadFeature...` disabled);
    // line: 1, column: 1]" and "from `StreamReadConstraints.getMaxStringLength()`"
    ObjectMapper small = new ObjectMapper();
    small.getFactory().setStreamReadConstraints(
        StreamReadConstraints.builder().maxStringLength(10).build());
    for (String[] c : List.of(new String[] {"{\"a\": [1, 2", "line 1, column"},
        new String[] {"{\"a\": \"" + "x".repeat(50) + "\"}", "exceeds the maximum allowed (10)"})) {
      JsonProcessingException e = assertThrows(JsonProcessingException.class,
          () -> small.readTree(c[0]));
      String m = StrictJson.problem(e);
      assertTrue(m.contains(c[1]), m);
      for (String internal : List.of("Source:", "REDACTED", "StreamReadFeature",
          "StreamReadConstraints", "com.fasterxml", "\n")) {
        assertFalse(m.contains(internal), m);
      }
    }
    JsonProcessingException plain = assertThrows(JsonProcessingException.class,
        () -> small.readTree("{\"a\" 1}"));
    assertEquals(plain.getOriginalMessage().replaceAll("\\s+", " ").strip(),
        StrictJson.problem(plain), "a message without internals is kept as it is");
  }

  @Test
  void aLongUnrecognizedTokenIsNotQuoted() {
    ObjectMapper m = StrictJson.mapper();
    JsonProcessingException secret = assertThrows(JsonProcessingException.class,
        () -> m.readTree("hf_SECRETSECRETSECRETSECRET0123456789"));
    String p = StrictJson.problem(secret);
    assertFalse(p.contains("SECRET") || p.contains("hf_"), p);
    assertTrue(p.startsWith("Unrecognized token of 37 characters (not shown)"), p);
    JsonProcessingException typo = assertThrows(JsonProcessingException.class, () -> m.readTree("[tru]"));
    assertTrue(StrictJson.problem(typo).startsWith("Unrecognized token 'tru'"), StrictJson.problem(typo));
  }
}
