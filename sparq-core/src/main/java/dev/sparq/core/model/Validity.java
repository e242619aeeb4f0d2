package dev.sparq.core.model;

/** Whether the rollouts support the problem's intended answer. */
public enum Validity {
  /** Nothing contradicts the intended answer (or the problem was not measured, e.g. a seed). */
  VALID,
  /** A clear majority of rollouts agree on an answer other than the intended one. */
  DISPUTED
}
