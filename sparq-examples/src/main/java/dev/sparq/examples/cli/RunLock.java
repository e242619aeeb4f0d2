package dev.sparq.examples.cli;

import dev.sparq.core.store.DirectoryLock;
import java.nio.file.Path;

/**
 * The exclusive lock of a run directory, held by {@code sparq run}, {@code resume} and {@code demo}
 * for the life of the run so that two processes never append to the same candidate log or metrics
 * file. It is a {@link DirectoryLock} on {@code run.lock}: an operating-system lock, released when the
 * process ends however it ends, whose file names the holder (process id, host, start time) so the
 * refusal can say who holds it.
 */
public final class RunLock implements AutoCloseable {
  /** The lock file name inside the run directory. */
  public static final String FILE = "run.lock";

  private final DirectoryLock lock;

  private RunLock(DirectoryLock lock) {
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code dir}, or fails with a {@link dev.sparq.core.DataException} naming the
   * lock file and the process that holds it.
   */
  public static RunLock acquire(Path dir) {
    return new RunLock(DirectoryLock.acquire(dir.resolve(FILE), "the run directory"));
  }

  /** Releases the lock (the file stays; it is reused by the next holder). */
  @Override
  public void close() {
    lock.close();
  }
}
