package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.DataException;
import dev.sparq.core.model.EvaluatedCandidate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log that holds fewer records than its checkpoint counts: a shard cut short (a copy that stopped
 * early) or a gzip shard whose compressed bytes are damaged. The reader takes both for the torn tail
 * a crash leaves, so a report read such a log as a shorter one and said nothing;
 * {@link LogReader#requireRecords} names the shard and the line where it stops.
 */
class CorruptGzipShardTest {
  @TempDir Path tmp;

  private Path log(boolean gzip) {
    Path dir = tmp.resolve(gzip ? "gz" : "plain");
    List<EvaluatedCandidate> cands = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      cands.add(CandidateLogTest.candidate(0, i));
    }
    try (CandidateLog log = CandidateLog.create(dir, LogOptions.defaults().withGzip(gzip).withFsync(false))) {
      log.accept(0, cands);
    }
    return dir;
  }

  private static Path shard(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      List<Path> shards = s.filter(p -> p.getFileName().toString().startsWith("candidates-")).sorted().toList();
      assertEquals(1, shards.size(), shards.toString());
      return shards.get(0);
    }
  }

  private static long readAll(LogReader r) {
    long n = 0;
    while (r.hasNext()) {
      r.next();
      n++;
    }
    return n;
  }

  @Test
  void aGzipShardWithDamagedBytesIsNamedNotReadAsAShorterLog() throws IOException {
    Path dir = log(true);
    Path shard = shard(dir);
    byte[] b = Files.readAllBytes(shard);
    b[10] = (byte) 0xFF; // the first deflate block header: a reserved block type
    Files.write(shard, b);
    try (LogReader r = LogReader.open(dir, 400)) {
      assertEquals(0, readAll(r), "the damaged member reads as a torn tail");
      assertEquals(1, r.tornLines());
      DataException e = assertThrows(DataException.class, () -> r.requireRecords(400));
      assertTrue(e.getMessage().startsWith(shard + ":1: the candidate log ends after 0 records but the checkpoint "
          + "counts 400: the compressed bytes are damaged here ("), e.getMessage());
      assertTrue(e.getMessage().contains("invalid block type"), e.getMessage());
    }
  }

  @Test
  void aShardCutShortIsNamedWithTheLineWhereItStops() throws IOException {
    for (boolean gzip : new boolean[] {false, true}) {
      Path dir = log(gzip);
      Path shard = shard(dir);
      byte[] b = Files.readAllBytes(shard);
      Files.write(shard, java.util.Arrays.copyOf(b, b.length / 2));
      try (LogReader r = LogReader.open(dir, 400)) {
        long n = readAll(r);
        assertTrue(n > 0 && n < 400, "records " + n);
        DataException e = assertThrows(DataException.class, () -> r.requireRecords(400));
        assertTrue(e.getMessage().startsWith(shard + ":" + (n + 1) + ": the candidate log ends after " + n
            + " records but the checkpoint counts 400: the shard is cut short here"), e.getMessage());
        r.requireRecords(n); // as many as were read: fine
      }
    }
  }

  @Test
  void aCompleteLogPasses() {
    Path dir = log(true);
    try (LogReader r = LogReader.open(dir, 400)) {
      assertEquals(400, readAll(r));
      r.requireRecords(400);
    }
    try (LogReader r = LogReader.open(dir, 100)) {
      assertEquals(100, readAll(r));
      r.requireRecords(100);
    }
  }
}
