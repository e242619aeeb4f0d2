package dev.sparq.core.store;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A durable point in the candidate log, saved in checkpoints: resuming truncates the log back to it.
 *
 * @param shard index of the shard being written
 * @param offset byte length of that shard at this point (compressed bytes for gzip shards, which
 *     end a gzip member at every flush)
 * @param shardRecords records in that shard
 * @param records records in the whole log (the next record's {@code seq})
 */
public record LogPosition(
    @JsonProperty("shard") int shard,
    @JsonProperty("offset") long offset,
    @JsonProperty("shardRecords") long shardRecords,
    @JsonProperty("records") long records) {
  /** The position of an empty log. */
  public static LogPosition start() {
    return new LogPosition(0, 0, 0, 0);
  }
}
