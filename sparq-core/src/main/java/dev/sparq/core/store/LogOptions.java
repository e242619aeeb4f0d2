package dev.sparq.core.store;

/**
 * How the candidate log is written.
 *
 * @param gzip compress shards ({@code .jsonl.gz}); each flush ends a gzip member
 * @param recordsPerShard start a new shard after the batch that reaches this many records
 * @param fsync force data to disk on {@link CandidateLog#flush()} (turn off only for throwaway runs)
 */
public record LogOptions(boolean gzip, long recordsPerShard, boolean fsync) {
  public LogOptions {
    if (recordsPerShard < 1) {
      throw new IllegalArgumentException("recordsPerShard must be >= 1, was " + recordsPerShard);
    }
  }

  /** Plain JSON Lines, one million records per shard, fsync at flush. */
  public static LogOptions defaults() {
    return new LogOptions(false, 1_000_000, true);
  }

  public LogOptions withGzip(boolean gzip) {
    return new LogOptions(gzip, recordsPerShard, fsync);
  }

  public LogOptions withRecordsPerShard(long n) {
    return new LogOptions(gzip, n, fsync);
  }

  public LogOptions withFsync(boolean fsync) {
    return new LogOptions(gzip, recordsPerShard, fsync);
  }
}
