package dev.sparq.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/** The texts a user reads after a full disk or a file-size limit (seen with a tmpfs and ulimit -f). */
class IoMessagesTest {
  @Test
  void aMessageThatAlreadyQuotesItsCauseGetsTheAdviceOnce() {
    // what the exporter threw on a full tmpfs: its message quoted describe() of the cause, and the
    // command line described it again ("... (the disk is full; ...) (the disk is full; ...)")
    IOException cause = new IOException("No space left on device");
    UncheckedIOException e = new UncheckedIOException("export to out failed: "
        + IoMessages.describe(cause), cause);
    assertEquals("export to out failed: No space left on device (the disk is full; free some space"
        + " and try again)", IoMessages.describe(e));
  }

  @Test
  void aFileSizeLimitIsExplained() {
    // the JVM ignores SIGXFSZ, so 'ulimit -f' shows up as EFBIG on write
    UncheckedIOException e = new UncheckedIOException("cannot append to candidate log x.jsonl",
        new IOException("File too large"));
    assertEquals("cannot append to candidate log x.jsonl: File too large (the file reached the"
        + " largest size allowed for one file: the process's file-size limit, 'ulimit -f', or the"
        + " file system's maximum)", IoMessages.describe(e));
  }

  @Test
  void aUsedUpQuotaIsExplained() {
    assertEquals("w: Disk quota exceeded (the disk quota is used up)",
        IoMessages.describe(new UncheckedIOException("w", new IOException("Disk quota exceeded"))));
  }
}
