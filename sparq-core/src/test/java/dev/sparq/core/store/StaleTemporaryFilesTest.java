package dev.sparq.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed while writing a checkpoint leaves its temporary copy (as large as the
 * checkpoint) beside it; seen with SIGKILL at random moments (there a 0-byte {@code .run.json.*.tmp}
 * of the command line). The next run on the directory removes those, once it holds the writer lock.
 */
class StaleTemporaryFilesTest {
  @TempDir Path tmp;

  @Test
  void temporaryCheckpointsOfAKilledRunAreRemovedWhenTheRunIsOpenedAgain() throws IOException {
    Path dir = tmp.resolve("run");
    try (SparqRun run = SparqRun.builder(dir, RunFixtures.engine(2)).open()) {
      run.run();
    }
    Path stale = dir.resolve(".checkpoint.json.4242.1f3a9c.tmp");
    Files.writeString(stale, "{\"format\":\"sparq-checkpoint\",\"ver");
    Path notOurs = dir.resolve(".checkpoint.json.notes");
    Files.writeString(notOurs, "mine");
    Path other = dir.resolve(".report.html.4242.1f3a9c.tmp");
    Files.writeString(other, "<html");
    try (SparqRun run = SparqRun.builder(dir, RunFixtures.engine(3)).open()) {
      assertTrue(run.resumed());
      assertFalse(Files.exists(stale), "a killed run's temporary checkpoint is removed");
      run.run();
    }
    assertEquals("mine", Files.readString(notOurs));
    assertTrue(Files.exists(other), "only the checkpoint's temporaries are the run's to remove");
  }
}
