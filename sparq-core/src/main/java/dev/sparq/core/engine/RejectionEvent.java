package dev.sparq.core.engine;

import dev.sparq.core.Rejection;

/**
 * Sent to listeners when a stage rejects an item.
 *
 * @param iteration the iteration (-1 while describing seeds)
 * @param stage {@code "generate"}, {@code "estimate"}, {@code "describe"}, {@code "archive"} or
 *     {@code "seed"}
 * @param problemId the parent id (generate stage) or the child id (later stages)
 * @param rejection the reason
 */
public record RejectionEvent(long iteration, String stage, String problemId, Rejection rejection) {}
