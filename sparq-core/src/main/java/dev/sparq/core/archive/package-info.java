/**
 * Quality-diversity archives: the {@link dev.sparq.core.archive.Archive} port, {@link
 * dev.sparq.core.archive.CellArchive} with its grid, CVT, categorical and single-cell
 * tessellations, their statistics and exact JSON round trip. It depends on the value types of
 * {@code dev.sparq.core.model}; the engine, the store and applications may depend on it, value
 * types may not.
 */
package dev.sparq.core.archive;
