package dev.sparq.core;

/**
 * Root of the exceptions thrown by SPARQ for Java at its boundaries (configuration, input files,
 * model backends, storage). Bad model <em>output</em> is never an exception: it is counted as a
 * {@link Rejection} and skipped.
 */
public class SparqException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SparqException(String message) {
    super(message);
  }

  public SparqException(String message, Throwable cause) {
    super(message, cause);
  }
}
