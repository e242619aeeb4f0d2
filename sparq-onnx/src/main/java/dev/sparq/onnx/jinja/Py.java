package dev.sparq.onnx.jinja;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Python value semantics for template values: printing, truth, equality, ordering, JSON. */
final class Py {
  private Py() {}

  /** Jinja2's default {@code Undefined}: prints empty, is false, iterates as empty. */
  static final class Undefined {
    final String hint;

    Undefined(String hint) {
      this.hint = hint;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Undefined;
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }

  /** {@code namespace(...)}: the only object whose attributes a template may assign. */
  static final class Namespace {
    final Map<String, Object> attrs = new LinkedHashMap<>();
  }

  /** Something a template can call (globals, macros, bound methods). */
  @FunctionalInterface
  interface Fn {
    Object call(List<Object> args, Map<String, Object> kwargs);
  }

  /** A tuple: a list that prints with parentheses. */
  static final class Tuple extends ArrayList<Object> {
    private static final long serialVersionUID = 1L;

    Tuple(Collection<?> items) {
      super(items);
    }
  }

  /** Python's {@code str.isspace} for one character (wider than Java's whitespace). */
  static boolean isSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
  }

  static boolean isSpace(int cp) {
    return cp < 0x10000 ? isSpace((char) cp) : Character.isWhitespace(cp);
  }

  static String typeName(Object v) {
    if (v == null) {
      return "NoneType";
    }
    if (v instanceof Undefined) {
      return "Undefined";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof Long) {
      return "int";
    }
    if (v instanceof Double) {
      return "float";
    }
    if (v instanceof String) {
      return "str";
    }
    if (v instanceof Tuple) {
      return "tuple";
    }
    if (v instanceof List) {
      return "list";
    }
    if (v instanceof Map) {
      return "dict";
    }
    if (v instanceof Namespace) {
      return "Namespace";
    }
    if (v instanceof Fn) {
      return "function";
    }
    return "object";
  }

  static boolean truthy(Object v) {
    if (v == null || v instanceof Undefined) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Long l) {
      return l != 0;
    }
    if (v instanceof Double d) {
      return d != 0;
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    if (v instanceof Collection<?> c) {
      return !c.isEmpty();
    }
    if (v instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    return true;
  }

  /** Python {@code str(v)}, with Jinja2's empty string for undefined. */
  static String str(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Undefined) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    repr(sb, v, false);
    return sb.toString();
  }

  static String repr(Object v) {
    StringBuilder sb = new StringBuilder();
    repr(sb, v, true);
    return sb.toString();
  }

