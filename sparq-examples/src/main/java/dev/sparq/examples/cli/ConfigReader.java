package dev.sparq.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.ConfigException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads one object of a configuration tree and reports faults by their dotted key path
 * ({@code "backend.type"}), with the allowed keys or values in the message.
 */
final class ConfigReader {
  private final String source;
  private final String prefix;
  private final JsonNode node;

  ConfigReader(String source, String prefix, JsonNode node) {
    this.source = source;
    this.prefix = prefix;
    this.node = node;
  }

  String key(String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  ConfigException error(String name, String problem) {
    return new ConfigException(source + ": key '" + key(name) + "': " + problem);
  }

  boolean has(String name) {
    return node != null && node.has(name) && !node.get(name).isNull();
  }

  /** Fails on any key not in {@code allowed}. */
  ConfigReader allow(String... allowed) {
    if (node == null) {
      return this;
    }
    Set<String> ok = new TreeSet<>(List.of(allowed));
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!ok.contains(n)) {
        throw error(n, "unknown key; allowed keys here: " + String.join(", ", ok));
      }
    }
    return this;
  }

  /** The raw node of key {@code name} (null when absent). */
  JsonNode node(String name) {
    return has(name) ? node.get(name) : null;
  }

  /** A reader of {@code child}, reported as key {@code name} under this one. */
  ConfigReader child(String name, JsonNode child) {
    return new ConfigReader(source, key(name), child);
  }

  /** A nested object (an empty reader when absent). */
  ConfigReader object(String name) {
    if (!has(name)) {
      return new ConfigReader(source, key(name), null);
    }
    JsonNode n = node.get(name);
    if (!n.isObject()) {
      throw error(name, "must be a mapping of keys to values, was " + kind(n));
    }
    return new ConfigReader(source, key(name), n);
  }

  /**
   * A mapping of free-form values (strings, numbers, booleans, null, lists, mappings) as plain
   * Java maps and lists; empty when absent.
   */
  java.util.Map<String, Object> freeMapping(String name) {
    if (!has(name)) {
      return java.util.Map.of();
    }
    JsonNode n = node.get(name);
    if (!n.isObject()) {
      throw error(name, "must be a mapping of names to values, was " + kind(n));
    }
    java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), plain(e.getValue())));
    return out;
  }

  private static Object plain(JsonNode n) {
    if (n.isObject()) {
      java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
      n.fields().forEachRemaining(e -> m.put(e.getKey(), plain(e.getValue())));
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new java.util.ArrayList<>();
      n.forEach(x -> l.add(plain(x)));
      return l;
    }
    if (n.isNull()) {
      return null;
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isIntegralNumber()) {
      return n.longValue();
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    return n.asText();
  }

  String string(String name, String def) {
    if (!has(name)) {
      return def;
    }
    JsonNode n = node.get(name);
    if (!n.isValueNode() || n.isBoolean()) {
      throw error(name, "must be a string, was " + kind(n));
    }
    return n.asText();
  }

  String required(String name, String what) {
    String s = string(name, null);
    if (s == null || s.isBlank()) {
      throw error(name, "is required (" + what + ")");
    }
    return s;
  }

  /** A value from a fixed set, compared case-insensitively; returns the lower-case form. */
  String choice(String name, String def, String... allowed) {
    String s = string(name, def);
    if (s == null) {
      return null;
    }
    String lower = s.toLowerCase(Locale.ROOT).replace('-', '_');
    for (String a : allowed) {
      if (a.equals(lower)) {
        return a;
      }
    }
    throw error(name, "'" + s + "' is not allowed; allowed values: " + String.join(", ", allowed));
  }

  long integer(String name, long def, long min, long max) {
    if (!has(name)) {
      return def;
    }
    JsonNode n = node.get(name);
    if (!n.canConvertToLong() || !(n.isIntegralNumber() || n.isTextual() && n.asText().matches("-?\\d+"))) {
      throw error(name, "must be a whole number between " + min + " and " + max + ", was " + n);
    }
    long v = n.asLong();
    if (v < min || v > max) {
      throw error(name, "must be between " + min + " and " + max + ", was " + v);
    }
    return v;
  }

  double number(String name, double def, double min, double max) {
    if (!has(name)) {
      return def;
    }
    JsonNode n = node.get(name);
    if (!n.isNumber()) {
      throw error(name, "must be a number between " + min + " and " + max + ", was " + n);
    }
    double v = n.asDouble();
    if (!(v >= min && v <= max)) {
      throw error(name, "must be between " + min + " and " + max + ", was " + v);
    }
    return v;
  }

  List<String> strings(String name) {
    if (!has(name)) {
      return List.of();
    }
    JsonNode n = node.get(name);
    List<String> out = new ArrayList<>();
    if (n.isTextual()) {
      out.add(n.asText());
      return out;
    }
    if (!n.isArray()) {
      throw error(name, "must be a list of strings, was " + kind(n));
    }
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw error(name, "must be a list of strings, has " + e);
      }
      out.add(e.asText());
    }
    return out;
  }

  /** A key of {@link ConfigKeys} under this reader, read by its leaf name with its range. */
  long integer(ConfigKeys.Key k, long def) {
    return integer(k.leaf(), def, k.minLong(), k.maxLong());
  }

  double number(ConfigKeys.Key k, double def) {
    return number(k.leaf(), def, k.min(), k.max());
  }

  String choice(ConfigKeys.Key k, String def) {
    return choice(k.leaf(), def, k.allowed().toArray(String[]::new));
  }

  boolean bool(ConfigKeys.Key k, boolean def) {
    String name = k.leaf();
    if (!has(name)) {
      return def;
    }
    JsonNode n = node.get(name);
    if (!n.isBoolean()) {
      throw error(name, "must be true or false, was " + kind(n));
    }
    return n.booleanValue();
  }

  double[] pair(String name, double[] def, double min, double max) {
    if (!has(name)) {
      return def;
    }
    JsonNode n = node.get(name);
    if (!n.isArray() || n.size() != 2 || !n.get(0).isNumber() || !n.get(1).isNumber()) {
      throw error(name, "must be a list of two numbers [low, high], was " + n);
    }
    double lo = n.get(0).asDouble();
    double hi = n.get(1).asDouble();
    if (!(lo >= min && hi <= max && lo <= hi)) {
      throw error(name, "needs " + min + " <= low <= high <= " + max + ", was [" + lo + ", " + hi + "]");
    }
    return new double[] {lo, hi};
  }

  private static String kind(JsonNode n) {
    if (n.isObject()) {
      return "a mapping";
    }
    if (n.isArray()) {
      return "a list";
    }
    return n.isTextual() ? "the string '" + n.asText() + "'" : n.toString();
  }
}
