package dev.sparq.core.store;

import dev.sparq.core.DataException;
import dev.sparq.core.internal.AtomicFiles;
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
 * An exclusive, operating-system lock on one file ({@link FileChannel#tryLock()}), released by
 * {@link #close()} or when the process ends however it ends. The file names its holder (process
 * id, host, start time), so a refusal can say who holds it. A second lock on the same file from the
 * same process is refused like one from another process.
 *
 * <p>{@link CandidateLog} holds one on {@code writer.lock} in its folder while it is open, so two
 * runs (threads or processes) never append to the same log; the command line also holds one on
 * {@code run.lock} of its run directory.
 */
public final class DirectoryLock implements AutoCloseable {
  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock on {@code file} (created if missing, never through a symbolic link), or fails
   * with a {@link DataException} naming the file, {@code what} is in use, and the holder.
   *
   * @param file the lock file
   * @param what what the lock protects, for the message (for example "the run directory")
   */
  public static DirectoryLock acquire(Path file, String what) {
    FileChannel ch;
    try {
      AtomicFiles.refuseLinks(file);
      ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the lock file " + file, e);
    }
    try {
      FileLock lock;
      boolean here = false;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by this very process (another run in the same JVM)
        here = true;
      }
      if (lock == null) {
        String holder = holder(ch);
        ch.close();
        // two threads of one program (two exports into one folder, say) would otherwise read that
        // another process holds it, naming their own pid
        throw new DataException(file, 0, null, what + " is in use by another sparq process ("
            + (holder.isEmpty() ? "holder unknown" : holder) + ")"
            + (here ? "; that is this very process: another thread holds the lock, or a run or export "
                + "in it has not been closed" : "")
            + "; wait for it to finish or stop it, then retry");
      }
      byte[] me = ("pid " + ProcessHandle.current().pid() + " on " + host() + " since "
          + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8);
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(me), 0);
      ch.force(true);
      return new DirectoryLock(file, ch, lock);
    } catch (IOException e) {
      try {
        ch.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new UncheckedIOException("cannot lock " + file, e);
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

  /** Whether this lock is still held (not closed). */
  public boolean isHeld() {
    return lock.isValid();
  }

  /** The lock file. */
  public Path file() {
    return file;
  }

  /** Releases the lock (the file stays; the next holder reuses it). Closing twice does nothing. */
  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the lock " + file, e);
    }
  }
}
