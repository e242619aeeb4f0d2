package dev.sparq.examples.cli;

import static dev.sparq.examples.cli.CliTestSupport.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.ConfigException;
import dev.sparq.core.internal.IoMessages;
import dev.sparq.core.internal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run directories and inputs as a careless user (or a hostile one) would use them. */
class RunDirectorySafetyTest {
  @TempDir Path tmp;

  private Path demo(String name, int iterations) {
    Path dir = tmp.resolve(name);
    CliTestSupport.Result r = sparq("demo", "-o", dir.toString(), "--iterations", String.valueOf(iterations),
        "--batch", "8", "--seeds", "40", "-k", "4", "--progress", "none");
    assertEquals(0, r.status(), r.err());
    return dir;
  }

  @Test
  void aSecondProcessOnALockedRunDirectoryFailsNamingTheHolder() throws IOException {
    Path dir = demo("d", 2);
    String metrics = Files.readString(dir.resolve("metrics.jsonl"));
    try (RunLock held = RunLock.acquire(dir)) {
      CliTestSupport.Result r = sparq("resume", dir.toString(), "--iterations", "4", "--progress", "none");
      assertEquals(2, r.status(), r.out());
      assertTrue(r.err().contains("in use by another sparq process"), r.err());
      assertTrue(r.err().contains("pid " + ProcessHandle.current().pid()), r.err());
      assertEquals(metrics, Files.readString(dir.resolve("metrics.jsonl")), "nothing was appended");
      CliTestSupport.Result demo = sparq("demo", "-o", dir.toString(), "--iterations", "1", "--progress", "none");
      assertEquals(2, demo.status());
      assertTrue(Files.exists(dir.resolve("checkpoint.json")), "a locked run is never deleted");
    }
    CliTestSupport.Result after = sparq("resume", dir.toString(), "--iterations", "4", "--progress", "none");
    assertEquals(0, after.status(), after.err());
    assertEquals(4, RunDirectory.open(dir).metrics().size());
  }

  @Test
  void fileSystemCausesAreKeptInTheMessage() throws IOException {
    Path dir = demo("d", 1);
    // report.html is a (non-empty) directory: the write fails and says why
    Files.delete(dir.resolve("report.html"));
    Files.createDirectories(dir.resolve("report.html/x"));
    CliTestSupport.Result r = sparq("report", dir.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("report.html") && r.err().toLowerCase().contains("is a directory"), r.err());
    // the JDK reports ENOSPC as a FileSystemException with the C library's reason
    String full = IoMessages.describe(new UncheckedIOException("cannot append to " + dir.resolve("log"),
        new FileSystemException(dir.resolve("log/candidates-000000.jsonl").toString(), null,
            "No space left on device")));
    assertTrue(full.contains("no space left on device (the disk is full"), full);
    assertTrue(full.startsWith("cannot append to " + dir.resolve("log")), full);
    String missing = IoMessages.describe(new UncheckedIOException("cannot read x",
        new NoSuchFileException(dir.resolve("gone").toString())));
    assertEquals("cannot read x: " + dir.resolve("gone") + ": no such file or directory", missing);
  }

  @Test
  void temporaryFilesOfAKilledRunAreRemovedByTheNextResume() throws IOException {
    // a SIGKILL while run.json, metrics.jsonl or the checkpoint was being replaced leaves its
    // temporary copy (seen: a 0-byte .run.json.<pid>.<hex>.tmp after killing 'sparq run')
    Path dir = demo("d", 1);
    List<Path> stale = List.of(dir.resolve(".run.json.31337.1a2b3c.tmp"),
        dir.resolve(".metrics.jsonl.31337.1a2b3c.tmp"), dir.resolve(".checkpoint.json.31337.1a2b3c.tmp"));
    for (Path p : stale) {
      Files.writeString(p, "{\"half");
    }
    // sparq report does not take run.lock: a report being written by another process is not ours
    Path report = dir.resolve(".report.html.31337.1a2b3c.tmp");
    Files.writeString(report, "<html");
    CliTestSupport.Result r = sparq("resume", dir.toString(), "--iterations", "2", "--progress", "none", "--no-report");
    assertEquals(0, r.status(), r.err());
    for (Path p : stale) {
      assertFalse(Files.exists(p), p + " is removed");
    }
    assertTrue(Files.exists(report));
  }

