/**
 * The exceptions SPARQ for Java throws at its boundaries ({@link dev.sparq.core.SparqException}
 * and its configuration, data and model subclasses) and the per-item result of a batch stage
 * ({@link dev.sparq.core.Outcome}, {@link dev.sparq.core.Rejection}). It depends on nothing else
 * of SPARQ; every other package may depend on it.
 */
package dev.sparq.core;
