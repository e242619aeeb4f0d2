package dev.sparq.core;

/** A model backend failed (missing model files, unreachable server after retries, native error). */
public class ModelException extends SparqException {
  private static final long serialVersionUID = 1L;

  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
