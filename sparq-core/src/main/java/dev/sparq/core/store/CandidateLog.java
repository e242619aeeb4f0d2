package dev.sparq.core.store;

import dev.sparq.core.SparqException;
import dev.sparq.core.internal.ChannelOpener;
import dev.sparq.core.internal.Streams;
import dev.sparq.core.internal.UntrustedFiles;
import dev.sparq.core.engine.CandidateSink;
import dev.sparq.core.model.EvaluatedCandidate;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * The candidate log: SPARQ's archive A on disk. Every evaluated candidate the engine hands over is
 * appended as one JSON line ({@link LogCodec}) to the current shard {@code candidates-NNNNNN.jsonl}
 * (or {@code .jsonl.gz}); a new shard is started after a batch once the current one holds
 * {@link LogOptions#recordsPerShard()} records.
 *
 * <p>Durability: {@link #flush()} (called by the engine and at every checkpoint) writes buffered
 * records, ends the current gzip member (concatenated members are one valid gzip stream) and forces
 * the file to disk; {@link #checkpoint()} does the same and returns the {@link LogPosition} to save.
 * {@link #resume} truncates the log back to such a position, so records written after the last
 * checkpoint (including a line torn by a crash) are cut off and nothing is duplicated when the run
 * continues. {@link #recover} does the same without a checkpoint, cutting only a torn last line.
 *
 * <p>A write that fails (a full disk, a file-size limit) throws an {@link UncheckedIOException} naming
 * the shard; from then on the log refuses to write, because part of the failed buffer may be in the
 * file. {@link #close()} still releases the channel and the lock, and the run resumes from its last
 * checkpoint.
 *
 * <p>While open, a log holds an exclusive lock on {@value #LOCK_FILE} in its folder
 * ({@link DirectoryLock}), so a second log on the same folder, from another run in this process or
 * another process, is refused with an error naming the holder instead of interleaving records.
 *
 * <p>Not thread-safe: the engine calls it from its own thread.
 */
public final class CandidateLog implements CandidateSink {
  private final Path dir;
  private final LogOptions options;
  private final ByteArrayOutputStream record = new ByteArrayOutputStream(4096);

  private int shard;
  private long shardRecords;
  private long records;
  private FileChannel channel;
  private BufferedOutputStream buffered;
  private GZIPOutputStream gzip;
  private boolean closed;
  /** The first write that failed; after it the log refuses to write (see {@link #failed}). */
  private IOException failure;
  private final DirectoryLock lock;
  private final ChannelOpener opener;

  /** File of the writer lock inside the log folder, held while a log is open on it. */
  public static final String LOCK_FILE = "writer.lock";

  private CandidateLog(Path dir, LogOptions options, LogPosition position, DirectoryLock lock,
      ChannelOpener opener) throws IOException {
    this.dir = dir;
    this.lock = lock;
    this.opener = opener;
    this.options = options;
    this.shard = position.shard();
    this.shardRecords = position.shardRecords();
    this.records = position.records();
    openShard(position.offset());
  }

  /**
   * Starts a new, empty log in {@code dir} (created if needed). Existing shards of an earlier log
   * in that directory are deleted.
   */
  public static CandidateLog create(Path dir, LogOptions options) {
    return create(dir, options, ChannelOpener.DEFAULT);
  }

  /** {@link #create(Path, LogOptions)} writing through channels from {@code opener} (tests). */
  static CandidateLog create(Path dir, LogOptions options, ChannelOpener opener) {
    return locked(dir, options, "create", opener, () -> {
      for (Path p : LogFiles.shards(dir)) {
        Files.delete(p);
      }
      return LogPosition.start();
    });
  }

  /**
   * Reopens a log at a checkpointed position: shards after {@code position.shard()} are deleted and
   * that shard is truncated to {@code position.offset()} bytes, then appending continues. With
   * {@code options} of fewer records per shard than that shard already holds (lowered to keep files
   * under a file-size limit after a "File too large" failure), the next batch starts a new shard
   * and the full one is not written to again.
   *
   * @throws SparqException when the log is shorter than the position (data lost after a checkpoint)
   */
  public static CandidateLog resume(Path dir, LogOptions options, LogPosition position) {
    return resume(dir, options, position, ChannelOpener.DEFAULT);
  }

  /** {@link #resume(Path, LogOptions, LogPosition)} writing through channels from {@code opener}. */
  static CandidateLog resume(Path dir, LogOptions options, LogPosition position,
      ChannelOpener opener) {
    if (position.shard() < 0 || position.offset() < 0 || position.shardRecords() < 0 || position.records() < 0) {
      // deleting "the shards after -1" would delete them all
      throw new SparqException("candidate log " + dir + ": invalid checkpointed position " + position
          + " (negative); nothing was deleted");
    }
    return locked(dir, options, "reopen", opener, () -> {
      Path current = LogFiles.shard(dir, position.shard(), options.gzip());
      // every check comes before the first shard is deleted, so a position that does not fit the
      // log leaves it as it is
      Path other = LogFiles.shard(dir, position.shard(), !options.gzip());
      if (!Files.exists(current) && Files.exists(other)) {
        throw new SparqException("candidate log " + dir + " is " + (options.gzip() ? "not " : "")
            + "gzip-compressed (" + other.getFileName() + ") but the log options say otherwise");
      }
      boolean present = Files.exists(current, java.nio.file.LinkOption.NOFOLLOW_LINKS);
      long size = present ? UntrustedFiles.requireRegularFile(current, UntrustedFiles.Links.REFUSE,
          "candidate log shard") : 0;
      if (size < position.offset()) {
        throw new SparqException("candidate log " + current + " has " + size
            + " bytes but the checkpoint recorded " + position.offset()
            + ": records written before the checkpoint are missing");
      }
      for (Path p : LogFiles.shards(dir)) {
        if (LogFiles.index(p) > position.shard()) {
          Files.delete(p);
        }
      }
      return position;
    });
  }

  /**
   * Reopens a log that has no checkpoint: keeps every complete record and cuts a torn last line
   * (a gzip shard is rewritten without its broken tail).
   */
  public static CandidateLog recover(Path dir, LogOptions options) {
    return locked(dir, options, "recover", ChannelOpener.DEFAULT, () -> {
      List<Path> shards = LogFiles.shards(dir);
      if (shards.isEmpty()) {
        return LogPosition.start();
      }
      Path last = shards.get(shards.size() - 1);
      LogFiles.Scan scan = LogFiles.repairTail(last);
      long total = scan.lastSeq() + 1;
      if (scan.lines() == 0 && shards.size() > 1) {
        LogFiles.Scan prev = LogFiles.scan(shards.get(shards.size() - 2));
        total = prev.lastSeq() + 1;
      }
      int index = LogFiles.index(last);
      boolean gz = LogFiles.isGzip(last);
      if (gz != options.gzip()) {
        throw new SparqException("candidate log " + dir + " is " + (gz ? "" : "not ")
            + "gzip-compressed but the options say otherwise");
      }
      return new LogPosition(index, Files.size(last), scan.lines(), total);
    });
  }

  /** Where a log starts appending, worked out (and the folder prepared) under the writer lock. */
  private interface Opening {
    LogPosition position() throws IOException;
  }

  /**
   * Creates {@code dir}, takes its {@link #LOCK_FILE} (refused while another log is open on it, in
   * this process or another), then prepares the folder and opens the log; the lock is released if
   * that fails.
   */
  private static CandidateLog locked(Path dir, LogOptions options, String verb,
      ChannelOpener opener, Opening opening) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot " + verb + " candidate log in " + dir, e);
    }
    DirectoryLock lock = DirectoryLock.acquire(dir.resolve(LOCK_FILE), "the candidate log " + dir);
    try {
      return new CandidateLog(dir, options, opening.position(), lock, opener);
    } catch (IOException e) {
      lock.close();
      throw new UncheckedIOException("cannot " + verb + " candidate log in " + dir, e);
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }



  private void openShard(long truncateTo) throws IOException {
    Path file = LogFiles.shard(dir, shard, options.gzip());
    // never through a symbolic link planted in the run directory
    channel = opener.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        java.nio.file.LinkOption.NOFOLLOW_LINKS);
    channel.truncate(truncateTo);
    channel.position(truncateTo);
    buffered = new BufferedOutputStream(Streams.nonClosing(Channels.newOutputStream(channel)), 1 << 16);
    gzip = null;
  }

  private OutputStream out() throws IOException {
    if (!options.gzip()) {
      return buffered;
    }
    if (gzip == null) {
      gzip = new GZIPOutputStream(buffered, 1 << 16);
    }
    return gzip;
  }

  @Override
  public void accept(long iteration, List<EvaluatedCandidate> candidates) {
    if (closed) {
      throw new IllegalStateException("candidate log is closed");
    }
    refuseAfterFailure("append to");
    try {
      // a shard is full here only when the log was resumed with fewer records per shard than it was
      // written with (to get under a file-size limit): the batch goes into a new shard, never into
      // the full one
      rotateIfFull();
      OutputStream out = out();
      for (EvaluatedCandidate c : candidates) {
        append(c, out);
      }
      rotateIfFull();
    } catch (IOException e) {
      throw failed("append to", e);
    }
  }

  /** The shard being written. */
  private Path currentShard() {
    return LogFiles.shard(dir, shard, options.gzip());
  }

  /**
   * Remembers that a write failed and returns the exception to throw. After a failed write the
   * buffer may have reached the file in part, so writing it again could put the same bytes twice:
   * the log refuses every further write, and the run resumes from its last checkpoint, where the
   * log is cut back to a known position.
   */
  private UncheckedIOException failed(String verb, IOException e) {
    if (failure == null) {
      failure = e;
    }
    return new UncheckedIOException("cannot " + verb + " candidate log " + currentShard(), e);
  }

  private void refuseAfterFailure(String verb) {
    if (failure != null) {
      throw new UncheckedIOException("cannot " + verb + " candidate log " + currentShard()
          + ": an earlier write failed, so the records after the last checkpoint are incomplete;"
          + " close the run and resume it from its last checkpoint", failure);
    }
  }

  private void rotateIfFull() throws IOException {
    if (shardRecords >= options.recordsPerShard()) {
      endMember();
      if (options.fsync()) {
        channel.force(false);
      }
      channel.close();
      shard++;
      shardRecords = 0;
      openShard(0);
    }
  }

  /**
   * Appends one record outside the engine's batches (for tools that write or convert logs); a
   * new shard starts as soon as the current one is full.
   */
  public void append(EvaluatedCandidate c) {
    if (closed) {
      throw new IllegalStateException("candidate log is closed");
    }
    refuseAfterFailure("append to");
    try {
      rotateIfFull(); // resumed with fewer records per shard: see accept
      append(c, out());
      rotateIfFull();
    } catch (IOException e) {
      throw failed("append to", e);
    }
  }

  private void append(EvaluatedCandidate c, OutputStream out) throws IOException {
    record.reset();
    LogCodec.write(records, c, record, options.rolloutTexts());
    record.write('\n');
    record.writeTo(out);
    records++;
    shardRecords++;
  }

  private void endMember() throws IOException {
    if (gzip != null) {
      gzip.finish();
      gzip = null;
    }
    buffered.flush();
  }

  /** Writes everything buffered and forces it to disk. */
  @Override
  public void flush() {
    if (closed) {
      return;
    }
    refuseAfterFailure("flush");
    writeOut();
  }

  /** {@link #flush()}es and returns the position to record in a checkpoint. */
  public LogPosition checkpoint() {
    flush();
    try {
      return new LogPosition(shard, channel.position(), shardRecords, records);
    } catch (IOException e) {
      throw failed("read the position of", e);
    }
  }

  /** Records appended so far over the whole run (the next record's {@code seq}). */
  public long records() {
    return records;
  }

  /** The log directory. */
  public Path directory() {
    return dir;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    // the channel and the writer lock are released whatever happens to the last flush (a full
    // disk): a lock left held would refuse every later run on this directory in this process
    closed = true;
    RuntimeException first = null;
    if (failure == null) {
      try {
        writeOut();
      } catch (UncheckedIOException e) {
        first = e;
      }
    }
    try {
      channel.close();
    } catch (IOException e) {
      UncheckedIOException u = new UncheckedIOException("cannot close candidate log " + currentShard(), e);
      if (first == null) {
        first = u;
      } else {
        first.addSuppressed(u);
      }
    }
    try {
      lock.close();
    } catch (RuntimeException e) {
      if (first == null) {
        first = e;
      } else {
        first.addSuppressed(e);
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Ends the open gzip member, writes what is buffered and forces it to disk (fsync option). */
  private void writeOut() {
    try {
      endMember();
      if (options.fsync()) {
        channel.force(false);
      }
    } catch (IOException e) {
      throw failed("flush", e);
    }
  }

  static void replace(Path tmp, Path target) throws IOException {
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
