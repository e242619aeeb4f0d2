/**
 * The {@link dev.sparq.core.stage.Generator} stage over a language model: variation operators,
 * their default prompts and the parser that reads a problem and solution from model output (bad
 * output is a rejection, never an exception). It depends on the stage ports, the model port and
 * the prompt templates; presets and applications may depend on it.
 */
package dev.sparq.core.generate;
