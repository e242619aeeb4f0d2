/**
 * Turning a candidate log into training data: selection, duplicate removal, contamination checks
 * against benchmarks, output formats, the dataset card and the export report. It reads the log
 * through {@code dev.sparq.core.store}; applications and backends that offer a text deduplicator
 * may depend on it.
 */
package dev.sparq.core.export;
