/**
 * The {@code sparq} command line: run configuration and its validation, the run directory, the
 * runner, exports, progress display and the HTML report. It depends on sparq-core, the backends
 * and the demo domain; nothing depends on it.
 */
package dev.sparq.examples.cli;
