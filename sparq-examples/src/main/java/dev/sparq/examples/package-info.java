/**
 * Runnable examples of the Java API (quick start, demo domain, paper preset, run and export).
 * They may depend on any API package of sparq-core; nothing depends on them.
 */
package dev.sparq.examples;
