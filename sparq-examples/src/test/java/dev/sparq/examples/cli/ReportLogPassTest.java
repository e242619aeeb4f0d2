package dev.sparq.examples.cli;

import static dev.sparq.examples.cli.CliTestSupport.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Rollout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report reads only the scalar fields of the candidate log (no rollout text is decoded): its
 * output is the same, byte for byte, as when every record is decoded in full, and a corrupt record
 * still names its shard and line.
 */
class ReportLogPassTest {
  @TempDir Path tmp;

  @Test
  void theReportIsTheSameAsWithEveryRecordDecodedInFull() throws IOException {
    Path root = CliTestSupport.smallDemo(tmp.resolve("run"));
    RunDirectory dir = RunDirectory.open(root);
    RunDirectory.SavedCheckpoint cp = dir.readCheckpoint().orElseThrow();
    // the fixture has what the lean pass skips: rollout texts, and more than one operator
    List<EvaluatedCandidate> all = new ArrayList<>();
    dir.forEachCandidate(cp, all::add);
    assertTrue(all.size() > 10, "records: " + all.size());
    assertTrue(all.stream().flatMap(c -> c.rollouts().stream()).map(Rollout::text).anyMatch(t -> t.length() > 20),
        "the log holds rollout texts");
    assertTrue(all.stream().map(c -> c.problem().lineage().operator()).distinct().count() > 1, "operators");
    assertTrue(all.stream().filter(c -> c.difficulty().measured()).map(c -> c.difficulty().solveRate())
        .distinct().count() > 1, "solve rates for more than one bin");

    String full = HtmlReport.html(dir, cp, true);
    String lean = HtmlReport.html(dir, cp, false);
    assertEquals(full, lean);
    // and the command writes exactly that
    assertEquals(0, sparq("report", root.toString(), "-o", tmp.resolve("r.html").toString()).status());
    assertEquals(lean, Files.readString(tmp.resolve("r.html"), StandardCharsets.UTF_8));
    assertTrue(lean.contains("\"solveRates\":[") && lean.contains("\"operators\":{"), "the log's data is in it");
  }

  @Test
  void aCorruptRecordIsNamedByShardAndLine() throws IOException {
    // a rollout text whose closing quote was lost, inside the part the report skips
    corruptLineThree("rollout", l -> l.replaceFirst("\"text\":\"", "\"text\":\"\\\\q"));
    // attributes whose JSON (a string inside the record) is cut short: the full decode parses it
    corruptLineThree("attributes", l -> l.replaceFirst("\"attributes\":\"(?:[^\"\\\\]|\\\\.)*\"",
        "\"attributes\":\"{\\\\\"level\\\\\":\""));
  }

  private void corruptLineThree(String name, java.util.function.UnaryOperator<String> damage) throws IOException {
    Path root = CliTestSupport.smallDemo(tmp.resolve(name));
    Path shard;
    try (Stream<Path> s = Files.list(root.resolve(RunDirectory.LOG))) {
      shard = s.filter(p -> p.getFileName().toString().startsWith("candidates-")).sorted().findFirst().orElseThrow();
    }
    List<String> lines = new ArrayList<>(Files.readAllLines(shard, StandardCharsets.UTF_8));
    String bad = damage.apply(lines.get(2));
    assertFalse(bad.equals(lines.get(2)), name + ": the record was changed");
    lines.set(2, bad);
    Files.write(shard, lines, StandardCharsets.UTF_8);
    Path html = tmp.resolve(name + ".html");
    CliTestSupport.Result r = sparq("report", root.toString(), "-o", html.toString());
    assertEquals(2, r.status(), name + ": " + r.out() + r.err());
    assertTrue(r.err().contains(shard + ":3"), name + ": names the shard and line: " + r.err());
    assertTrue(r.err().contains("not a valid candidate record"), r.err());
    assertFalse(Files.exists(html), name + ": no report from a corrupt log");
  }

  @Test
  void aLogCutShortIsNamedNotReportedAsAShorterRun() throws IOException {
    Path root = CliTestSupport.smallDemo(tmp.resolve("run"));
    Path shard;
    try (Stream<Path> s = Files.list(root.resolve(RunDirectory.LOG))) {
      shard = s.filter(p -> p.getFileName().toString().startsWith("candidates-")).sorted().findFirst().orElseThrow();
    }
    // a copy of the run directory that stopped early: the shard ends inside its 6th record
    List<String> lines = Files.readAllLines(shard, StandardCharsets.UTF_8);
    String cut = String.join("\n", lines.subList(0, 5)) + "\n" + lines.get(5).substring(0, 40);
    Files.writeString(shard, cut, StandardCharsets.UTF_8);
    CliTestSupport.Result r = sparq("report", root.toString(), "-o", tmp.resolve("r.html").toString());
    assertEquals(2, r.status(), r.out() + r.err());
    assertTrue(r.err().contains(shard + ":6: the candidate log ends after 5 records but the checkpoint counts "),
        r.err());
    assertTrue(r.err().contains("the shard is cut short here"), r.err());
    assertFalse(Files.exists(tmp.resolve("r.html")), "no report of part of the run");

    // sparq export reads the same log: it used to export the 5 records silently
    Path out = tmp.resolve("export");
    CliTestSupport.Result e = sparq("export", root.toString(), "-o", out.toString());
    assertEquals(2, e.status(), e.out() + e.err());
    assertTrue(e.err().contains(shard + ":6: the candidate log ends after 5 records"), e.err());
    assertFalse(Files.exists(out.resolve("sparq.jsonl")), "no export of part of the run");
  }

  @Test
  void aRunDirectoryWithoutItsLogFolderIsNamedNotReportedAsEmpty() throws IOException {
    Path root = CliTestSupport.smallDemo(tmp.resolve("run"));
    Path log = root.resolve(RunDirectory.LOG);
    try (Stream<Path> s = Files.walk(log)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    CliTestSupport.Result r = sparq("report", root.toString(), "-o", tmp.resolve("r.html").toString());
    assertEquals(2, r.status(), r.out() + r.err());
    assertTrue(r.err().contains(log + ": the checkpoint counts ") && r.err().contains("has no log folder"), r.err());
    assertFalse(Files.exists(tmp.resolve("r.html")), "no report of an empty log");
  }
}
