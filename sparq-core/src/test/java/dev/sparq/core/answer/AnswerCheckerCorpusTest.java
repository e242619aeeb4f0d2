package dev.sparq.core.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Runs the hand-written (gold, prediction, verdict) corpus in corpus.tsv. */
class AnswerCheckerCorpusTest {
  private record Case(int line, String gold, String prediction, boolean expected, String rule) {}

  private static List<Case> load() throws IOException {
    List<Case> cases = new ArrayList<>();
    try (InputStream in = AnswerCheckerCorpusTest.class.getResourceAsStream("corpus.tsv");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        String[] f = line.split("\t", -1);
        assertEquals(4, f.length, "corpus.tsv:" + n + ": expected 4 tab-separated fields");
        cases.add(new Case(n, f[0], f[1], f[2].equals("Y"), f[3]));
      }
    }
    return cases;
  }

  @Test
  void everyCorpusCaseGetsItsVerdict() throws IOException {
    AnswerChecker checker = AnswerChecker.standard();
    List<String> failures = new ArrayList<>();
    List<Case> cases = load();
    for (Case c : cases) {
      boolean got = checker.equivalent(c.gold(), c.prediction());
      if (got != c.expected()) {
        failures.add("corpus.tsv:" + c.line() + " [" + c.rule() + "] gold=" + c.gold()
            + " prediction=" + c.prediction() + " expected " + c.expected() + " got " + got);
      }
    }
    assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " wrong:\n"
        + String.join("\n", failures));
  }

  @Test
  void corpusIsLargeAndCoversEveryRuleBothWays() throws IOException {
    List<Case> cases = load();
    assertTrue(cases.size() >= 150, "corpus has only " + cases.size() + " cases");
    Map<String, boolean[]> seen = new TreeMap<>();
    for (Case c : cases) {
      boolean[] s = seen.computeIfAbsent(c.rule(), k -> new boolean[2]);
      s[c.expected() ? 0 : 1] = true;
    }
    // Malformed input is by definition a "no" rule.
    Set<String> noOnly = Set.of("malformed");
    for (Map.Entry<String, boolean[]> e : seen.entrySet()) {
      if (!noOnly.contains(e.getKey())) {
        assertTrue(e.getValue()[0] && e.getValue()[1], "rule " + e.getKey() + " not covered both ways");
      }
    }
  }
}
