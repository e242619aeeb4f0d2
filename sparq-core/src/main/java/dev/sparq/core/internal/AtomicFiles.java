package dev.sparq.core.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Whole-file writes that never leave a half-written file behind: the bytes go to a fresh temporary
 * sibling (created exclusively, never through a symbolic link), are forced to disk, and the
 * temporary file is renamed over the target. On any failure (a full disk, say) the old file is left
 * as it was and the temporary file is removed.
 *
 * <p>A target that is a symbolic link, or whose parent directory is one, is refused: files of a run
 * directory or an export folder are written only where they appear to be.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes the body of a file to a stream. */
  @FunctionalInterface
  public interface Body {
    /** Writes the whole content to {@code out}. */
    void write(OutputStream out) throws IOException;
  }

  /** Writes {@code bytes} to {@code target} atomically. */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, out -> out.write(bytes));
  }

  /** Writes {@code text} as UTF-8 to {@code target} atomically. */
  public static void writeString(Path target, String text) throws IOException {
    write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes what {@code body} produces to {@code target} atomically. */
  public static void write(Path target, Body body) throws IOException {
    stage(target, body, ChannelOpener.DEFAULT).commit();
  }

  /**
   * A file written and forced to disk under a temporary name beside its target, not yet in place:
   * {@link #commit()} renames it over the target, {@link #discard()} removes it. Several files that
   * belong together (an export's data, statistics and card) are all staged before any is committed,
   * so a full disk while writing any of them leaves every target as it was.
   */
  public static final class Staged {
    private final Path tmp;
    private final Path target;
    private boolean done;

    private Staged(Path tmp, Path target) {
      this.tmp = tmp;
      this.target = target;
    }

    /** The file this will replace. */
    public Path target() {
      return target;
    }

    /** Renames the staged file over its target and forces the directory. */
    public void commit() throws IOException {
      if (done) {
        return;
      }
      try {
        try {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        done = true;
        syncDirectory(target.toAbsolutePath().getParent());
      } finally {
        if (!done) {
          discard();
        }
      }
    }

    /** Removes the staged file (nothing when it was committed). Never throws. */
    public void discard() {
      if (done) {
        return;
      }
      done = true;
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the original failure is the one to report
      }
    }
  }

  /** Distinguishes temporaries made in the same nanosecond by two threads. */
  private static final java.util.concurrent.atomic.AtomicLong COUNTER = new java.util.concurrent.atomic.AtomicLong();

  /**
   * A fresh name for a temporary sibling of {@code target}, {@code .NAME.<pid>.<hex>.tmp}: unique to
   * this process and call, so two writers of one target never share a temporary, and matched by
   * {@link #removeStale}. A caller that writes the file itself creates it with {@code CREATE_NEW}.
   */
  public static Path temporaryFor(Path target) {
    return target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid()
        + "." + Long.toHexString(System.nanoTime() ^ COUNTER.incrementAndGet() << 48) + ".tmp");
  }

  /**
   * Writes what {@code body} produces to a fresh temporary sibling of {@code target} (through
   * channels from {@code opener}) and forces it to disk; the target is not touched until
   * {@link Staged#commit()}. On failure the temporary file is removed and the exception names it.
   */
  public static Staged stage(Path target, Body body, ChannelOpener opener) throws IOException {
    refuseLinks(target);
    Path tmp = temporaryFor(target);
    boolean done = false;
    try {
      try (FileChannel ch = opener.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS)) {
        // a body may close its stream (Jackson does): keep the channel open for the force below
        OutputStream out = new java.io.FilterOutputStream(Channels.newOutputStream(ch)) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            this.out.write(b, off, len);
          }

          @Override
          public void close() throws IOException {
            flush();
          }
        };
        body.write(out);
        out.flush();
        ch.force(true);
      } catch (FileSystemException | com.fasterxml.jackson.core.JsonProcessingException e) {
        throw e; // already names its file, or is not about the disk
      } catch (IOException e) {
        // a failed write says only "No space left on device": name the file
        FileSystemException named = new FileSystemException(tmp.toString(), null, e.getMessage());
        named.initCause(e);
        throw named;
      }
      done = true;
      return new Staged(tmp, target);
    } finally {
      if (!done) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the original failure is the one to report
        }
      }
    }
  }

  /**
   * Deletes the temporary siblings of {@code target} ({@code .NAME.<pid>.<hex>.tmp}) that a process
   * killed in the middle of {@link #stage} left behind; at checkpoint size they can take as much room
   * as the file itself, again after every kill. Call it only while holding the lock that every
   * writer of {@code target} holds, so that no write in progress loses its file. Failures to delete
   * are ignored (the files are harmless).
   *
   * @return the number of files deleted
   */
  public static int removeStale(Path target) {
    Path dir = target.toAbsolutePath().getParent();
    if (dir == null) {
      return 0;
    }
    java.util.regex.Pattern stale = java.util.regex.Pattern.compile(
        "\\." + java.util.regex.Pattern.quote(target.getFileName().toString()) + "\\.[0-9]+\\.[0-9a-f]+\\.tmp");
    int n = 0;
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        if (stale.matcher(p.getFileName().toString()).matches()
            && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          try {
            Files.deleteIfExists(p);
            n++;
          } catch (IOException ignored) {
            // harmless; the next run tries again
          }
        }
      }
    } catch (IOException | java.io.UncheckedIOException ignored) {
      // an unreadable folder fails the write that follows, with its own message
    }
    return n;
  }

  /**
   * Fails when {@code target} or its parent directory is a symbolic link (a planted link would
   * redirect the write outside the directory the user named).
   */
  public static void refuseLinks(Path target) throws IOException {
    if (Files.isSymbolicLink(target)) {
      throw new FileSystemException(target.toString(), null,
          "refusing to write through a symbolic link (remove the link)");
    }
    Path parent = target.toAbsolutePath().getParent();
    if (parent != null && Files.isSymbolicLink(parent)) {
      throw new FileSystemException(parent.toString(), null,
          "refusing to write into a directory that is a symbolic link (remove the link)");
    }
  }

  private static void syncDirectory(Path dir) {
    if (dir == null) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // not every platform can sync a directory; the rename itself is still atomic
    }
  }
}
