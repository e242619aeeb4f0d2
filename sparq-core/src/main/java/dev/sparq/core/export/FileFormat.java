package dev.sparq.core.export;

import java.util.Locale;

/**
 * The container of an export's data file. Both load with Hugging Face {@code datasets}
 * ({@code load_dataset("json", ...)} or {@code load_dataset("parquet", ...)}) with the same columns.
 */
public enum FileFormat {
  /** JSON Lines: one JSON object per line, UTF-8 ({@code <name>.jsonl}). */
  JSONL("jsonl"),
  /**
   * Apache Parquet ({@code <name>.parquet}): one column per top-level field, lists of messages as
   * Parquet lists of structs, GZIP-compressed pages; written streaming in row groups of at most
   * 32 MiB. verl's RL dataset loader reads this.
   */
  PARQUET("parquet");

  private final String extension;

  FileFormat(String extension) {
    this.extension = extension;
  }

  /** The file name extension, without the dot. */
  public String extension() {
    return extension;
  }

  /** The lower-case name used on the command line. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The default container of {@code format}: Parquet for {@link ExportFormat#VERL}, else JSON Lines. */
  public static FileFormat defaultFor(ExportFormat format) {
    return format == ExportFormat.VERL ? PARQUET : JSONL;
  }
}
