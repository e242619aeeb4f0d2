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
    refuseLinks(target);
    Path tmp = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid()
        + "." + Long.toHexString(System.nanoTime()) + ".tmp");
    boolean done = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
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
      }
      try {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      done = true;
      syncDirectory(target.toAbsolutePath().getParent());
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
