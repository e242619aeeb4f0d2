/**
 * Ready-made wiring of the stages and the engine, such as the SPARQ paper's setup ({@link
 * dev.sparq.core.preset.PaperPreset}). It sits at the top of sparq-core and may depend on any
 * package of it; nothing in sparq-core depends on it.
 */
package dev.sparq.core.preset;
