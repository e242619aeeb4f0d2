/**
 * Implementations of the {@link dev.sparq.core.stage.DiversityDescriptor} stage: skill niches
 * labelled by a model, cheap model-free descriptors and the union of several descriptors. It
 * depends on the stage ports, the model port and the value types; the engine never depends on it
 * (it sees only the port), presets and applications may.
 */
package dev.sparq.core.describe;
