package dev.sparq.core.store;

import dev.sparq.core.SparqException;
import dev.sparq.core.internal.UntrustedFiles;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Shard naming, listing and tail repair for the candidate log. */
final class LogFiles {
  static final Pattern SHARD = Pattern.compile("candidates-(\\d{6})\\.jsonl(\\.gz)?");

  private LogFiles() {}

  static Path shard(Path dir, int index, boolean gzip) {
    return dir.resolve(String.format("candidates-%06d.jsonl%s", index, gzip ? ".gz" : ""));
  }

  static int index(Path shard) {
    Matcher m = SHARD.matcher(shard.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a log shard: " + shard);
    }
    return Integer.parseInt(m.group(1));
  }

  static boolean isGzip(Path shard) {
    return shard.getFileName().toString().endsWith(".gz");
  }

  /** The shards in {@code dir}, in order. */
  static List<Path> shards(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> SHARD.matcher(p.getFileName().toString()).matches()).forEach(out::add);
    }
    out.sort(Comparator.comparingInt(LogFiles::index));
    for (int i = 1; i < out.size(); i++) {
      if (index(out.get(i)) == index(out.get(i - 1))) {
        throw new SparqException("candidate log " + dir + " has both a plain and a gzip shard "
            + index(out.get(i)));
      }
    }
    return out;
  }

  /**
   * Opens a shard found in a log folder: a regular file, never through a symbolic link (a planted
   * {@code candidates-000000.jsonl -> ~/.cache/huggingface/token} would otherwise be read and
   * quoted in the parse error), and never a FIFO or device.
   */
  static InputStream open(Path shard) throws IOException {
    return open(shard, UntrustedFiles.Links.REFUSE);
  }

  /** {@link #open(Path)}; {@code links} FOLLOW only for a shard file the caller named itself. */
  static InputStream open(Path shard, UntrustedFiles.Links links) throws IOException {
    InputStream in = UntrustedFiles.open(shard, links, "candidate log shard");
    if (isGzip(shard)) {
      return new GZIPInputStream(in, 1 << 16);
    }
    return new BufferedInputStream(in, 1 << 16);
  }

  /** Complete lines of a shard and the seq of its last complete record (-1 when none). */
  record Scan(long lines, long lastSeq, long completeBytes, boolean torn) {}

  static Scan scan(Path shard) throws IOException {
    long lines = 0;
    long bytes = 0;
    byte[] last = null;
    int lastLen = 0;
    boolean torn;
    try (LineInput in = new LineInput(open(shard))) {
      while (nextOrFail(in, shard, lines)) {
        lines++;
        bytes += in.lineLength() + 1;
        if (last == null || last.length < in.lineLength()) {
          last = new byte[Math.max(in.lineLength(), 256)];
        }
        System.arraycopy(in.buffer(), in.lineStart(), last, 0, in.lineLength());
        lastLen = in.lineLength();
      }
      torn = in.tornTail();
    }
    long seq = -1;
    if (lines > 0) {
      seq = LogCodec.read(last, 0, lastLen).seq();
    }
    return new Scan(lines, seq, bytes, torn);
  }

  /** {@link LineInput#next()}, with an over-long line reported as a {@link DataException} naming shard and line. */
  static boolean nextOrFail(LineInput in, Path shard, long linesSoFar) throws IOException {
    try {
      return in.next();
    } catch (LineInput.LineTooLongException e) {
      throw new dev.sparq.core.DataException(shard, linesSoFar + 1, null, e.getMessage(), e);
    }
  }

  /** Cuts a torn last line off a shard (plain: truncate; gzip: rewrite the complete lines). */
  static Scan repairTail(Path shard) throws IOException {
    Scan scan = scan(shard);
    if (!scan.torn()) {
      return scan;
    }
    if (!isGzip(shard)) {
      try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.WRITE,
          java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        ch.truncate(scan.completeBytes());
        ch.force(true);
      }
      return new Scan(scan.lines(), scan.lastSeq(), scan.completeBytes(), false);
    }
    Path tmp = shard.resolveSibling(shard.getFileName() + ".tmp");
    Files.deleteIfExists(tmp); // a leftover, or a planted link: removed, never written through
    try (LineInput in = new LineInput(open(shard));
        OutputStream out = new GZIPOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS), 1 << 16)) {
      while (in.next()) {
        out.write(in.buffer(), in.lineStart(), in.lineLength());
        out.write('\n');
      }
    }
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    CandidateLog.replace(tmp, shard);
    return new Scan(scan.lines(), scan.lastSeq(), scan.completeBytes(), false);
  }
}
