package dev.sparq.core.internal;

import dev.sparq.core.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reading files that someone else may have written (a run directory received from a colleague, a
 * seed set): only regular files are opened, and by default never through a symbolic link, so a
 * planted link cannot make SPARQ read (and echo) a file outside the directory, and a FIFO or a
 * device ({@code /dev/zero}) cannot hang the reader or exhaust memory. The check is made before the
 * file is opened, so a FIFO is never opened. Whole-file reads are bounded: a file larger than the
 * limit is refused before reading, and reading stops one byte past the limit if it grew meanwhile.
 *
 * <p>Every refusal is a {@link DataException} naming the file.
 */
public final class UntrustedFiles {
  private UntrustedFiles() {}

  /** Whether a symbolic link in the last path component is refused or followed. */
  public enum Links {
    /** A symbolic link is refused (files inside a run directory or a seed directory). */
    REFUSE,
    /**
     * A symbolic link is followed, but what it points to must still be a regular file (a path the
     * user named themselves, such as {@code seeds.path} or {@code -c run.yaml}).
     */
    FOLLOW
  }

  /**
   * Checks that {@code file} is a regular file, without following a link when {@code links} is
   * {@link Links#REFUSE}, and returns its size.
   *
   * @param what what the file is, for the message ("checkpoint", "candidate log shard")
   * @throws DataException naming the file when it is missing, a symbolic link (refused), a FIFO, a
   *     device, a directory or something else that is not a regular file
   */
  public static long requireRegularFile(Path file, Links links, String what) {
    BasicFileAttributes a;
    try {
      a = links == Links.REFUSE
          ? Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          : Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      throw new DataException(file, 0, null, "cannot read the " + what + ": " + IoMessages.describe(e), e);
    }
    if (a.isSymbolicLink()) {
      throw new DataException(file, 0, null, "refusing to read the " + what + " through a symbolic link "
          + "(it could lead outside the directory; replace the link by the file itself)");
    }
    if (!a.isRegularFile()) {
      throw new DataException(file, 0, null, "refusing to read the " + what + ": it is "
          + kind(a) + ", not a regular file");
    }
    return a.size();
  }

  /**
   * Opens a regular file for reading (see {@link #requireRegularFile}); with {@link Links#REFUSE}
   * the file is also opened with {@code O_NOFOLLOW}, so a link swapped in after the check is not
   * followed either.
   */
  public static InputStream open(Path file, Links links, String what) {
    requireRegularFile(file, links, what);
    try {
      return links == Links.REFUSE
          ? Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)
          : Files.newInputStream(file, StandardOpenOption.READ);
    } catch (FileSystemException e) {
      if (links == Links.REFUSE && Files.isSymbolicLink(file)) {
        throw new DataException(file, 0, null, "refusing to read the " + what + " through a symbolic link", e);
      }
      throw new DataException(file, 0, null, "cannot read the " + what + ": " + IoMessages.describe(e), e);
    } catch (IOException e) {
      throw new DataException(file, 0, null, "cannot read the " + what + ": " + IoMessages.describe(e), e);
    }
  }

  /**
   * Reads a whole regular file of at most {@code maxBytes} bytes (see {@link #open}).
   *
   * @throws DataException naming the file and the limit when it is larger
   */
  public static byte[] readAllBytes(Path file, long maxBytes, Links links, String what) {
    if (maxBytes < 0 || maxBytes > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("maxBytes out of range: " + maxBytes);
    }
    long size = requireRegularFile(file, links, what);
    if (size > maxBytes) {
      throw tooLarge(file, what, maxBytes);
    }
    try (InputStream in = open(file, links, what)) {
      byte[] bytes = in.readNBytes((int) maxBytes + 1);
      if (bytes.length > maxBytes) { // it grew since the check
        throw tooLarge(file, what, maxBytes);
      }
      return bytes;
    } catch (IOException e) {
      throw new DataException(file, 0, null, "cannot read the " + what + ": " + IoMessages.describe(e), e);
    }
  }

  /**
   * Refuses when any path component from {@code base} (exclusive) down to {@code target} (inclusive)
   * is a symbolic link: a linked folder inside a run directory ({@code export -> /elsewhere}) would
   * otherwise redirect reads or writes outside it. Components that do not exist yet are fine (they
   * will be created as real folders). {@code target} must lie under {@code base}; a target elsewhere
   * is not checked.
   */
  public static void refuseLinksBelow(Path base, Path target) {
    Path b = base.toAbsolutePath().normalize();
    Path t = target.toAbsolutePath().normalize();
    if (!t.startsWith(b) || t.equals(b)) {
      return;
    }
    Path p = b;
    Path shown = base;
    for (Path part : b.relativize(t)) {
      p = p.resolve(part);
      shown = shown.resolve(part.toString());
      if (Files.isSymbolicLink(p)) {
        throw new DataException(shown, 0, null, "refusing to go through a symbolic link inside " + base
            + " (it would lead outside the directory; remove the link)");
      }
    }
  }

  /** A size refusal naming the file and the limit. */
  public static DataException tooLarge(Path file, String what, long maxBytes) {
    return new DataException(file, 0, null, "the " + what + " is larger than " + maxBytes + " bytes ("
        + human(maxBytes) + "), the most that is read");
  }

  /** {@code 1073741824} as {@code 1 GiB}. */
  static String human(long bytes) {
    if (bytes >= (1L << 30) && bytes % (1L << 30) == 0) {
      return (bytes >> 30) + " GiB";
    }
    if (bytes >= (1L << 20) && bytes % (1L << 20) == 0) {
      return (bytes >> 20) + " MiB";
    }
    if (bytes >= (1L << 10) && bytes % (1L << 10) == 0) {
      return (bytes >> 10) + " KiB";
    }
    return bytes + " bytes";
  }

  private static String kind(BasicFileAttributes a) {
    if (a.isDirectory()) {
      return "a directory";
    }
    if (a.isOther()) {
      return "a FIFO, socket or device";
    }
    return "not a plain file";
  }
}
