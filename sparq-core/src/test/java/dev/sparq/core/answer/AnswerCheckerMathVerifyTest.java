package dev.sparq.core.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs the final-answer test cases of Math-Verify (Hugging Face's math answer verifier, ported as
 * data in math-verify-cases.jsonl) through {@link AnswerChecker#verify}. Every case either gets
 * Math-Verify's verdict or is listed, with its reason, in the policy-difference table of
 * src-docs/pipeline.md; the table is read here, so the documentation and the checker cannot drift.
 */
class AnswerCheckerMathVerifyTest {
  /** A ported case: where it came from, the two texts and Math-Verify's verdict. */
  record Case(String id, String test, String gold, String pred, boolean expected) {}

  private static final Pattern TABLE_ROW = Pattern.compile("^\\|\\s*`?(test_[a-z_]+\\.py:\\d+(?:#\\d+)?)`?\\s*\\|(.*)\\|\\s*$");

  static List<Case> cases() throws IOException {
    // the same JSON Lines layout as the other ported suites
    return AnswerCheckerPeerSuitesTest.cases("math-verify", "math-verify-cases.jsonl").stream()
        .map(c -> new Case(c.id(), c.test(), c.gold(), c.pred(), c.expected())).toList();
  }


  /** The case ids of the policy-difference table in src-docs/pipeline.md, with their rows. */
  static Map<String, String> documentedDifferences() throws IOException {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("src-docs/pipeline.md"))) {
      p = p.getParent();
    }
    assertNotNull(p, "src-docs/pipeline.md not found above " + Path.of("").toAbsolutePath());
    Map<String, String> rows = new LinkedHashMap<>();
    boolean inSection = false;
    for (String line : Files.readAllLines(p.resolve("src-docs/pipeline.md"))) {
      if (line.startsWith("#")) {
        inSection = line.contains("Math-Verify policy differences");
        continue;
      }
      Matcher m = TABLE_ROW.matcher(line);
      if (inSection && m.matches()) {
        assertFalse(rows.containsKey(m.group(1)), "pipeline.md lists " + m.group(1) + " twice");
        rows.put(m.group(1), m.group(2));
      }
    }
    return rows;
  }

  @Test
  void everyCaseAgreesWithMathVerifyOrIsADocumentedPolicyDifference() throws IOException {
    AnswerChecker checker = AnswerChecker.standard();
    List<Case> cases = cases();
    Map<String, String> documented = documentedDifferences();
    List<String> undocumented = new ArrayList<>();
    TreeSet<String> disagreeing = new TreeSet<>();
    for (Case c : cases) {
      boolean got = checker.verify(c.gold(), c.pred()).isEquivalent();
      if (got != c.expected()) {
        disagreeing.add(c.id());
        if (!documented.containsKey(c.id())) {
          undocumented.add(c.id() + " (" + c.test() + ") Math-Verify says " + c.expected()
              + ", SPARQ says " + got + "\n  gold=" + abbreviate(c.gold()) + "\n  pred=" + abbreviate(c.pred()));
        }
      }
    }
    assertTrue(undocumented.isEmpty(), undocumented.size()
        + " disagreements are not in the policy-difference table of src-docs/pipeline.md:\n"
        + String.join("\n", undocumented));
    TreeSet<String> stale = new TreeSet<>(documented.keySet());
    stale.removeAll(disagreeing);
    assertTrue(stale.isEmpty(), "pipeline.md lists cases that now agree with Math-Verify: " + stale);
    double agreement = 1.0 - (double) disagreeing.size() / cases.size();
    assertTrue(agreement >= 0.95, "agreement with Math-Verify " + agreement + " is below 95%");
  }

  @Test
  void theCorpusIsTheWholePortedSuite() throws IOException {
    List<Case> cases = cases();
    assertEquals(269, cases.size(), "ported cases");
    assertEquals(cases.size(), cases.stream().map(Case::id).distinct().count(), "ids are unique");
    // Both verdicts are represented, so agreement cannot come from always answering one way.
    long yes = cases.stream().filter(Case::expected).count();
    assertTrue(yes > 150 && cases.size() - yes > 30, yes + " equivalent cases of " + cases.size());
  }

  @Test
  void verifyIsDeterministicAndIndependentOfTheInstance() throws IOException {
    List<Case> cases = cases();
    AnswerChecker a = AnswerChecker.standard();
    AnswerChecker b = AnswerChecker.builder().build();
    for (Case c : cases) {
      AnswerChecker.Verdict first = a.verify(c.gold(), c.pred());
      assertEquals(first, a.verify(c.gold(), c.pred()), c.id());
      assertEquals(first, b.verify(c.gold(), c.pred()), c.id());
    }
  }

  private static String abbreviate(String s) {
    String t = s.replace("\n", "\\n");
    return t.length() <= 240 ? t : t.substring(0, 100) + " ... " + t.substring(t.length() - 120);
  }
}
