package dev.sparq.examples.cli;

import dev.sparq.core.DataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The exclusive lock of a run directory, held by {@code sparq run}, {@code resume} and {@code demo}
 * for the life of the run so that two processes never append to the same candidate log or metrics
 * file. It is an operating-system lock ({@link FileChannel#tryLock()}) on {@code run.lock}, released
 * when the process ends however it ends; the file itself names the holder (process id, host, start
 * time) so the refusal can say who holds it.
 */
public final class RunLock implements AutoCloseable {
  /** The lock file name inside the run directory. */
  public static final String FILE = "run.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code dir}, or fails with a {@link DataException} naming the lock file and the
   * process that holds it.
   */
  public static RunLock acquire(Path dir) {
    Path f = dir.resolve(FILE);
    FileChannel ch;
    try {
      dev.sparq.core.internal.AtomicFiles.refuseLinks(f);
      ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the lock file " + f, e);
    }
    FileLock lock = null;
    try {
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by this very process (another run in the same JVM)
      }
      if (lock == null) {
        String holder = holder(ch);
        ch.close();
        throw new DataException(f, 0, null, "the run directory is in use by another sparq process ("
            + (holder.isEmpty() ? "holder unknown" : holder) + "); wait for it to finish or stop it, then retry");
      }
      byte[] me = ("pid " + ProcessHandle.current().pid() + " on " + host() + " since " + Instant.now() + "\n")
          .getBytes(StandardCharsets.UTF_8);
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(me), 0);
      ch.force(true);
      return new RunLock(ch, lock);
    } catch (IOException e) {
      try {
        ch.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new UncheckedIOException("cannot lock " + f, e);
    }
  }

  /** The holder line of the lock file, at most 200 characters, control characters removed. */
  private static String holder(FileChannel ch) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(200);
    ch.read(b, 0);
    String s = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    return s.replaceAll("\\p{Cntrl}", " ").strip();
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException | SecurityException e) {
      return "unknown host";
    }
  }

  /** Releases the lock (the file stays; it is reused by the next holder). */
  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the run lock", e);
    }
  }
}
