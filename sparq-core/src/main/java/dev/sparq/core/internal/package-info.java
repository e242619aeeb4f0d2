/**
 * Helpers shared by SPARQ's own modules and not part of the API: the Jackson configuration of
 * SPARQ's files, strict JSON reading, atomic file writes, I/O error messages and non-closing stream
 * wrappers. The module descriptor exports it only to SPARQ's own modules; user code must not
 * depend on it.
 */
package dev.sparq.core.internal;
