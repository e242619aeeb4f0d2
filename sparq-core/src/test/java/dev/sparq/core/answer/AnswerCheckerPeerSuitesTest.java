package dev.sparq.core.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the answer-checking test cases of three more public checkers through
 * {@link AnswerChecker#verify}: lighteval's extractive-match tests (whole model completions, MIT),
 * NeMo-Skills' math_equal tests (Apache-2.0) and the MATH dataset's is_equiv tests (MIT). The cases
 * were ported as data by peer-suites-port.py; sources and licences are in peer-suites-NOTICE.txt.
 *
 * <p>Every case must get the peer's verdict, unless it is listed with its reason in
 * peer-suites-disagreements.tsv; a listed case must still disagree, so the list cannot go stale, and
 * the list must match the table in src-docs/pipeline.md ("Peer-suite disagreements").
 */
class AnswerCheckerPeerSuitesTest {
  /** A ported case: suite, id within the suite, test function, the two texts and the peer's verdict. */
  record Case(String suite, String id, String test, String gold, String pred, boolean expected) {
    String key() {
      return suite + ":" + id;
    }

    @Override
    public String toString() {
      return key() + " " + test;
    }
  }

  /** Suite name, resource file and the number of cases it must hold. */
  private static final Object[][] SUITES = {
    {"lighteval", "lighteval-cases.jsonl", 233},
    {"nemo-skills", "nemo-skills-cases.jsonl", 58},
    {"hendrycks-math", "hendrycks-math-cases.jsonl", 16},
  };

  private static final AnswerChecker CHECKER = AnswerChecker.standard();

  /**
   * The data lines of a test resource of this folder, keyed by line number: blank lines and
   * {@code #} comments left out.
   */
  static Map<Integer, String> dataLines(String resource) throws IOException {
    Map<Integer, String> out = new LinkedHashMap<>();
    try (InputStream in = AnswerCheckerPeerSuitesTest.class.getResourceAsStream(resource)) {
      assertNotNull(in, resource + " is missing from the test resources");
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (!line.isBlank() && !line.startsWith("#")) {
          out.put(n, line);
        }
      }
    }
    return out;
  }

  static List<Case> cases(String suite, String resource) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<Case> out = new ArrayList<>();
    for (Map.Entry<Integer, String> l : dataLines(resource).entrySet()) {
      JsonNode j = json.readTree(l.getValue());
      for (String field : new String[] {"id", "test", "gold", "pred", "expected"}) {
        assertTrue(j.hasNonNull(field), resource + ":" + l.getKey() + ": field " + field + " missing");
      }
      out.add(new Case(suite, j.get("id").asText(), j.get("test").asText(), j.get("gold").asText(),
          j.get("pred").asText(), j.get("expected").asBoolean()));
    }
    return out;
  }

  static List<Case> allCases() throws IOException {
    List<Case> all = new ArrayList<>();
    for (Object[] s : SUITES) {
      all.addAll(cases((String) s[0], (String) s[1]));
    }
    return all;
  }

  /** The known disagreements: case key (suite:id) to the one-line reason. */
  static Map<String, String> knownDisagreements() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<Integer, String> l : dataLines("peer-suites-disagreements.tsv").entrySet()) {
      String where = "peer-suites-disagreements.tsv:" + l.getKey();
      String[] cols = l.getValue().split("\t", -1);
      assertEquals(2, cols.length, where + ": want 'suite:id<TAB>reason'");
      assertFalse(cols[1].isBlank(), where + ": the reason is empty");
      assertFalse(out.containsKey(cols[0]), where + ": " + cols[0] + " twice");
      out.put(cols[0], cols[1]);
    }
    return out;
  }

  static Stream<Arguments> everyCase() throws IOException {
    Map<String, String> known = knownDisagreements();
    return allCases().stream().map(c -> Arguments.of(c, known.get(c.key())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyCase")
  void agreesWithThePeerOrIsAKnownDisagreement(Case c, String knownReason) {
    boolean got = CHECKER.verify(c.gold(), c.pred()).isEquivalent();
    String detail = "\n  gold=" + abbreviate(c.gold()) + "\n  pred=" + abbreviate(c.pred());
    if (knownReason == null) {
      assertEquals(c.expected(), got, c.key() + ": the peer says " + c.expected() + ", SPARQ says " + got
          + detail + "\n(fix the checker, or list the case with a reason in peer-suites-disagreements.tsv)");
    } else {
      assertNotEquals(c.expected(), got, c.key() + " is listed as a known disagreement (" + knownReason
          + ") but SPARQ now agrees with the peer; remove it from peer-suites-disagreements.tsv" + detail);
    }
  }

  @Test
  void theCaseFilesAreTheWholePortedSuites() throws IOException {
    for (Object[] s : SUITES) {
      List<Case> cases = cases((String) s[0], (String) s[1]);
      assertEquals((int) s[2], cases.size(), s[0] + " cases");
      assertEquals(cases.size(), cases.stream().map(Case::id).distinct().count(), s[0] + " ids are unique");
      // Both verdicts are represented, so agreement cannot come from always answering one way.
      long yes = cases.stream().filter(Case::expected).count();
      assertTrue(yes > 0 && yes < cases.size(), s[0] + ": " + yes + " equivalent of " + cases.size());
    }
  }

  @Test
  void knownDisagreementsNameRealCasesAndStayAFewPercent() throws IOException {
    Map<String, String> known = knownDisagreements();
    List<Case> all = allCases();
    Set<String> keys = new TreeSet<>();
    all.forEach(c -> keys.add(c.key()));
    TreeSet<String> unknown = new TreeSet<>(known.keySet());
    unknown.removeAll(keys);
    assertTrue(unknown.isEmpty(), "peer-suites-disagreements.tsv names cases that do not exist: " + unknown);
    // 14 of them are lighteval's multiple-choice cases, one policy; the rest must stay rare.
    assertTrue(known.size() <= 0.10 * all.size(),
        known.size() + " known disagreements of " + all.size() + " cases is more than 10%");
  }

  /**
   * A table row whose first cell names one or more cases, each as `suite:file:line`, or as `:line`
   * for another line of the file named before it in the same cell.
   */
  private static final Pattern TABLE_ROW = Pattern.compile("^\\|([^|]*)\\|.*\\|\\s*$");
  private static final Pattern CASE_KEY = Pattern.compile("`([a-z-]+:[^`:]+:[^`]+|:[^`:]+)`");

  @Test
  void theDocumentationListsExactlyTheKnownDisagreements() throws IOException {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("src-docs/pipeline.md"))) {
      p = p.getParent();
    }
    assertNotNull(p, "src-docs/pipeline.md not found above " + Path.of("").toAbsolutePath());
    TreeSet<String> documented = new TreeSet<>();
    boolean inSection = false;
    for (String line : Files.readAllLines(p.resolve("src-docs/pipeline.md"))) {
      if (line.startsWith("#")) {
        inSection = line.contains("Peer-suite disagreements");
        continue;
      }
      Matcher m = TABLE_ROW.matcher(line);
      if (inSection && m.matches()) {
        Matcher k = CASE_KEY.matcher(m.group(1));
        String file = null;
        while (k.find()) {
          String key = k.group(1);
          if (key.startsWith(":")) {
            assertNotNull(file, "pipeline.md: " + key + " does not follow a full suite:file:line");
            key = file + key;
          } else {
            file = key.substring(0, key.lastIndexOf(':'));
          }
          assertTrue(documented.add(key), "pipeline.md lists " + key + " twice");
        }
      }
    }
    assertEquals(new TreeSet<>(knownDisagreements().keySet()), documented,
        "the 'Peer-suite disagreements' table of src-docs/pipeline.md and peer-suites-disagreements.tsv differ");
  }

  private static String abbreviate(String s) {
    String t = s.replace("\n", "\\n");
    return t.length() <= 240 ? t : t.substring(0, 100) + " ... " + t.substring(t.length() - 120);
  }
}