  @Test
  void aTornLastMetricsLineIsSkippedAndRemovedOnResume() throws IOException {
    Path dir = demo("d", 2);
    Files.writeString(dir.resolve("metrics.jsonl"), "{\"iteration\":2,\"archi", java.nio.file.StandardOpenOption.APPEND);
    CliTestSupport.Result report = sparq("report", dir.toString());
    assertEquals(0, report.status(), report.err());
    assertEquals(2, RunDirectory.open(dir).metrics().size());
    CliTestSupport.Result r = sparq("resume", dir.toString(), "--iterations", "3", "--progress", "none");
    assertEquals(0, r.status(), r.err());
    List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
    assertEquals(3, lines.size(), lines.toString());
    for (String l : lines) {
      assertTrue(Json.mapper().readTree(l).has("iteration"), l);
    }
    // a broken line in the middle is not a torn tail: an error naming file and line
    Files.writeString(dir.resolve("metrics.jsonl"), lines.get(0) + "\n{oops\n" + lines.get(2) + "\n");
    CliTestSupport.Result bad = sparq("report", dir.toString());
    assertEquals(2, bad.status());
    assertTrue(bad.err().contains(dir.resolve("metrics.jsonl") + ":2: not a metrics record"), bad.err());
  }

  @Test
  void aRunKilledBeforeItsFirstCheckpointSaysToUseForce() throws IOException {
    Path cfg = tmp.resolve("c.yaml");
    Files.writeString(cfg, "backend: {type: demo}\nbudget: {iterations: 2}\noutput: run\nbatchSize: 8\nk: 4\n");
    RunDirectory.create(RunConfig.load(cfg), false); // what a kill before the first checkpoint leaves
    CliTestSupport.Result resume = sparq("resume", tmp.resolve("run").toString());
    assertEquals(2, resume.status());
    assertTrue(resume.err().contains("before its first checkpoint") && resume.err().contains("--force"), resume.err());
    CliTestSupport.Result run = sparq("run", "-c", cfg.toString(), "--progress", "none");
    assertEquals(2, run.status());
    assertTrue(run.err().contains("before its first checkpoint") && run.err().contains("--force"), run.err());
    assertEquals(0, sparq("run", "-c", cfg.toString(), "--progress", "none", "--force").status());
  }

  @Test
  void demoAndForceDeleteOnlyOurOwnRunDirectories() throws IOException {
    Path dir = demo("d", 1);
    // a model run: demo must not delete it
    Path manifest = dir.resolve("run.json");
    Files.writeString(manifest, Files.readString(manifest).replace("\"simulatedStudent\" : true",
        "\"simulatedStudent\" : false"));
    CliTestSupport.Result r = sparq("demo", "-o", dir.toString(), "--iterations", "1", "--progress", "none");
    assertEquals(2, r.status());
    assertTrue(r.err().contains(manifest + ": field 'simulatedStudent'"), r.err());
    assertTrue(Files.exists(dir.resolve("checkpoint.json")));
    // a directory whose run.json is someone else's file: --force refuses, naming the file
    Path other = Files.createDirectories(tmp.resolve("other"));
    Files.writeString(other.resolve("run.json"), "{\"name\": \"my build\"}");
    Files.writeString(other.resolve("precious.txt"), "keep me");
    Path cfg = tmp.resolve("c.yaml");
    Files.writeString(cfg, "backend: {type: demo}\nbudget: {iterations: 1}\noutput: other\nbatchSize: 8\nk: 4\n");
    CliTestSupport.Result force = sparq("run", "-c", cfg.toString(), "--force", "--progress", "none");
    assertEquals(2, force.status());
    assertTrue(force.err().contains(other.resolve("run.json") + ": field 'format'"), force.err());
    assertEquals("keep me", Files.readString(other.resolve("precious.txt")));
  }

  @Test
  void noSubcommandIsAUsageError() {
    CliTestSupport.Result r = sparq();
    assertEquals(2, r.status());
    assertTrue(r.err().contains("Usage: sparq"), r.err());
  }

