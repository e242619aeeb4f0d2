/**
 * The contract for component state that must survive a checkpoint ({@link
 * dev.sparq.core.state.Stateful}): a component turns its state into JSON and back, and the store
 * discovers it. It depends on Jackson's tree model only; stages, archives and the store depend on
 * it, and it never depends on the store.
 */
package dev.sparq.core.state;