  private static void repr(StringBuilder sb, Object v, boolean quote) {
    if (v == null) {
      sb.append("None");
    } else if (v instanceof Undefined) {
      sb.append(quote ? "Undefined" : "");
    } else if (v instanceof Boolean b) {
      sb.append(b ? "True" : "False");
    } else if (v instanceof Long l) {
      sb.append(l);
    } else if (v instanceof Double d) {
      sb.append(floatRepr(d));
    } else if (v instanceof String s) {
      if (quote) {
        strRepr(sb, s);
      } else {
        sb.append(s);
      }
    } else if (v instanceof Tuple t) {
      sb.append('(');
      for (int i = 0; i < t.size(); i++) {
        sb.append(i == 0 ? "" : ", ");
        repr(sb, t.get(i), true);
      }
      sb.append(t.size() == 1 ? ",)" : ")");
    } else if (v instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        sb.append(i == 0 ? "" : ", ");
        repr(sb, l.get(i), true);
      }
      sb.append(']');
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        sb.append(first ? "" : ", ");
        first = false;
        repr(sb, e.getKey(), true);
        sb.append(": ");
        repr(sb, e.getValue(), true);
      }
      sb.append('}');
    } else if (v instanceof Namespace n) {
      sb.append("<Namespace ");
      repr(sb, n.attrs, true);
      sb.append('>');
    } else if (v instanceof Fn) {
      sb.append("<function>");
    } else {
      sb.append("<object>");
    }
  }

  private static void strRepr(StringBuilder sb, String s) {
    char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    sb.append(q);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == q || c == '\\') {
        sb.append('\\').append(c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c == '\t') {
        sb.append("\\t");
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append(q);
  }

  /** Python {@code repr(float)}: shortest round-trip digits, Python's exponent style. */
  static String floatRepr(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0.0" : "0.0";
    }
    BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    String digits = bd.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - bd.scale();
    String sign = d < 0 ? "-" : "";
    if (exp < -4 || exp >= 16) {
      String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return sign + mant + "e" + (exp < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d",
          Math.abs(exp));
    }
    String plain = bd.abs().toPlainString();
    if (plain.indexOf('.') < 0) {
      plain = plain + ".0";
    }
    return sign + plain;
  }

  static boolean eq(Object a, Object b) {
    if (a == b) {
      return true;
    }
    if (a == null || b == null) {
      return false;
    }
    if (isNumber(a) && isNumber(b)) {
      if (a instanceof Double || b instanceof Double) {
        return toDouble(a) == toDouble(b);
      }
      return toLong(a) == toLong(b);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if ((a instanceof Tuple) != (b instanceof Tuple) || x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!eq(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (Map.Entry<?, ?> e : x.entrySet()) {
        if (!y.containsKey(e.getKey()) || !eq(e.getValue(), y.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  static boolean isNumber(Object v) {
    return v instanceof Long || v instanceof Double || v instanceof Boolean;
  }

  static boolean isInt(Object v) {
    return v instanceof Long || v instanceof Boolean;
  }

  static long toLong(Object v) {
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return ((Number) v).longValue();
  }

  static double toDouble(Object v) {
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return ((Number) v).doubleValue();
  }

  /** Python ordering ({@code <}); -2 when the types cannot be ordered. */
  static int compare(Object a, Object b) {
    if (isNumber(a) && isNumber(b)) {
      if (a instanceof Double || b instanceof Double) {
        return Double.compare(toDouble(a), toDouble(b));
      }
      return Long.compare(toLong(a), toLong(b));
    }
    if (a instanceof String x && b instanceof String y) {
      return Integer.signum(compareCodePoints(x, y));
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
        if (!eq(x.get(i), y.get(i))) {
          return compare(x.get(i), y.get(i));
        }
      }
      return Integer.compare(x.size(), y.size());
    }
    return -2;
  }

  private static int compareCodePoints(String x, String y) {
    int i = 0;
    int j = 0;
    while (i < x.length() && j < y.length()) {
      int a = x.codePointAt(i);
      int b = y.codePointAt(j);
      if (a != b) {
        return Integer.compare(a, b);
      }
      i += Character.charCount(a);
      j += Character.charCount(b);
    }
    return Integer.compare(x.length() - i, y.length() - j);
  }

  /** Items of an iterable value (dict keys, string characters), or null if not iterable. */
  static List<Object> iterate(Object v) {
    if (v instanceof List<?> l) {
      return new ArrayList<>(l);
    }
    if (v instanceof Map<?, ?> m) {
      return new ArrayList<>(m.keySet());
    }
    if (v instanceof String s) {
      List<Object> out = new ArrayList<>(s.length());
      s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
      return out;
    }
    if (v instanceof Undefined) {
      return new ArrayList<>();
    }
    if (v instanceof Collection<?> c) {
      return new ArrayList<>(c);
    }
    return null;
  }

  /** Python {@code len}. */
  static int codePointLength(String s) {
    return s.codePointCount(0, s.length());
  }

  /**
   * Python {@code json.dumps(v, ensure_ascii=False, indent=indent)} with {@code transformers}'
   * defaults: {@code ", "} and {@code ": "} without indent, {@code ","} with it.
   */
  static void json(StringBuilder sb, Object v, Integer indent, int depth, boolean sortKeys) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Boolean b) {
      sb.append(b ? "true" : "false");
    } else if (v instanceof Long l) {
      sb.append(l);
    } else if (v instanceof Double d) {
      sb.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity"
          : "-Infinity") : floatRepr(d));
    } else if (v instanceof String s) {
      jsonString(sb, s);
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append('{');
      Iterable<? extends Map.Entry<?, ?>> entries = m.entrySet();
      if (sortKeys) {
        List<Map.Entry<?, ?>> sorted = new ArrayList<>(m.entrySet());
        sorted.sort((x, y) -> compareCodePoints(str(x.getKey()), str(y.getKey())));
        entries = sorted;
      }
      boolean first = true;
      for (Map.Entry<?, ?> e : entries) {
        sb.append(first ? "" : indent == null ? ", " : ",");
        first = false;
        newline(sb, indent, depth + 1);
        Object k = e.getKey();
        jsonString(sb, k instanceof String s ? s : k == null ? "null" : k instanceof Boolean b
            ? (b ? "true" : "false") : str(k));
        sb.append(": ");
        json(sb, e.getValue(), indent, depth + 1, sortKeys);
      }
      newline(sb, indent, depth);
      sb.append('}');
    } else if (v instanceof List<?> l) {
      if (l.isEmpty()) {
        sb.append("[]");
        return;
      }
      sb.append('[');
      boolean first = true;
      for (Object o : l) {
        sb.append(first ? "" : indent == null ? ", " : ",");
        first = false;
        newline(sb, indent, depth + 1);
        json(sb, o, indent, depth + 1, sortKeys);
      }
      newline(sb, indent, depth);
      sb.append(']');
    } else if (v instanceof Namespace n) {
      json(sb, n.attrs, indent, depth, sortKeys);
    } else {
      throw new IllegalArgumentException("Object of type " + typeName(v)
          + " is not JSON serializable");
    }
  }

  private static void newline(StringBuilder sb, Integer indent, int depth) {
    if (indent != null) {
      sb.append('\n').append(" ".repeat(Math.max(0, indent) * depth));
    }
  }

  static void jsonString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /** Deep copy of caller data into template values; unsupported types are rejected. */
  static Object fromJava(Object v, String path) {
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long
        || v instanceof Double) {
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return (double) f;
    }
    if (v instanceof Character c) {
      return c.toString();
    }
    if (v instanceof Enum<?> e) {
      return e.name();
    }
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        Object k = fromJava(e.getKey(), path);
        out.put(k, fromJava(e.getValue(), path + "." + e.getKey()));
      }
      return out;
    }
    if (v instanceof Iterable<?> it) {
      List<Object> out = new ArrayList<>();
      int i = 0;
      for (Iterator<?> iter = it.iterator(); iter.hasNext(); i++) {
        out.add(fromJava(iter.next(), path + "[" + i + "]"));
      }
      return out;
    }
    if (v instanceof Object[] arr) {
      return fromJava(java.util.Arrays.asList(arr), path);
    }
    throw new IllegalArgumentException("template variable " + path + ": values of type "
        + v.getClass().getSimpleName() + " cannot be passed to a chat template (use strings,"
        + " numbers, booleans, null, lists and maps)");
  }
}
