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

  /**
   * Thrown by the string builders here when what they build would pass {@code max} characters;
   * the interpreter turns it into its budget error (naming the template, line and limit).
   */
  static final class TooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final long chars;

    TooLarge(long chars) {
      super(null, null, false, false);
      this.chars = chars;
    }
  }

  /** The most characters a Java string can hold (a little under {@code Integer.MAX_VALUE}). */
  static final long MAX_STRING = Integer.MAX_VALUE - 16;

  /** {@code a * b}, or {@code Long.MAX_VALUE} when that overflows (both non-negative). */
  static long saturatingMultiply(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** {@code a + b}, or {@code Long.MAX_VALUE} when that overflows (both non-negative). */
  static long saturatingAdd(long a, long b) {
    long s = a + b;
    return s < 0 ? Long.MAX_VALUE : s;
  }

  /** Fails before {@code sb} grows by {@code more} characters past {@code max}. */
  static void room(StringBuilder sb, long more, long max) {
    long need = sb.length() + more;
    if (need > max) {
      throw new TooLarge(need);
    }
  }

  /**
   * Fails once {@code sb} is past {@code max}; called after appending a piece of at most a few
   * dozen characters, so nothing large is ever allocated past the budget.
   */
  static void over(StringBuilder sb, long max) {
    if (sb.length() > max) {
      throw new TooLarge(sb.length());
    }
  }

  /**
   * Python {@code str.upper()}: the full mapping (ß is SS) in linear time. The JDK's
   * {@code String.toUpperCase} copies its whole result for each character whose upper case is
   * longer (quadratic: 100,000 ß took 9 s, beyond the reach of the render's time budget); with
   * the root locale no upper-case mapping depends on context, so each code point is mapped alone.
   */
  static String upper(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int n = Character.charCount(cp);
      String u = cp < 0x80 ? null : new String(Character.toChars(cp)).toUpperCase(Locale.ROOT);
      if (sb == null && (cp >= 'a' && cp <= 'z' || u != null && !u.equals(s.substring(i, i + n)))) {
        sb = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (sb != null) {
        if (u == null) {
          sb.append(cp >= 'a' && cp <= 'z' ? (char) (cp - 32) : (char) cp);
        } else {
          sb.append(u);
        }
      }
      i += n;
    }
    return sb == null ? s : sb.toString();
  }

  /**
   * Python {@code str.lower()} in linear time. With the root locale the only lower case longer
   * than its letter is that of U+0130 (İ, "i̇"), which makes {@code String.toLowerCase} quadratic;
   * it is lowered as I (also an upper-case letter, so the final-sigma rule sees the same) and
   * widened afterwards.
   */
  static String lower(String s) {
    if (s.indexOf('\u0130') < 0) {
      return s.toLowerCase(Locale.ROOT);
    }
    String l = s.replace('\u0130', 'I').toLowerCase(Locale.ROOT);
    if (l.length() != s.length()) { // not expected: fall back to the JDK
      return s.toLowerCase(Locale.ROOT);
    }
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\u0130') {
        sb.append("i\u0307");
      } else {
        sb.append(l.charAt(i));
      }
    }
    return sb.toString();
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
    return str(v, MAX_STRING);
  }

  /**
   * Python {@code str(v)}; a list or dict whose text would pass {@code max} characters throws
   * {@link TooLarge} before it is built.
   */
  static String str(Object v, long max) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Undefined) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    repr(sb, v, false, max);
    return sb.toString();
  }

  static String repr(Object v) {
    return repr(v, MAX_STRING);
  }

  /** {@code repr(v)} for an error message: at most about 200 characters. */
  static String shortRepr(Object v) {
    try {
      return repr(v, 200);
    } catch (TooLarge e) {
      return "<" + typeName(v) + " too long to show>";
    }
  }

  static String repr(Object v, long max) {
    StringBuilder sb = new StringBuilder();
    repr(sb, v, true, max);
    return sb.toString();
  }

  private static void repr(StringBuilder sb, Object v, boolean quote, long max) {
    if (v instanceof String s) {
      if (quote) {
        strRepr(sb, s, max);
      } else {
        room(sb, s.length(), max);
        sb.append(s);
      }
      return;
    }
    reprValue(sb, v, quote, max);
    over(sb, max);
  }

  private static void reprValue(StringBuilder sb, Object v, boolean quote, long max) {
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
    } else if (v instanceof Tuple t) {
      sb.append('(');
      for (int i = 0; i < t.size(); i++) {
        sb.append(i == 0 ? "" : ", ");
        repr(sb, t.get(i), true, max);
      }
      sb.append(t.size() == 1 ? ",)" : ")");
    } else if (v instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        sb.append(i == 0 ? "" : ", ");
        repr(sb, l.get(i), true, max);
      }
      sb.append(']');
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        sb.append(first ? "" : ", ");
        first = false;
        repr(sb, e.getKey(), true, max);
        sb.append(": ");
        repr(sb, e.getValue(), true, max);
      }
      sb.append('}');
    } else if (v instanceof Namespace n) {
      sb.append("<Namespace ");
      repr(sb, n.attrs, true, max);
      sb.append('>');
    } else if (v instanceof Fn) {
      sb.append("<function>");
    } else {
      sb.append("<object>");
    }
  }

  private static void strRepr(StringBuilder sb, String s, long max) {
    room(sb, s.length() + 2L, max);
    char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    sb.append(q);
    for (int i = 0; i < s.length(); i++) {
      over(sb, max);
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
    over(sb, max);
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
  static void json(StringBuilder sb, Object v, Long indent, int depth, boolean sortKeys,
      long max) {
    if (v instanceof String s) {
      jsonString(sb, s, max);
      return;
    }
    jsonValue(sb, v, indent, depth, sortKeys, max);
    over(sb, max);
  }

  private static void jsonValue(StringBuilder sb, Object v, Long indent, int depth,
      boolean sortKeys, long max) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Boolean b) {
      sb.append(b ? "true" : "false");
    } else if (v instanceof Long l) {
      sb.append(l);
    } else if (v instanceof Double d) {
      sb.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity"
          : "-Infinity") : floatRepr(d));
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
        newline(sb, indent, depth + 1, max);
        Object k = e.getKey();
        jsonString(sb, k instanceof String s ? s : k == null ? "null" : k instanceof Boolean b
            ? (b ? "true" : "false") : str(k, max), max);
        sb.append(": ");
        json(sb, e.getValue(), indent, depth + 1, sortKeys, max);
      }
      newline(sb, indent, depth, max);
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
        newline(sb, indent, depth + 1, max);
        json(sb, o, indent, depth + 1, sortKeys, max);
      }
      newline(sb, indent, depth, max);
      sb.append(']');
    } else if (v instanceof Namespace n) {
      json(sb, n.attrs, indent, depth, sortKeys, max);
    } else {
      throw new IllegalArgumentException("Object of type " + typeName(v)
          + " is not JSON serializable");
    }
  }

  /**
   * A line break and {@code indent * depth} spaces, checked against {@code max} before anything is
   * allocated (the indent is the template's number, so the product may overflow an int or long).
   */
  private static void newline(StringBuilder sb, Long indent, int depth, long max) {
    if (indent == null) {
      return;
    }
    long width = Math.max(0, indent);
    long room = max - sb.length() - 1;
    if (room < 0 || (depth > 0 && width > room / depth)) {
      throw new TooLarge(saturatingAdd(sb.length() + 1L, saturatingMultiply(width, depth)));
    }
    sb.append('\n').append(" ".repeat((int) (width * depth)));
  }

  static void jsonString(StringBuilder sb, String s, long max) {
    room(sb, s.length() + 2L, max);
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      over(sb, max);
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
    over(sb, max);
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
