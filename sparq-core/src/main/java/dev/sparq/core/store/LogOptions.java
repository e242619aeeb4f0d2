package dev.sparq.core.store;

/**
 * How the candidate log is written.
 *
 * @param gzip compress shards ({@code .jsonl.gz}); each flush ends a gzip member
 * @param recordsPerShard start a new shard after the batch that reaches this many records
 * @param fsync force data to disk on {@link CandidateLog#flush()} (turn off only for throwaway runs)
 * @param rolloutTexts which rollout texts records keep (default {@link RolloutTexts#ALL})
 */
public record LogOptions(boolean gzip, long recordsPerShard, boolean fsync, RolloutTexts rolloutTexts) {
  public LogOptions {
    if (recordsPerShard < 1) {
      throw new IllegalArgumentException("recordsPerShard must be >= 1, was " + recordsPerShard);
    }
    java.util.Objects.requireNonNull(rolloutTexts, "rolloutTexts");
  }

  /** Options that keep every rollout text (the constructor of earlier versions). */
  public LogOptions(boolean gzip, long recordsPerShard, boolean fsync) {
    this(gzip, recordsPerShard, fsync, RolloutTexts.ALL);
  }

  /** Plain JSON Lines, one million records per shard, fsync at flush, every rollout text. */
  public static LogOptions defaults() {
    return new LogOptions(false, 1_000_000, true, RolloutTexts.ALL);
  }

  public LogOptions withGzip(boolean gzip) {
    return new LogOptions(gzip, recordsPerShard, fsync, rolloutTexts);
  }

  public LogOptions withRecordsPerShard(long n) {
    return new LogOptions(gzip, n, fsync, rolloutTexts);
  }

  public LogOptions withFsync(boolean fsync) {
    return new LogOptions(gzip, recordsPerShard, fsync, rolloutTexts);
  }

  /**
   * Which rollout texts to keep. {@link RolloutTexts#EXPORTABLE} keeps what the exporter can use
   * and makes a log at the paper's scale about ten times smaller; see {@link RolloutTexts}.
   */
  public LogOptions withRolloutTexts(RolloutTexts rolloutTexts) {
    return new LogOptions(gzip, recordsPerShard, fsync, rolloutTexts);
  }
}