  @Test
  void aSecondExportIntoTheSameFolderIsRefusedAndDefaultsDoNotCollide() throws IOException {
    Path dir = demo("d", 2);
    assertEquals(0, sparq("export", dir.toString(), "--format", "alpaca").status());
    assertTrue(Files.exists(dir.resolve("export/alpaca/stats.json")));
    assertTrue(Files.exists(dir.resolve("export/messages/stats.json")), "the demo's export is untouched");
    Path shared = tmp.resolve("shared");
    assertEquals(0, sparq("export", dir.toString(), "-o", shared.toString(), "--name", "a").status());
    byte[] stats = Files.readAllBytes(shared.resolve("stats.json"));
    CliTestSupport.Result second = sparq("export", dir.toString(), "-o", shared.toString(), "--name", "b",
        "--format", "alpaca");
    assertEquals(2, second.status());
    assertTrue(second.err().contains(shared.resolve("stats.json") + ": this folder already holds the export [a.jsonl] ('messages')"),
        second.err());
    assertEquals(new String(stats, StandardCharsets.UTF_8), Files.readString(shared.resolve("stats.json")));
    assertFalse(Files.exists(shared.resolve("b.jsonl")));
    // the same name again replaces the export as a whole
    assertEquals(0, sparq("export", dir.toString(), "-o", shared.toString(), "--name", "a").status());
    // the same file name in another row format, or the same name as Parquet, is another export too
    // (both used to pass: alpaca rows silently replaced the messages ones, and a Parquet file was
    // left beside the new JSON Lines file with stats.json describing only the latter)
    CliTestSupport.Result format = sparq("export", dir.toString(), "-o", shared.toString(), "--name", "a",
        "--format", "alpaca");
    assertEquals(2, format.status());
    assertTrue(format.err().contains("this folder already holds a 'messages' export; exporting 'alpaca'"),
        format.err());
    CliTestSupport.Result parquet = sparq("export", dir.toString(), "-o", shared.toString(), "--name", "a",
        "--file-format", "parquet");
    assertEquals(2, parquet.status());
    assertTrue(parquet.err().contains("already holds the export [a.jsonl] ('messages'); exporting 'messages'"
        + " as 'a.parquet'"), parquet.err());
    assertFalse(Files.exists(shared.resolve("a.parquet")));
    assertEquals(new String(stats, StandardCharsets.UTF_8), Files.readString(shared.resolve("stats.json")));
  }

  @Test
  void writesIntoARunDirectoryNeverFollowASymlink() throws IOException {
    Path dir = demo("d", 1);
    Path outside = tmp.resolve("outside.txt");
    Files.writeString(outside, "not yours");
    Files.delete(dir.resolve("report.html"));
    Files.createSymbolicLink(dir.resolve("report.html"), outside);
    CliTestSupport.Result r = sparq("report", dir.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("symbolic link"), r.err());
    assertEquals("not yours", Files.readString(outside));
    // metrics.jsonl as a link: appending refuses (O_NOFOLLOW), the target is unchanged
    Files.delete(dir.resolve("metrics.jsonl"));
    Files.createSymbolicLink(dir.resolve("metrics.jsonl"), outside);
    RunDirectory d = RunDirectory.open(dir);
    assertThrows(UncheckedIOException.class, () -> d.appendMetrics(null));
    assertEquals("not yours", Files.readString(outside));
  }

