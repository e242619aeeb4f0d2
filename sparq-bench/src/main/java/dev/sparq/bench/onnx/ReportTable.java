package dev.sparq.bench.onnx;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with left-aligned columns two spaces apart, for the harness reports. */
final class ReportTable {
  private final String[] header;
  private final List<String[]> rows = new ArrayList<>();

  ReportTable(String... header) {
    this.header = header.clone();
  }

  /** Adds a row; it must have one cell per column. */
  ReportTable row(String... cells) {
    if (cells.length != header.length) {
      throw new IllegalArgumentException("row has " + cells.length + " cells, the table has "
          + header.length + " columns");
    }
    rows.add(cells.clone());
    return this;
  }

  /** Whether no row has been added. */
  boolean isEmpty() {
    return rows.isEmpty();
  }

  /**
   * The last row as {@code column value} pairs, leaving out empty and {@code -} cells, for a
   * progress line printed as soon as the row is measured (so a run stopped before the table is
   * rendered still shows what it measured).
   */
  String lastRow() {
    if (rows.isEmpty()) {
      throw new IllegalStateException("no row yet");
    }
    String[] r = rows.get(rows.size() - 1);
    StringBuilder sb = new StringBuilder();
    for (int c = 0; c < header.length; c++) {
      if (r[c].isEmpty() || r[c].equals("-")) {
        continue;
      }
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(header[c]).append(' ').append(r[c]);
    }
    return sb.toString();
  }

  /** The table, one line per row after the header, each ending with a newline. */
  String render() {
    int[] width = new int[header.length];
    for (int c = 0; c < header.length; c++) {
      width[c] = header[c].length();
      for (String[] r : rows) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, header, width);
    for (String[] r : rows) {
      line(sb, r, width);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, String[] cells, int[] width) {
    StringBuilder l = new StringBuilder();
    for (int c = 0; c < cells.length; c++) {
      if (c > 0) {
        l.append("  ");
      }
      l.append(cells[c]);
      l.append(" ".repeat(width[c] - cells[c].length()));
    }
    int end = l.length();
    while (end > 0 && l.charAt(end - 1) == ' ') {
      end--;
    }
    sb.append(l, 0, end).append('\n');
  }
}
