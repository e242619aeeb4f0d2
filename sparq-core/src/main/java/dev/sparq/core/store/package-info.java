/**
 * A run on disk: the candidate log (sharded JSON lines, streamed reading, tail repair),
 * checkpoints with component slots, and {@link dev.sparq.core.store.SparqRun}, which resumes a
 * run from its directory. It depends on the engine, archives and value types; export,
 * applications and stages that keep checkpoint state may depend on it.
 */
package dev.sparq.core.store;
