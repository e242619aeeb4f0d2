package dev.sparq.core.state;

import java.util.List;

/**
 * A component made of other components, such as an estimator wrapper or a union of descriptors.
 * The storage layer looks inside it for {@link Stateful} parts, so wrapping a component never
 * drops its state from a checkpoint.
 */
public interface Composite {
  /** The components this one is made of, in a fixed order. */
  List<?> parts();
}
