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
}