  @Test
  void resumeNeverSendsTheUsersSecretToAnEndpointNamedByTheRunDirectory() throws IOException {
    Path cfg = tmp.resolve("foreign.yaml");
    Files.writeString(cfg, "backend: {type: openai, model: m, endpoints: [\"https://collector.example/v1\"], "
        + "apiKeyEnv: AWS_SECRET_ACCESS_KEY}\nseeds: {format: jsonl, path: s.jsonl}\nbudget: {iterations: 2}\n"
        + "output: foreign\n");
    RunDirectory.create(RunConfig.load(cfg), false);
    CliTestSupport.Result r = sparq("resume", tmp.resolve("foreign").toString(), "--progress", "none");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("field 'config.backend'") && r.err().contains("AWS_SECRET_ACCESS_KEY")
        && r.err().contains("--trust-run-config") && r.err().contains("-c YOUR.yaml"), r.err());
    // with the user's own configuration its endpoints and key variable are used instead
    Path mine = tmp.resolve("mine.yaml");
    Files.writeString(mine, "backend: {type: openai, model: m, endpoints: [\"http://127.0.0.1:9/v1\"]}\n"
        + "seeds: {format: jsonl, path: s.jsonl}\nbudget: {iterations: 2}\noutput: x\n");
    RunDirectory d = RunDirectory.open(tmp.resolve("foreign"));
    RunConfig.Backend.OpenAi b = (RunConfig.Backend.OpenAi) SparqCli.Resume.credentials(d, mine, false);
    assertEquals(List.of("http://127.0.0.1:9/v1"), b.endpoints().stream().map(RunConfig.EndpointConfig::url).toList());
    assertEquals("", b.apiKeyEnv());
    assertEquals(List.of("https://collector.example/v1"), ((RunConfig.Backend.OpenAi) SparqCli.Resume
        .credentials(d, null, true)).endpoints().stream().map(RunConfig.EndpointConfig::url).toList());
    assertTrue(Files.readString(d.file("run.json")).contains("collector.example"), "run.json is not rewritten");
  }

  @Test
  void configFilesKeepLineAndColumnAndRefuseRepeatedKeysAndHugeFiles() throws IOException {
    Path dup = tmp.resolve("dup.yaml");
    Files.writeString(dup, "backend: {type: demo}\nk: 4\nbudget: {iterations: 1}\noutput: o\nk: 8\n");
    String m = assertThrows(ConfigException.class, () -> RunConfig.load(dup)).getMessage();
    assertTrue(m.startsWith(dup + ":5:") && m.contains("key 'k' appears twice"), m);
    Path bad = tmp.resolve("bad.yaml");
    Files.writeString(bad, "backend: {type: demo}\nbudget: [iterations: 1\noutput: o\n");
    String b = assertThrows(ConfigException.class, () -> RunConfig.load(bad)).getMessage();
    assertTrue(b.matches("(?s)" + java.util.regex.Pattern.quote(bad.toString()) + ":\\d+:\\d+: not valid YAML: .*"), b);
    assertFalse(b.contains("REDACTED") || b.contains("StreamReadFeature") || b.contains("\n"), b);
    Path dupJson = tmp.resolve("dup.json");
    Files.writeString(dupJson, "{\"k\": 4, \"k\": 8}");
    assertTrue(assertThrows(ConfigException.class, () -> RunConfig.load(dupJson)).getMessage()
        .contains("key 'k' appears twice"));
    Path huge = tmp.resolve("huge.yaml");
    Files.write(huge, new byte[(int) RunConfig.MAX_CONFIG_BYTES + 1]);
    String h = assertThrows(ConfigException.class, () -> RunConfig.load(huge)).getMessage();
    assertTrue(h.contains("larger than " + RunConfig.MAX_CONFIG_BYTES + " bytes (3 MiB)"), h);
  }

  @Test
  void jsonlSeedsOfTheCliUseTheStrictLoader() throws IOException {
    Path seeds = tmp.resolve("s.jsonl");
    Files.write(seeds, ("\uFEFF{\"problem\": \"What is 2+2?\", \"answer\": \"4\"}\n"
        + "{\"problem\": \"What is 3+3?\", \"answer\": \"6\"}\n").getBytes(StandardCharsets.UTF_8));
    assertEquals(2, JsonlSeeds.read(seeds, 10).size(), "a byte-order mark is allowed");
    Files.writeString(seeds, "{\"problem\": \"What is 2+2?\", \"answer\": \"4\"}\n{\"problem\": 7, \"answer\": \"6\"}\n");
    assertEquals(seeds + ":2: field 'problem': expected text, found NUMBER (7)",
        assertThrows(dev.sparq.core.DataException.class, () -> JsonlSeeds.read(seeds, 10)).getMessage());
    Files.write(seeds, "{\"problem\": \"caf\u00e9\", \"answer\": \"4\"}\n".getBytes(StandardCharsets.ISO_8859_1));
    String m = assertThrows(dev.sparq.core.DataException.class, () -> JsonlSeeds.read(seeds, 10)).getMessage();
    assertTrue(m.startsWith(seeds + ":1: malformed UTF-8"), m);
  }

  @Test
  void anEditedGridShapeInTheCheckpointIsRefusedNamingTheField() throws IOException {
    Path dir = tmp.resolve("g");
    assertEquals(0, sparq("demo", "-o", dir.toString(), "--archive", "grid", "--iterations", "1", "--batch", "8",
        "--seeds", "40", "-k", "4", "--progress", "none").status());
    Path cp = dir.resolve("checkpoint.json");
    String json = Files.readString(cp);
    java.util.regex.Matcher bins = java.util.regex.Pattern.compile("\"bins\":\\[[0-9,]+\\]").matcher(json);
    assertTrue(bins.find(), json.substring(0, Math.min(400, json.length())));
    Files.writeString(cp, json.substring(0, bins.start()) + "\"bins\":[2000000000,1]" + json.substring(bins.end()));
    CliTestSupport.Result r = sparq("inspect", dir.toString());
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains(cp + ": field 'archive.tessellation.bins'"), r.err());
  }

  @Test
  void anotherJvmIsRefusedWhileThisOneHoldsTheLock() throws Exception {
    Path dir = demo("d", 1);
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    try (RunLock held = RunLock.acquire(dir)) {
      Process p = new ProcessBuilder(javaBin, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
          SparqCli.class.getName(), "resume", dir.toString(), "--iterations", "3", "--progress", "none")
          .redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
      assertEquals(2, p.exitValue(), output);
      assertTrue(output.contains("in use by another sparq process (pid " + ProcessHandle.current().pid()), output);
    }
    assertEquals(1, RunDirectory.open(dir).metrics().size(), "the refused process appended nothing");
  }


  @Test
  void linksInARunDirectoryAreRefusedWithoutEchoingWhatTheyPointTo() throws IOException {
    Path secret = tmp.resolve("token");
    Files.writeString(secret, "hf_SECRETSECRETSECRETSECRET0123456789\n");
    Path dir = demo("d", 1);
    Path cp = dir.resolve("checkpoint.json");
    Path saved = tmp.resolve("checkpoint.saved");
    Files.move(cp, saved);
    Files.createSymbolicLink(cp, secret);
    for (String cmd : List.of("inspect", "report", "export", "resume")) {
      CliTestSupport.Result r = cmd.equals("resume")
          ? sparq("resume", dir.toString(), "--iterations", "2", "--progress", "none") : sparq(cmd, dir.toString());
      assertEquals(2, r.status(), cmd + ": " + r.out());
      assertTrue(r.err().contains(cp + ": refusing to read the checkpoint through a symbolic link"), cmd + ": " + r.err());
      assertFalse(r.err().contains("SECRET") || r.out().contains("SECRET"), cmd + ": " + r.err());
    }
    Files.delete(cp);
    Files.move(saved, cp);
    Path shard = dir.resolve("log/candidates-000000.jsonl");
    Files.move(shard, tmp.resolve("shard.saved"));
    Files.createSymbolicLink(shard, secret);
    for (String cmd : List.of("report", "export")) {
      CliTestSupport.Result r = sparq(cmd, dir.toString());
      assertEquals(2, r.status(), cmd + ": " + r.out());
      assertTrue(r.err().contains(shard + ": refusing to read the candidate log shard through a symbolic link"),
          cmd + ": " + r.err());
      assertFalse(r.err().contains("SECRET"), r.err());
    }
    Files.delete(shard);
    Files.move(tmp.resolve("shard.saved"), shard);
    Path metrics = dir.resolve("metrics.jsonl");
    Files.delete(metrics);
    Files.createSymbolicLink(metrics, secret);
    for (String cmd : List.of("report", "resume")) {
      CliTestSupport.Result r = cmd.equals("resume")
          ? sparq("resume", dir.toString(), "--iterations", "2", "--progress", "none") : sparq(cmd, dir.toString());
      assertEquals(2, r.status(), cmd + ": " + r.out());
      assertTrue(r.err().contains(metrics + ": refusing to read the metrics.jsonl through a symbolic link"),
          cmd + ": " + r.err());
      assertFalse(r.err().contains("SECRET"), r.err());
    }
    assertEquals("hf_SECRETSECRETSECRETSECRET0123456789\n", Files.readString(secret), "nothing written through it");
  }

  @Test
  void aMalformedCheckpointDoesNotQuoteALongTokenVerbatim() throws IOException {
    Path dir = demo("d", 1);
    Path cp = dir.resolve("checkpoint.json");
    Files.writeString(cp, "hf_SECRETSECRETSECRETSECRET0123456789\n");
    CliTestSupport.Result r = sparq("inspect", dir.toString());
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains("malformed checkpoint: Unrecognized token of 37 characters (not shown)"), r.err());
    assertFalse(r.err().contains("SECRET"), r.err());
  }

  @Test
  void fifosAndDevicesInARunDirectoryAreRefusedBeforeTheyAreOpened() throws IOException {
    Path dir = demo("d", 1);
    Path metrics = dir.resolve("metrics.jsonl");
    if (Files.exists(Path.of("/dev/zero"))) {
      Path cp = dir.resolve("checkpoint.json");
      Path saved = tmp.resolve("checkpoint.saved");
      Files.move(cp, saved);
      Files.createSymbolicLink(cp, Path.of("/dev/zero"));
      CliTestSupport.Result r = sparq("inspect", dir.toString());
      assertEquals(2, r.status(), r.out());
      assertTrue(r.err().contains(cp + ": refusing to read the checkpoint through a symbolic link"), r.err());
      Files.delete(cp);
      Files.move(saved, cp);
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(dev.sparq.testkit.io.Fifos.make(tmp.resolve("probe")), "no mkfifo here");
    Files.delete(metrics);
    assertTrue(dev.sparq.testkit.io.Fifos.make(metrics));
    CliTestSupport.Result r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        java.time.Duration.ofSeconds(60), () -> sparq("report", dir.toString()));
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains(metrics + ": refusing to read the metrics.jsonl: it is a FIFO"), r.err());
    Files.delete(metrics);
    Path shard = dir.resolve("log/candidates-000000.jsonl");
    Files.delete(shard);
    assertTrue(dev.sparq.testkit.io.Fifos.make(shard));
    r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
        () -> sparq("export", dir.toString()));
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains(shard + ": refusing to read the candidate log shard: it is a FIFO"), r.err());
    Path cp = dir.resolve("checkpoint.json");
    Files.delete(cp);
    assertTrue(dev.sparq.testkit.io.Fifos.make(cp));
    r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
        () -> sparq("inspect", dir.toString()));
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains(cp + ": refusing to read the checkpoint: it is a FIFO"), r.err());
  }

  @Test
  void exportNeverWritesThroughALinkedExportFolder() throws IOException {
    Path dir = demo("d", 1);
    Path victim = Files.createDirectories(tmp.resolve("victim"));
    Path export = dir.resolve("export");
    try (java.util.stream.Stream<Path> s = Files.walk(export)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    Files.createSymbolicLink(export, victim);
    CliTestSupport.Result r = sparq("export", dir.toString());
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains(export + ": refusing to go through a symbolic link inside " + dir), r.err());
    try (java.util.stream.Stream<Path> s = Files.list(victim)) {
      assertEquals(0, s.count(), "nothing was written outside the run directory");
    }
    // a link one level further down (export/messages -> victim) is refused the same way
    Files.delete(export);
    Files.createDirectories(export);
    Files.createSymbolicLink(export.resolve("messages"), victim);
    r = sparq("export", dir.toString());
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains(export.resolve("messages") + ": refusing to go through a symbolic link"), r.err());
    try (java.util.stream.Stream<Path> s = Files.list(victim)) {
      assertEquals(0, s.count(), "nothing was written outside the run directory");
    }
  }

  @Test
  void configFilesThatAreDevicesOrFifosAreRefusedBeforeReading() throws IOException {
    Path cfg = Files.createDirectories(tmp.resolve("cfg"));
    if (Files.exists(Path.of("/dev/zero"))) {
      Path zero = Files.createSymbolicLink(cfg.resolve("zero.yaml"), Path.of("/dev/zero"));
      ConfigException e = assertThrows(ConfigException.class, () -> RunConfig.load(zero));
      assertTrue(e.getMessage().contains(zero + ": refusing to read the configuration file: it is a FIFO, socket "
          + "or device, not a regular file"), e.getMessage());
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(dev.sparq.testkit.io.Fifos.make(cfg.resolve("fifo.yaml")), "no mkfifo here");
    Path fifo = cfg.resolve("fifo.yaml");
    ConfigException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
        () -> assertThrows(ConfigException.class, () -> RunConfig.load(fifo)));
    assertTrue(e.getMessage().contains(fifo + ": refusing to read the configuration file: it is a FIFO"), e.getMessage());
  }
}
