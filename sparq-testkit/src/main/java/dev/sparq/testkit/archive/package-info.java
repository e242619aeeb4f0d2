/**
 * {@link dev.sparq.testkit.archive.ArchiveContract}: the jqwik property suite of the
 * {@code Archive} contract, with {@link dev.sparq.testkit.archive.ArchiveFeature}s an archive can
 * opt out of (src-docs/archives.md).
 */
package dev.sparq.testkit.archive;
