/**
 * The value types that flow through a run: problems and their ids, rollouts, difficulty,
 * descriptors, lineage, elites and evaluated candidates. They depend on no other package of SPARQ,
 * and never on a container (archive, engine, store: checked by {@code ArchitectureTest}); every
 * other package may depend on them.
 */
package dev.sparq.core.model;
