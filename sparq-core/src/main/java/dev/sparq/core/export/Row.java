package dev.sparq.core.export;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One output row as an ordered tree of named values, written unchanged as a JSON object or as a
 * Parquet record. Values are {@link String}, {@link Long}, {@link Double}, {@link Row} (a struct) or
 * a non-empty {@link List} of rows of one shape (a list of structs).
 */
final class Row {
  final List<String> names = new ArrayList<>(6);
  final List<Object> values = new ArrayList<>(6);

  Row put(String name, Object value) {
    if (!(value instanceof String || value instanceof Long || value instanceof Double
        || value instanceof Row || value instanceof List<?>)) {
      throw new IllegalArgumentException(name + ": unsupported value " + value);
    }
    names.add(name);
    values.add(value);
    return this;
  }

  int size() {
    return names.size();
  }

  /** Writes this row as one JSON object. */
  void writeJson(JsonGenerator g) throws IOException {
    g.writeStartObject();
    for (int i = 0; i < names.size(); i++) {
      g.writeFieldName(names.get(i));
      writeJsonValue(g, values.get(i));
    }
    g.writeEndObject();
  }

  private static void writeJsonValue(JsonGenerator g, Object v) throws IOException {
    if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Long l) {
      g.writeNumber(l);
    } else if (v instanceof Double d) {
      g.writeNumber(d);
    } else if (v instanceof Row r) {
      r.writeJson(g);
    } else {
      g.writeStartArray();
      for (Object o : (List<?>) v) {
        ((Row) o).writeJson(g);
      }
      g.writeEndArray();
    }
  }
}
