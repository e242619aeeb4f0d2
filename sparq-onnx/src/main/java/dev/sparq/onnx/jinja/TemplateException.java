package dev.sparq.onnx.jinja;

/**
 * A chat template that cannot be parsed, raised through {@code raise_exception}, went over a
 * render budget, or did something Python Jinja2 refuses (an undefined call, adding a string to a
 * number, ...). The message names the template and the line.
 */
public final class TemplateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String templateName;
  private final int line;

  TemplateException(String templateName, int line, String message) {
    super(templateName + (line > 0 ? ", line " + line : "") + ": " + message);
    this.templateName = templateName;
    this.line = line;
  }

  /** The name given to the template (for example its model directory). */
  public String templateName() {
    return templateName;
  }

  /** The 1-based line of the template where it failed, or 0 when unknown. */
  public int line() {
    return line;
  }
}
