package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.DataException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Untrusted log shards are read with bounded memory. */
class LogBoundsTest {
  @TempDir Path tmp;

  @Test
  void aSmallGzipShardHoldingAHugeLineFailsCleanlyNamingFileAndLine() throws IOException {
    Path log = Files.createDirectories(tmp.resolve("log"));
    Path shard = log.resolve("candidates-000000.jsonl.gz");
    byte[] chunk = new byte[1 << 20];
    Arrays.fill(chunk, (byte) 'a');
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(shard), 1 << 16) {
      {
        def.setLevel(Deflater.BEST_COMPRESSION);
      }
    }) {
      out.write("\n".getBytes()); // an empty first line
      for (int i = 0; i < 1024; i++) { // a 1 GiB second line
        out.write(chunk);
      }
      out.write('\n');
    }
    assertTrue(Files.size(shard) < 2 << 20, "the shard is small: " + Files.size(shard));
    DataException e = assertThrows(DataException.class, () -> {
      try (LogReader r = LogReader.open(log)) {
        r.hasNext();
      }
    });
    assertTrue(e.getMessage().startsWith(shard + ":2: a line is longer than " + LineInput.MAX_LINE_BYTES), e.getMessage());
    // the scan that opening a log for appending does stops the same way
    DataException scan = assertThrows(DataException.class, () -> LogFiles.scan(shard));
    assertEquals(2, scan.line());
  }


  @Test
  void shardsThatAreLinksOrFifosAreRefusedNamingTheShard() throws IOException {
    Path secret = tmp.resolve("token");
    Files.writeString(secret, "hf_SECRETSECRETSECRETSECRET0123456789\n");
    Path dir = Files.createDirectories(tmp.resolve("log"));
    Path shard = Files.createSymbolicLink(dir.resolve("candidates-000000.jsonl"), secret);
    DataException e = assertThrows(DataException.class, () -> {
      try (LogReader r = LogReader.open(dir)) {
        r.hasNext();
      }
    });
    assertTrue(e.getMessage().startsWith(shard + ": refusing to read the candidate log shard through a symbolic link"),
        e.getMessage());
    assertTrue(!e.getMessage().contains("SECRET"), e.getMessage());
    DataException scan = assertThrows(DataException.class, () -> LogFiles.scan(shard));
    assertTrue(scan.getMessage().contains("symbolic link"), scan.getMessage());
    assertThrows(DataException.class, () -> CandidateLog.recover(dir, LogOptions.defaults()).close());
    assertEquals("hf_SECRETSECRETSECRETSECRET0123456789\n", Files.readString(secret));
    Files.delete(shard);
    org.junit.jupiter.api.Assumptions.assumeTrue(dev.sparq.testkit.io.Fifos.make(shard), "no mkfifo here");
    DataException fifo = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
        () -> assertThrows(DataException.class, () -> {
          try (LogReader r = LogReader.open(dir)) {
            r.hasNext();
          }
        }));
    assertTrue(fifo.getMessage().startsWith(shard + ": refusing to read the candidate log shard: it is a FIFO"),
        fifo.getMessage());
  }

  @Test
  void aCheckpointThatIsALinkAFifoOrADeviceIsRefused() throws IOException {
    Path cp = Files.createSymbolicLink(tmp.resolve("checkpoint.json"), Path.of("/dev/zero"));
    DataException e = assertThrows(DataException.class, () -> Checkpoint.read(cp));
    assertTrue(e.getMessage().startsWith(cp + ": refusing to read the checkpoint through a symbolic link"),
        e.getMessage());
    Files.delete(cp);
    org.junit.jupiter.api.Assumptions.assumeTrue(dev.sparq.testkit.io.Fifos.make(cp), "no mkfifo here");
    DataException fifo = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
        () -> assertThrows(DataException.class, () -> Checkpoint.read(cp)));
    assertTrue(fifo.getMessage().startsWith(cp + ": refusing to read the checkpoint: it is a FIFO"), fifo.getMessage());
  }
}
