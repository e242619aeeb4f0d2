package dev.sparq.examples.cli;

import static dev.sparq.examples.cli.CliTestSupport.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.DataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sparq report -o FILE}: a report of a run directory that is not ours to write (a colleague's
 * run, a mounted archive) goes elsewhere and leaves the run directory untouched; an output path that
 * is a directory or a link is refused before the checkpoint is read.
 */
class ReportOutputTest {
  @TempDir Path tmp;

  private Path demo() {
    return CliTestSupport.smallDemo(tmp.resolve("run"));
  }

  /** Every path below {@code dir} with its size and modification time. */
  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.sorted().map(p -> {
        try {
          return dir.relativize(p) + " " + (Files.isDirectory(p) ? "dir" : Files.size(p)) + " "
              + Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).toList();
    }
  }

  @Test
  void outputWritesTheReportElsewhereAndLeavesTheRunDirectoryAsItWas() throws IOException {
    Path dir = demo();
    Files.delete(dir.resolve("report.html"));
    List<String> before = listing(dir);
    Path file = tmp.resolve("reports/colleague/run.html"); // missing folders are created
    CliTestSupport.Result r = sparq("report", dir.toString(), "-o", file.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains(file.toAbsolutePath().normalize().toString()), r.out());
    String html = Files.readString(file);
    assertTrue(html.startsWith("<!DOCTYPE html>") || html.startsWith("<!doctype html>"), html.substring(0, 40));
    assertTrue(html.contains("data-cell"), "the archive is drawn");
    assertEquals(before, listing(dir), "nothing in the run directory was written, not even report.html");
    try (Stream<Path> s = Files.list(file.getParent())) {
      assertEquals(List.of(file), s.toList(), "no temporary file is left beside the report");
    }
    // an existing report is replaced
    Files.writeString(file, "old");
    assertEquals(0, sparq("report", dir.toString(), "--output", file.toString()).status());
    assertEquals(html, Files.readString(file));
  }

  @Test
  void anOutputThatIsADirectoryOrALinkIsRefusedBeforeTheCheckpointIsRead() throws IOException {
    Path dir = demo();
    // a broken checkpoint: a command that read it first would fail on it instead of on the output
    Files.writeString(dir.resolve("checkpoint.json"), "{broken");
    Path folder = Files.createDirectories(tmp.resolve("reports"));
    CliTestSupport.Result r = sparq("report", dir.toString(), "-o", folder.toString());
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains(folder + ": is a directory; the report is one file: give -o the file name, for "
        + "example " + folder.resolve("report.html")), r.err());
    assertFalse(r.err().contains("checkpoint"), r.err());
    try (Stream<Path> s = Files.list(folder)) {
      assertEquals(0, s.count(), "nothing was written into the folder");
    }

    Path target = Files.writeString(tmp.resolve("notes.txt"), "mine");
    Path link = Files.createSymbolicLink(tmp.resolve("link.html"), target);
    r = sparq("report", dir.toString(), "-o", link.toString());
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains(link + ": refusing to write the report through a symbolic link"), r.err());
    assertEquals("mine", Files.readString(target));
    Path dangling = Files.createSymbolicLink(tmp.resolve("dangling.html"), tmp.resolve("nowhere.html"));
    r = sparq("report", dir.toString(), "-o", dangling.toString());
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains("symbolic link"), r.err());
    assertFalse(Files.exists(tmp.resolve("nowhere.html")), "nothing is written where the link points");

    Path linkedFolder = Files.createSymbolicLink(tmp.resolve("linked"), folder);
    r = sparq("report", dir.toString(), "-o", linkedFolder.resolve("r.html").toString());
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains(linkedFolder + ": refusing to write the report into a directory that is a symbolic"
        + " link"), r.err());

    r = sparq("report", dir.toString(), "-o", target.resolve("r.html").toString());
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains("cannot write the report: " + target + " is not a directory; choose another -o FILE"),
        r.err());
    assertEquals("mine", Files.readString(target));
  }

  @Test
  void aRunDirectoryThatCannotBeWrittenSaysToUseOutput() throws IOException {
    Path dir = demo();
    Files.delete(dir.resolve("report.html"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      // root may write anywhere; a read-only mount refuses even root, but a test cannot make one
      Assumptions.assumeFalse(Files.isWritable(dir), "running as root: permissions do not stop writes");
      CliTestSupport.Result r = sparq("report", dir.toString());
      assertEquals(2, r.status(), r.out());
      assertTrue(r.err().contains("the run directory " + dir.toAbsolutePath() + " is not writable"), r.err());
      assertTrue(r.err().contains("write the report elsewhere with -o FILE"), r.err());
      Path file = tmp.resolve("r.html");
      CliTestSupport.Result o = sparq("report", dir.toString(), "-o", file.toString());
      assertEquals(0, o.status(), o.err());
      assertTrue(Files.size(file) > 0);
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void theCheckNamesAnUnwritableRunDirectoryAndAdvisesOutput() throws IOException {
    // what the check says, independent of who runs the test: a folder that cannot be written
    Path file = Path.of("/proc/1/report.html"); // procfs refuses new files even to root
    Assumptions.assumeTrue(Files.isDirectory(file.getParent()) && !Files.isWritable(file.getParent()),
        "no unwritable /proc/1 here");
    DataException e = assertThrows(DataException.class, () -> HtmlReport.checkOutput(file, true));
    assertTrue(e.getMessage().contains("the run directory /proc/1 is not writable (a read-only mount or another "
        + "user's run); write the report elsewhere with -o FILE"), e.getMessage());
    DataException o = assertThrows(DataException.class, () -> HtmlReport.checkOutput(file, false));
    assertTrue(o.getMessage().contains("the directory /proc/1 is not writable; choose another -o FILE"),
        o.getMessage());
  }

  @Test
  void aWriteRefusedByTheFileSystemIsRecognisedAsNotWritable() {
    // how the JDK reports EROFS and EACCES from the rename or the temporary file's creation
    Path f = tmp.resolve(".report.html.1.a.tmp");
    assertTrue(HtmlReport.notWritable(new UncheckedIOException("cannot write report.html",
        new FileSystemException(f.toString(), null, "Read-only file system"))));
    assertTrue(HtmlReport.notWritable(new UncheckedIOException("cannot write report.html",
        new AccessDeniedException(f.toString()))));
    assertFalse(HtmlReport.notWritable(new UncheckedIOException("cannot write report.html",
        new FileSystemException(f.toString(), null, "No space left on device"))));
  }
}
