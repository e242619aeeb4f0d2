/**
 * The SPARQ loop ({@link dev.sparq.core.engine.Sparq}): parent selection, working-set rules,
 * budgets, run totals and the events sent to listeners. It sees the stages only through {@code
 * dev.sparq.core.stage} and depends on archives and value types; the store, presets and
 * applications may depend on it, stages and value types may not.
 */
package dev.sparq.core.engine;
