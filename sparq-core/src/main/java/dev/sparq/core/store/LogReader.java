package dev.sparq.core.store;

import dev.sparq.core.DataException;
import dev.sparq.core.internal.IoMessages;
import dev.sparq.core.internal.UntrustedFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Streams the records of a candidate log, shard after shard, in {@code seq} order, holding one
 * buffer and one record at a time. A torn last line of the last shard (a crash while writing) is
 * skipped and counted in {@link #tornLines()}; a malformed complete line, or a torn line in any other
 * shard, is a {@link DataException} naming the shard and line.
 *
 * <pre>{@code
 * try (LogReader log = LogReader.open(runDir.resolve("log"))) {
 *   while (log.hasNext()) {
 *     LoggedCandidate c = log.next();
 *   }
 * }
 * }</pre>
 */
public final class LogReader implements Iterator<LoggedCandidate>, AutoCloseable {
  /** The folder or shard file opened. */
  private final Path path;
  private final List<Path> shards;
  private final long limit;
  /** Whether the caller named one shard file itself (a link to it is then followed). */
  private final boolean named;
  private int shardIndex = -1;
  private LineInput input;
  private long line;
  private long read;
  private long torn;
  private LoggedCandidate next;
  private boolean done;

  private LogReader(Path path, List<Path> shards, long limit, boolean named) {
    this.path = path;
    this.shards = shards;
    this.limit = limit;
    this.named = named;
  }

  /** Opens the log in {@code path}: a log directory, or one shard file. */
  public static LogReader open(Path path) {
    return open(path, Long.MAX_VALUE);
  }

  /**
   * Opens the log and stops after {@code maxRecords} records (for example a checkpoint's count).
   *
   * <p>Shards found in a folder are read only when they are regular files, never through a
   * symbolic link; a FIFO or device is refused before it is opened. A shard file named directly may
   * be a link to a regular file.
   *
   * @throws DataException when {@code path} does not exist, or is a folder that holds no shard but
   *     other files (a run directory, whose log is its {@code log} folder, or a mistyped path), or
   *     is neither a folder nor a regular file; an empty folder is an empty log; a shard that is a
   *     link, a FIFO or a device is a {@code DataException} naming it when it is reached
   */
  public static LogReader open(Path path, long maxRecords) {
    try {
      if (!Files.exists(path)) {
        throw new DataException(path, 0, null, "no candidate log here: the path does not exist");
      }
      boolean named = !Files.isDirectory(path);
      if (named) {
        UntrustedFiles.requireRegularFile(path, UntrustedFiles.Links.FOLLOW, "candidate log shard");
      }
      List<Path> shards = named ? List.of(path) : LogFiles.shards(path);
      if (shards.isEmpty()) {
        refuseForeignFolder(path);
        // a writer may have created the first shard since the folder was listed
        shards = LogFiles.shards(path);
      }
      return new LogReader(path, shards, maxRecords, named);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list candidate log " + path, e);
    }
  }

  /**
   * A folder without shards is an empty log only when it holds nothing but the writer lock (or a
   * shard that a running writer created after the folder was first listed).
   */
  private static void refuseForeignFolder(Path dir) throws IOException {
    List<String> names;
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      names = s.map(p -> p.getFileName().toString())
          .filter(n -> !n.equals(CandidateLog.LOCK_FILE))
          // a shard created by a running writer after the first listing is not a foreign file
          .filter(n -> !LogFiles.SHARD.matcher(n).matches())
          .sorted().limit(5).toList();
    }
    if (names.isEmpty()) {
      return;
    }
    String hint = Files.isDirectory(dir.resolve(SparqRun.LOG))
        ? "it looks like a run directory; its candidate log is " + dir.resolve(SparqRun.LOG)
        : "give a run's log folder (run-dir/" + SparqRun.LOG + ") or one shard file";
    throw new DataException(dir, 0, null, "no candidate log here: the folder holds no "
        + "candidates-NNNNNN.jsonl[.gz] shard but other files (" + String.join(", ", names)
        + (names.size() == 5 ? ", ..." : "") + "); " + hint);
  }

  /** The shard files this reader visits, in order. */
  public List<Path> shards() {
    return shards;
  }

  @Override
  public boolean hasNext() {
    if (next == null && !done) {
      next = advance();
      done = next == null;
    }
    return next != null;
  }

  @Override
  public LoggedCandidate next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    LoggedCandidate c = next;
    next = null;
    return c;
  }

  private LoggedCandidate advance() {
    if (!advanceLine()) {
      return null;
    }
    return decodeCurrent();
  }

  private LoggedCandidate decodeCurrent() {
    try {
      return LogCodec.read(input.buffer(), input.lineStart(), input.lineLength());
    } catch (IOException | RuntimeException e) {
      throw new DataException(shards.get(shardIndex), line, null,
          "not a valid candidate record: " + IoMessages.describe(e), e);
    }
  }

  /** Moves to the next non-empty complete line; false at the end or at the limit. */
  private boolean advanceLine() {
    if (read >= limit) {
      return false;
    }
    try {
      while (true) {
        if (input == null) {
          if (++shardIndex >= shards.size()) {
            return false;
          }
          input = new LineInput(LogFiles.open(shards.get(shardIndex),
              named ? UntrustedFiles.Links.FOLLOW : UntrustedFiles.Links.REFUSE));
          line = 0;
        }
        if (input.next()) {
          line++;
          if (input.lineLength() == 0) {
            continue;
          }
          read++;
          return true;
        }
        if (input.tornTail()) {
          damage = input.damage();
          if (shardIndex < shards.size() - 1) {
            throw new DataException(shards.get(shardIndex), line + 1, null,
                "the shard ends inside a record but is not the last shard");
          }
          torn++;
        }
        input.close();
        input = null;
      }
    } catch (LineInput.LineTooLongException e) {
      throw new DataException(shards.get(shardIndex), line + 1, null, e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read candidate log shard "
          + shards.get(Math.max(0, Math.min(shardIndex, shards.size() - 1))), e);
    }
  }

  /**
   * Advances to the next record without decoding it, for readers that filter on the leading
   * fields ({@code seq}, {@code quality}) before paying for a full decode. Returns null at the end.
   * The view is valid until the next call; do not mix with {@link #next()}.
   */
  public RecordView nextView() {
    if (next != null) {
      throw new IllegalStateException("nextView() cannot follow hasNext()");
    }
    if (done || !advanceLine()) {
      done = true;
      return null;
    }
    view.peeked = false;
    return view;
  }

  private final RecordView view = new RecordView();

  /** The current record of {@link #nextView()}, decoded lazily. */
  public final class RecordView {
    private boolean peeked;
    private long seq;
    private double quality;

    private RecordView() {}

    private void peek() {
      if (!peeked) {
        try {
          LogCodec.Header h = LogCodec.peek(input.buffer(), input.lineStart(), input.lineLength());
          if (h.seq() < 0 || Double.isNaN(h.quality())) {
            // not in the usual order (or a null quality): fall back to a full decode
            LoggedCandidate c = decodeCurrent();
            seq = c.seq();
            quality = c.candidate().difficulty().quality();
          } else {
            seq = h.seq();
            quality = h.quality();
          }
        } catch (IOException | RuntimeException e) {
          throw new DataException(shards.get(shardIndex), line, null,
              "not a valid candidate record: " + IoMessages.describe(e), e);
        }
        peeked = true;
      }
    }

    /** The record's sequence number. */
    public long seq() {
      peek();
      return seq;
    }

    /** The record's quality. */
    public double quality() {
      peek();
      return quality;
    }

    /**
     * The record's scalar fields, its texts skipped without being decoded ({@link
     * CandidateSummary}).
     *
     * @throws DataException naming the shard and line when the record is not a valid candidate
     *     record
     */
    public CandidateSummary summary() {
      try {
        return LogCodec.readSummary(input.buffer(), input.lineStart(), input.lineLength());
      } catch (IOException | RuntimeException e) {
        throw new DataException(shards.get(shardIndex), line, null,
            "not a valid candidate record: " + IoMessages.describe(e), e);
      }
    }

    /** Decodes the whole record. */
    public LoggedCandidate decode() {
      return decodeCurrent();
    }
  }

  /**
   * Fails when fewer than {@code expected} records were read although the log has been read to its
   * end: a checkpoint counts {@code expected} records, all flushed before it was written, so a log
   * that holds fewer was cut short or is damaged (a gzip shard whose compressed bytes are not what
   * was written reads as if it ended there). Without this check a report or an inspection would
   * silently cover fewer candidates than the run made. Call it after {@link #hasNext()} (or {@link
   * #nextView()}) returned the end.
   *
   * @throws DataException naming the last shard and the line where reading stopped, with what was
   *     wrong with the bytes when the decompressor said so
   */
  public void requireRecords(long expected) {
    if (read >= expected || !done && input != null) {
      return;
    }
    Path last = shards.isEmpty() ? null : shards.get(shards.size() - 1);
    String found = "the candidate log ends after " + read + " record" + (read == 1 ? "" : "s") + " but the "
        + "checkpoint counts " + expected;
    if (last == null) {
      throw new DataException(path, 0, null, found + ", and the log folder holds no shard");
    }
    throw new DataException(last, line + 1, null, found + ": "
        + (damage != null ? "the compressed bytes are damaged here (" + damage.getMessage() + ")"
            : "the shard is cut short here")
        + "; the records after it are lost (restore the run directory from a copy if there is one)");
  }

  private IOException damage;

  /** Records returned so far. */
  public long recordsRead() {
    return read;
  }

  /** Torn last lines skipped (0 or 1). */
  public long tornLines() {
    return torn;
  }

  /** This reader as a sequential stream (closing the stream closes the reader). */
  public Stream<LoggedCandidate> stream() {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this,
        Spliterator.ORDERED | Spliterator.NONNULL), false).onClose(this::close);
  }

  @Override
  public void close() {
    done = true;
    next = null;
    if (input != null) {
      try {
        input.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      input = null;
    }
  }
}
