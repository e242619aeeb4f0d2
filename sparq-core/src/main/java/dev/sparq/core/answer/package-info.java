/**
 * Final-answer handling: extracting the answer from a solution text, parsing it into a value and
 * deciding whether a prediction matches the intended answer, within a deterministic step budget.
 * It depends only on {@code dev.sparq.core.math}; stages, seed loaders and backends may depend
 * on it.
 */
package dev.sparq.core.answer;
