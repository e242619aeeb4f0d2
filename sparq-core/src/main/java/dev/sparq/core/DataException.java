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
  private final String where;

  public DataException(Path file, long line, String field, String problem) {
    this(file, line, field, problem, null);
  }

  public DataException(Path file, long line, String field, String problem, Throwable cause) {
    super(format(file, line, null, field, problem), cause);
    this.file = file;
    this.line = line;
    this.field = field;
    this.where = null;
  }

  /**
   * A fault at a place that is not a line: {@code where} is said after the file, as in
   * {@code train.parquet: row 11 (row group 0): field 'question': is missing}.
   */
  public DataException(Path file, String where, String field, String problem) {
    super(format(file, 0, where, field, problem), null);
    this.file = file;
    this.line = 0;
    this.field = field;
    this.where = where;
  }

  private static String format(Path file, long line, String where, String field, String problem) {
    StringBuilder sb = new StringBuilder();
    sb.append(file == null ? "<input>" : file.toString());
    if (line > 0) {
      sb.append(':').append(line);
    }
    sb.append(": ");
    if (where != null) {
      sb.append(where).append(": ");
    }
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

  /** Where in the file, when that is not a line: a Parquet row, for example ({@code row 11 (row group 0)}). */
  public Optional<String> where() {
    return Optional.ofNullable(where);
  }

  /** The field at fault, if known. */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }
}
