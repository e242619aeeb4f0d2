package dev.sparq.examples.cli;

import static dev.sparq.examples.cli.CliTestSupport.sparq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Text, positions and endpoints from someone else's run directory or seed file. */
class UntrustedRunDirectoryTest {
  private static final String HOSTILE = "\u001b]0;PWNED\u0007\u001b[2J\u202e\u2066\u0085x";

  @TempDir Path tmp;

  private Path demo(String name) {
    Path dir = tmp.resolve(name);
    CliTestSupport.Result r = sparq("demo", "-o", dir.toString(), "--iterations", "2", "--batch", "8",
        "--seeds", "40", "-k", "4", "--progress", "none");
    assertEquals(0, r.status(), r.err());
    return dir;
  }

  private static void editCheckpoint(Path dir, Consumer<ObjectNode> edit) throws IOException {
    Path f = dir.resolve("checkpoint.json");
    ObjectNode cp = (ObjectNode) Json.mapper().readTree(Files.readAllBytes(f));
    edit.accept(cp);
    Files.write(f, Json.mapper().writeValueAsBytes(cp));
  }

  private static void assertNoHiddenCharacters(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      assertFalse(c != '\n' && Terminal.hidden(c), "character U+" + Integer.toHexString(c) + " at " + i + " in " + s);
    }
  }

  @Test
  void onlyLocalhostAndLoopbackIpLiteralsCountAsThisMachine() throws IOException {
    for (String host : List.of("localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "127.255.255.255", "[::1]",
        "[0:0:0:0:0:0:0:1]", "[::0001]", "[::ffff:127.0.0.1]")) {
      assertTrue(SparqCli.isLoopback("http://" + host + ":18082/v1"), host);
    }
    for (String host : List.of("127.attacker.example", "127.0.0.1.nip.io", "localhost.attacker.example",
        "localhost.", "127.example", "0x7f.1", "0x7f.0.0.1", "127.1", "0177.0.0.1", "127.0.0.01", "127.0.0.256",
        "2130706433", "128.0.0.1", "10.0.0.1", "[::2]", "[::ffff:10.0.0.1]", "[::127.0.0.1]", "[1::1]",
        "[fe80::1%25eth0]", "[::1.example]", "attacker.example")) {
      assertFalse(SparqCli.isLoopback("http://" + host + ":18082/v1"), host);
    }
    assertFalse(SparqCli.isLoopback("not a url"));
    // end to end: a run.json naming 127.attacker.example (no key variable) is not resumed without -c
    Path cfg = tmp.resolve("foreign.yaml");
    Files.writeString(cfg, "backend: {type: openai, model: m, endpoints: [\"http://127.attacker.example:18082/v1\"]}\n"
        + "seeds: {format: jsonl, path: s.jsonl}\nbudget: {iterations: 2}\noutput: foreign\n");
    RunDirectory.create(RunConfig.load(cfg), false);
    RunDirectory d = RunDirectory.open(tmp.resolve("foreign"));
    DataException e = assertThrows(DataException.class, () -> SparqCli.Resume.credentials(d, null, false));
    assertEquals("config.backend", e.field().orElseThrow());
    assertTrue(e.getMessage().contains("127.attacker.example") && e.getMessage().contains("--trust-run-config"),
        e.getMessage());
  }

  @Test
  void inspectShowsControlAndBidiCharactersInLabelsEscaped() throws IOException {
    Path dir = demo("d");
    editCheckpoint(dir, cp -> {
      ArrayNode keys = (ArrayNode) cp.get("archive").get("tessellation").get("keys");
      for (int i = 0; i < keys.size(); i++) {
        keys.set(i, HOSTILE + keys.get(i).asText());
      }
      ObjectNode totals = (ObjectNode) cp.get("state").get("totals");
      ((ObjectNode) totals.get("rejections")).put("generate/\u001b[31mred", 1);
    });
    Files.writeString(dir.resolve("note\u001b[2J\u202e.txt"), "x");
    CliTestSupport.Result r = sparq("inspect", dir.toString());
    assertEquals(0, r.status(), r.err());
    assertNoHiddenCharacters(r.out());
    assertTrue(r.out().contains("\\u001B]0;PWNED\\u0007\\u001B[2J\\u202E\\u2066\\u0085x"), r.out());
    assertTrue(r.out().contains("generate/\\u001B[31mred=1"), r.out());
    assertTrue(r.out().contains("note\\u001B[2J\\u202E.txt"), r.out());
  }

  @Test
  void errorLinesShowControlCharactersFromTheInputEscaped() throws IOException {
    for (byte[] seeds : List.of("a\u001b]0;X\u0007\n".getBytes(StandardCharsets.UTF_8),
        new byte[] {'P', 'A', 'R', '1', 0, 1, 2, 3, '\r', 'x', '\n'})) {
      Path s = tmp.resolve("s.jsonl");
      Files.write(s, seeds);
      Path cfg = tmp.resolve("run.yaml");
      Files.writeString(cfg, "backend: {type: openai, model: m, endpoints: [\"http://127.0.0.1:9/v1\"]}\n"
          + "seeds: {format: jsonl, path: " + s + "}\nbudget: {iterations: 1}\noutput: " + tmp.resolve("out") + "\n");
      CliTestSupport.Result r = sparq("run", "-c", cfg.toString(), "--progress", "none");
      assertEquals(2, r.status(), r.err());
      assertTrue(r.err().startsWith("sparq: " + s + ":1: "), r.err());
      assertNoHiddenCharacters(r.err());
      // a token holding a control character is not quoted at all (StrictJson quotes only short
      // printable tokens)
      assertTrue(r.err().contains("Unrecognized token of " + (seeds[0] == 'a' ? 2 : 8)
          + " characters (not shown)"), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
    }
    // text that does reach an error line, here the name of the seed file, is shown escaped
    Path named = tmp.resolve("s\u001b[2J\u202e.jsonl");
    Files.writeString(named, "{\n");
    Path cfg = tmp.resolve("named.yaml");
    Files.writeString(cfg, "backend: {type: openai, model: m, endpoints: [\"http://127.0.0.1:9/v1\"]}\n"
        + "seeds: {format: jsonl, path: \"" + named.toString().replace("\u001b", "\\e").replace("\u202e", "\\u202E")
        + "\"}\nbudget: {iterations: 1}\noutput: " + tmp.resolve("out2") + "\n");
    CliTestSupport.Result r = sparq("run", "-c", cfg.toString(), "--progress", "none");
    assertEquals(2, r.status(), r.err());
    assertNoHiddenCharacters(r.err());
    assertTrue(r.err().contains("s\\u001B[2J\\u202E.jsonl"), r.err());
    assertEquals("a\\u001B[2J\\u202Eb\\u000A", Terminal.line("a\u001b[2J\u202eb\n"));
    assertEquals("x\n\\u000Dy\\u009B", Terminal.lines("x\n\ry\u009b"));
  }

  @Test
  void aCraftedLogPositionIsRefusedNamingTheFieldAndEveryShardIsKept() throws IOException {
    Path dir = demo("d");
    Path log = dir.resolve("log");
    // a shard after the checkpointed one, as a run that crashed after its checkpoint leaves it
    Files.copy(log.resolve("candidates-000000.jsonl"), log.resolve("candidates-000001.jsonl"));
    List<Consumer<ObjectNode>> edits = List.of(
        cp -> ((ObjectNode) cp.get("log")).put("offset", -5),
        cp -> ((ObjectNode) cp.get("log")).put("shard", -1),
        cp -> ((ObjectNode) cp.get("log")).put("records", -1),
        cp -> ((ObjectNode) cp.get("log")).put("shardRecords", -1),
        cp -> ((ObjectNode) cp.get("state").get("totals")).put("iterations", -2),
        cp -> ((ObjectNode) cp.get("log")).put("offset", 1L << 40));
    List<String> fields = java.util.Arrays.asList("log.offset", "log.shard", "log.records", "log.shardRecords",
        "state.totals.iterations", null);
    byte[] original = Files.readAllBytes(dir.resolve("checkpoint.json"));
    for (int i = 0; i < edits.size(); i++) {
      Files.write(dir.resolve("checkpoint.json"), original);
      editCheckpoint(dir, edits.get(i));
      List<byte[]> before = shards(log);
      CliTestSupport.Result r = sparq("resume", dir.toString(), "--iterations", "4", "--progress", "none");
      assertEquals(2, r.status(), r.err());
      if (fields.get(i) != null) {
        assertTrue(r.err().startsWith("sparq: " + dir.resolve("checkpoint.json") + ": field '" + fields.get(i) + "': "),
            r.err());
      } else {
        assertTrue(r.err().contains("records written before the checkpoint are missing"), r.err());
      }
      List<byte[]> after = shards(log);
      assertEquals(2, after.size(), "no shard deleted: " + r.err());
      for (int k = 0; k < before.size(); k++) {
        assertArrayEquals(before.get(k), after.get(k), "shard " + k + " unchanged: " + r.err());
      }
    }
  }

  @Test
  void anArchiveValueThatIsNotFiniteNamesTheCheckpointAndItsPath() throws IOException {
    Path dir = demo("d");
    Path f = dir.resolve("checkpoint.json");
    String json = Files.readString(f);
    int at = json.indexOf("\"quality\":", json.indexOf("\"members\":"));
    assertTrue(at > 0);
    int end = json.indexOf(',', at);
    Files.writeString(f, json.substring(0, at) + "\"quality\":1e999" + json.substring(end));
    CliTestSupport.Result r = sparq("inspect", dir.toString());
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().matches("(?s)sparq: " + java.util.regex.Pattern.quote(f.toString())
        + ": field 'archive\\.members\\[\\d+\\]\\.elite\\.difficulty': quality must be finite, was Infinity\\s*"),
        r.err());
    assertFalse(r.err().contains("Cannot construct") || r.err().contains("dev.sparq"), r.err());
  }

  private static List<byte[]> shards(Path log) throws IOException {
    List<byte[]> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(log)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith("candidates-")).sorted().toList()) {
        out.add(Files.readAllBytes(p));
      }
    }
    return out;
  }
}
