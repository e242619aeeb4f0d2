package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.DataException;
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
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CandidateLogTest {
  @TempDir Path tmp;

  static EvaluatedCandidate candidate(long iteration, int i) {
    Problem p = new Problem(null, "What is " + i + " + \"" + iteration + "\"?\nLine two \u00e9",
        "It is \\boxed{" + (i + iteration) + "}.", Long.toString(i + iteration),
        new Lineage(List.of("p" + i, "q" + i), "mutate", 2), Map.of("expr", i + "+" + iteration,
            "level", "3"));
    List<Rollout> rs = List.of(new Rollout("try " + i, Long.toString(i), i % 2 == 0, 7),
        new Rollout("no answer", null, false, 0));
    int correct = i % 2 == 0 ? 1 : 0;
    return new EvaluatedCandidate(iteration, p, rs,
        new Difficulty(correct, 2, 0.5 * correct + 0.125, i % 3 == 0 ? Validity.DISPUTED : Validity.VALID),
        new Descriptor(new double[] {i, Math.log10(i + 1.0)}, List.of("b", "a")),
        AddStatus.values()[i % 3], 0.1 * i);
  }

  static List<EvaluatedCandidate> batch(long iteration, int n) {
    List<EvaluatedCandidate> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(candidate(iteration, i));
    }
    return out;
  }

  @Test
  void codecRoundTripIsExact() throws IOException {
    EvaluatedCandidate c = candidate(4, 6);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LogCodec.write(42, c, out);
    byte[] b = out.toByteArray();
    LoggedCandidate back = LogCodec.read(b, 0, b.length);
    assertEquals(42, back.seq());
    assertEquals(c, back.candidate());
    String line = out.toString(StandardCharsets.UTF_8);
    assertTrue(line.indexOf('\n') < 0, "one record is one line");
    assertTrue(line.startsWith("{\"v\":1,\"seq\":42,\"iteration\":4,\"id\":\""), line);
  }

  @Test
  void unmeasuredSolveRateIsNullAndReadsBack() throws IOException {
    EvaluatedCandidate c = new EvaluatedCandidate(0, Problem.of("x", "", "1"), List.of(),
        Difficulty.ofQuality(0.0), Descriptor.ofLabels(), AddStatus.NEW, 0.0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LogCodec.write(0, c, out);
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("\"solve_rate\":null"));
    byte[] b = out.toByteArray();
    assertEquals(c, LogCodec.read(b, 0, b.length).candidate());
  }

  @Test
  void rotatesShardsAndReadsEverythingBackInOrder() {
    for (boolean gzip : new boolean[] {false, true}) {
      Path dir = tmp.resolve("log-" + gzip);
      List<EvaluatedCandidate> all = new ArrayList<>();
      try (CandidateLog log = CandidateLog.create(dir,
          LogOptions.defaults().withGzip(gzip).withRecordsPerShard(10))) {
        for (int it = 0; it < 7; it++) {
          List<EvaluatedCandidate> b = batch(it, 4);
          log.accept(it, b);
          all.addAll(b);
          if (it % 2 == 0) {
            log.flush(); // several gzip members per shard
          }
        }
      }
      try (LogReader r = LogReader.open(dir)) {
        assertEquals(3, r.shards().size(), "28 records, rotation after the batch reaching 10");
        List<LoggedCandidate> read = r.stream().toList();
        assertEquals(all.size(), read.size());
        for (int i = 0; i < all.size(); i++) {
          assertEquals(i, read.get(i).seq());
          assertEquals(all.get(i), read.get(i).candidate());
        }
        assertEquals(0, r.tornLines());
      }
    }
  }

  @Test
  void aResumeWithFewerRecordsPerShardNeverWritesToTheFullShardAgain() throws IOException {
    // after "File too large" under 'ulimit -f' the run is resumed with a lower recordsPerShard: the
    // shard at the limit must not be appended to, or the resume fails the same way
    for (boolean gzip : new boolean[] {false, true}) {
      Path dir = tmp.resolve("lowered-" + gzip);
      List<EvaluatedCandidate> all = new ArrayList<>();
      LogPosition at;
      try (CandidateLog log = CandidateLog.create(dir, LogOptions.defaults().withGzip(gzip))) {
        all.addAll(batch(0, 6));
        log.accept(0, all);
        at = log.checkpoint();
      }
      Path first = LogFiles.shard(dir, 0, gzip);
      byte[] full = Files.readAllBytes(first);
      LogOptions lower = LogOptions.defaults().withGzip(gzip).withRecordsPerShard(4);
      try (CandidateLog log = CandidateLog.resume(dir, lower, at)) {
        for (int it = 1; it <= 2; it++) {
          List<EvaluatedCandidate> b = batch(it, 3);
          log.accept(it, b);
          all.addAll(b);
        }
        log.append(candidate(3, 0));
        all.add(candidate(3, 0));
      }
      assertTrue(java.util.Arrays.equals(full, Files.readAllBytes(first)), "the full shard is unchanged");
      try (LogReader r = LogReader.open(dir)) {
        List<LoggedCandidate> read = r.stream().toList();
        assertEquals(all.size(), read.size());
        for (int i = 0; i < all.size(); i++) {
          assertEquals(i, read.get(i).seq());
          assertEquals(all.get(i), read.get(i).candidate());
        }
      }
      try (LogReader r = LogReader.open(LogFiles.shard(dir, 1, gzip))) {
        assertEquals(6, r.next().seq(), "the resumed batch starts shard 1");
        assertEquals(6, 1 + r.stream().count(), "shard 1 holds the two batches that reached 4");
      }
      try (LogReader r = LogReader.open(LogFiles.shard(dir, 2, gzip))) {
        assertEquals(12, r.next().seq(), "then a new shard as usual");
      }
    }
  }

  @Test
  void appendRotatesAtTheExactRecordCount() {
    Path dir = tmp.resolve("append");
    try (CandidateLog log = CandidateLog.create(dir, LogOptions.defaults().withRecordsPerShard(10))) {
      for (EvaluatedCandidate c : batch(3, 25)) {
        log.append(c);
      }
    }
    try (LogReader r = LogReader.open(dir)) {
      assertEquals(3, r.shards().size());
      assertEquals(25, r.stream().count());
    }
    try (LogReader r = LogReader.open(dir.resolve("candidates-000002.jsonl"))) {
      assertEquals(20, r.next().seq(), "a single shard can be read on its own");
    }
  }

  @Test
  void tornLastLineIsSkippedByReaderAndCutByRecover() throws IOException {
    Path dir = tmp.resolve("torn");
    try (CandidateLog log = CandidateLog.create(dir, LogOptions.defaults())) {
      log.accept(0, batch(0, 5));
    }
    Path shard = dir.resolve("candidates-000000.jsonl");
    long good = Files.size(shard);
    Files.write(shard, "{\"v\":1,\"seq\":5,\"iter".getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);
    try (LogReader r = LogReader.open(dir)) {
      assertEquals(5, r.stream().count());
      assertEquals(1, r.tornLines());
    }
    try (CandidateLog log = CandidateLog.recover(dir, LogOptions.defaults())) {
      assertEquals(good, Files.size(shard));
      assertEquals(5, log.records());
      log.accept(1, batch(1, 2));
    }
    try (LogReader r = LogReader.open(dir)) {
      List<LoggedCandidate> all = r.stream().toList();
      assertEquals(7, all.size());
      assertEquals(6, all.get(6).seq());
      assertEquals(0, r.tornLines());
    }
  }

  @Test
  void truncatedGzipTailIsDetectedAndRepaired() throws IOException {
    Path dir = tmp.resolve("gz");
    LogOptions gz = LogOptions.defaults().withGzip(true);
    try (CandidateLog log = CandidateLog.create(dir, gz)) {
      log.accept(0, batch(0, 6));
      log.flush();
      log.accept(1, batch(1, 6));
    }
    Path shard = dir.resolve("candidates-000000.jsonl.gz");
    long size = Files.size(shard);
    try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.WRITE)) {
      ch.truncate(size - 30); // cut into the second member
    }
    long readable;
    try (LogReader r = LogReader.open(dir)) {
      readable = r.stream().count();
      assertTrue(readable >= 6 && readable < 12, "first member intact, second cut: " + readable);
      assertEquals(1, r.tornLines());
    }
    try (CandidateLog log = CandidateLog.recover(dir, gz)) {
      assertEquals(readable, log.records());
      log.accept(2, batch(2, 1));
    }
    try (LogReader r = LogReader.open(dir)) {
      List<LoggedCandidate> all = r.stream().toList();
      assertEquals(readable + 1, all.size());
      assertEquals(0, r.tornLines());
      for (int i = 0; i < all.size(); i++) {
        assertEquals(i, all.get(i).seq());
      }
    }
  }

  @Test
  void resumeTruncatesToCheckpointPosition() {
    for (boolean gzip : new boolean[] {false, true}) {
      Path dir = tmp.resolve("resume-" + gzip);
      LogOptions o = LogOptions.defaults().withGzip(gzip).withRecordsPerShard(8);
      LogPosition pos;
      try (CandidateLog log = CandidateLog.create(dir, o)) {
        log.accept(0, batch(0, 5));
        log.accept(1, batch(1, 5)); // rotates after this batch
        pos = log.checkpoint();
        log.accept(2, batch(2, 9)); // rotates again: shard 2 exists
        log.accept(3, batch(3, 3));
      }
      assertEquals(new LogPosition(1, 0, 0, 10), pos);
      try (CandidateLog log = CandidateLog.resume(dir, o, pos)) {
        assertEquals(10, log.records());
        log.accept(2, batch(2, 1));
      }
      try (LogReader r = LogReader.open(dir)) {
        List<LoggedCandidate> all = r.stream().toList();
        assertEquals(11, all.size());
        assertEquals(10, all.get(10).seq());
        assertEquals(2, all.get(10).candidate().iteration());
        assertEquals(2, r.shards().size());
      }
    }
  }

  @Test
  void malformedCompleteLineNamesFileAndLine() throws IOException {
    Path dir = tmp.resolve("bad");
    try (CandidateLog log = CandidateLog.create(dir, LogOptions.defaults())) {
      log.accept(0, batch(0, 2));
    }
    Files.write(dir.resolve("candidates-000000.jsonl"), "{\"seq\": oops}\n".getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);
    try (LogReader r = LogReader.open(dir)) {
      DataException e = assertThrows(DataException.class, () -> r.stream().count());
      assertEquals(3, e.line());
      assertTrue(e.getMessage().contains("candidates-000000.jsonl:3"), e.getMessage());
    }
  }

  @Test
  void resumeWithTheWrongCompressionSaysSo() {
    Path dir = tmp.resolve("wrong-gz");
    LogPosition pos;
    try (CandidateLog log = CandidateLog.create(dir, LogOptions.defaults())) {
      log.accept(0, batch(0, 2));
      pos = log.checkpoint();
    }
    dev.sparq.core.SparqException e = assertThrows(dev.sparq.core.SparqException.class,
        () -> CandidateLog.resume(dir, LogOptions.defaults().withGzip(true), pos));
    assertTrue(e.getMessage().contains("is not gzip-compressed"), e.getMessage());
  }

  @Test
  void resumeRefusesALogShorterThanTheCheckpoint() {
    Path dir = tmp.resolve("short");
    try (CandidateLog log = CandidateLog.create(dir, LogOptions.defaults())) {
      log.accept(0, batch(0, 2));
    }
    assertThrows(dev.sparq.core.SparqException.class,
        () -> CandidateLog.resume(dir, LogOptions.defaults(), new LogPosition(0, 1_000_000, 50, 50)));
  }
}
