package dev.sparq.core;

import java.nio.file.Path;
import java.util.Optional;

/**
 * An input file could not be read as expected. The message always has the shape
 * {@code file:line: field 'name': problem} (line and field when known), so a user can go straight to
 * the fault.
 */
public class DataException extends SparqException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long line;
  private final String field;

  public DataException(Path file, long line, String field, String problem) {
    this(file, line, field, problem, null);
  }

  public DataException(Path file, long line, String field, String problem, Throwable cause) {
    super(format(file, line, field, problem), cause);
    this.file = file;
    this.line = line;
    this.field = field;
  }

  private static String format(Path file, long line, String field, String problem) {
    StringBuilder sb = new StringBuilder();
    sb.append(file == null ? "<input>" : file.toString());
    if (line > 0) {
      sb.append(':').append(line);
    }
    sb.append(": ");
    if (field != null) {
      sb.append("field '").append(field).append("': ");
    }
    return sb.append(problem).toString();
  }

  /** The file at fault, if known. */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** The 1-based line number, or 0 when the fault is not tied to a line. */
  public long line() {
    return line;
  }

  /** The field at fault, if known. */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }
}
