package dev.sparq.onnx.jinja;

import dev.sparq.onnx.jinja.Py.Fn;
import dev.sparq.onnx.jinja.Py.Namespace;
import dev.sparq.onnx.jinja.Py.Tuple;
import dev.sparq.onnx.jinja.Py.Undefined;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Filters, tests and the methods of str, dict and list that chat templates call. */
final class Builtins {
  private static final java.util.regex.Pattern WORD = java.util.regex.Pattern.compile("(?U)\\w+");

  private Builtins() {}

  private static Object arg(List<Object> args, Map<String, Object> kw, int pos, String name,
      Object dflt) {
    if (pos < args.size()) {
      return args.get(pos);
    }
    if (kw.containsKey(name)) {
      return kw.get(name);
    }
    return dflt;
  }

  private static String strArg(Interp in, Object v, String what) {
    if (v instanceof String s) {
      return s;
    }
    throw in.error(what + " must be str, not " + Py.typeName(v));
  }

  private static long intArg(Interp in, Object v, String what) {
    if (Py.isInt(v)) {
      return Py.toLong(v);
    }
    throw in.error(what + " must be an integer, not " + Py.typeName(v));
  }

  private static void defined(Interp in, Object v) {
    if (v instanceof Undefined u) {
      throw in.error(u.hint);
    }
  }

  // ------------------------------------------------------------------ filters

  static Object filter(Interp in, String name, Object v, List<Object> args,
      Map<String, Object> kw) {
    switch (name) {
      case "tojson": {
        Object indent = arg(args, kw, 0, "indent", null);
        boolean sort = Py.truthy(kw.getOrDefault("sort_keys", false));
        Long width = indent == null ? null : intArg(in, indent, "indent");
        StringBuilder sb = new StringBuilder();
        try {
          Py.json(sb, v, width, 0, sort, in.maxChars());
        } catch (Py.TooLarge e) { // checked before each indent and string is appended
          in.checkSize(e.chars);
          throw e;
        } catch (IllegalArgumentException e) {
          throw in.error(e.getMessage());
        }
        return sb.toString();
      }
      case "trim": {
        Object chars = arg(args, kw, 0, "chars", null);
        return strip(in.str(v), chars == null ? null : strArg(in, chars, "trim chars"), true, true);
      }
      case "length", "count": {
        return v instanceof Undefined ? 0L : (long) length(in, v);
      }
      case "list": {
        List<Object> l = Py.iterate(v);
        if (l == null) {
          throw in.error("'" + Py.typeName(v) + "' object is not iterable");
        }
        return l;
      }
      case "string":
        return in.str(v);
      case "safe", "e", "escape", "forceescape":
        if (name.equals("safe")) {
          return in.str(v);
        }
        return escape(in, in.str(v));
      case "upper": // case mappings can lengthen a string (ß is SS), at most threefold
        return sized(in, Py.upper(in.str(v)));
      case "lower":
        return sized(in, Py.lower(in.str(v)));
      case "capitalize": {
        String s = in.str(v);
        return sized(in, s.isEmpty() ? s : Py.upper(s.substring(0, 1))
            + Py.lower(s.substring(1)));
      }
      case "title":
        return sized(in, title(in.str(v)));
      case "replace": {
        String s = in.str(v);
        String old = in.str(arg(args, kw, 0, "old", ""));
        String nw = in.str(arg(args, kw, 1, "new", ""));
        Object count = arg(args, kw, 2, "count", null);
        return replace(in, s, old, nw, count == null ? -1 : intArg(in, count, "count"));
      }
      case "default", "d": {
        Object dflt = arg(args, kw, 0, "default_value", "");
        boolean bool = Py.truthy(arg(args, kw, 1, "boolean", false));
        if (v instanceof Undefined || (bool && !Py.truthy(v))) {
          return dflt;
        }
        return v;
      }
      case "int": {
        Object dflt = arg(args, kw, 0, "default", 0L);
        if (Py.isInt(v)) {
          return Py.toLong(v);
        }
        if (v instanceof Double d) {
          return (long) d.doubleValue();
        }
        if (v instanceof String s) {
          try {
            return Long.parseLong(s.strip().replace("_", ""));
          } catch (NumberFormatException e) {
            try {
              return (long) Double.parseDouble(s.strip());
            } catch (NumberFormatException e2) {
              return dflt;
            }
          }
        }
        return dflt;
      }
      case "float": {
        Object dflt = arg(args, kw, 0, "default", 0.0);
        if (Py.isNumber(v)) {
          return Py.toDouble(v);
        }
        if (v instanceof String s) {
          try {
            return Double.parseDouble(s.strip());
          } catch (NumberFormatException e) {
            return dflt;
          }
        }
        return dflt;
      }
      case "abs": {
        if (v instanceof Double d) {
          return Math.abs(d);
        }
        if (Py.isInt(v)) {
          return Math.abs(Py.toLong(v));
        }
        throw in.error("bad operand type for abs(): '" + Py.typeName(v) + "'");
      }
      case "round": {
        long precision = intArg(in, arg(args, kw, 0, "precision", 0L), "precision");
        String method = in.str(arg(args, kw, 1, "method", "common"));
        double x = Py.isNumber(v) ? Py.toDouble(v) : 0;
        double f = Math.pow(10, precision);
        double r = switch (method) {
          case "ceil" -> Math.ceil(x * f) / f;
          case "floor" -> Math.floor(x * f) / f;
          default -> Math.signum(x) * Math.floor(Math.abs(x) * f + 0.5) / f;
        };
        return r;
      }
      case "first": {
        List<Object> l = iter(in, v);
        return l.isEmpty() ? new Undefined("No first item, sequence was empty.") : l.get(0);
      }
      case "last": {
        List<Object> l = iter(in, v);
        return l.isEmpty() ? new Undefined("No last item, sequence was empty.")
            : l.get(l.size() - 1);
      }
      case "reverse": {
        if (v instanceof String s) {
          return new StringBuilder(s).reverse().toString();
        }
        List<Object> l = iter(in, v);
        java.util.Collections.reverse(l);
        return l;
      }
      case "join": {
        String sep = in.str(arg(args, kw, 0, "d", ""));
        Object attr = arg(args, kw, 1, "attribute", null);
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Object o : iter(in, v)) {
          String piece = in.str(attr == null ? o : attribute(in, o, attr));
          in.checkSize((long) sb.length() + (first ? 0 : sep.length()) + piece.length());
          if (!first) {
            sb.append(sep);
          }
          first = false;
          sb.append(piece);
        }
        return sb.toString();
      }
      case "map": {
        List<Object> out = new ArrayList<>();
        if (kw.containsKey("attribute")) {
          Object dflt = kw.get("default");
          for (Object o : iter(in, v)) {
            Object a = attribute(in, o, kw.get("attribute"));
            out.add(a instanceof Undefined && dflt != null ? dflt : a);
          }
        } else {
          if (args.isEmpty()) {
            throw in.error("map requires a filter name or attribute=");
          }
          String f = strArg(in, args.get(0), "map filter name");
          List<Object> rest = args.subList(1, args.size());
          for (Object o : iter(in, v)) {
            out.add(filter(in, f, o, rest, kw));
          }
        }
        return out;
      }
      case "select", "reject", "selectattr", "rejectattr": {
        boolean attrMode = name.endsWith("attr");
        boolean keep = name.startsWith("select");
        int p = 0;
        Object attr = null;
        if (attrMode) {
          if (args.isEmpty()) {
            throw in.error(name + " requires an attribute name");
          }
          attr = args.get(p++);
        }
        String test = args.size() > p ? strArg(in, args.get(p++), "test name") : null;
        List<Object> targs = args.subList(Math.min(p, args.size()), args.size());
        List<Object> out = new ArrayList<>();
        for (Object o : iter(in, v)) {
          Object x = attrMode ? attribute(in, o, attr) : o;
          boolean ok = test == null ? Py.truthy(x) : test(in, test, x, targs);
          if (ok == keep) {
            out.add(o);
          }
        }
        return out;
      }
      case "items": {
        if (v instanceof Undefined) {
          return new ArrayList<>();
        }
        if (!(v instanceof Map<?, ?> m)) {
          throw in.error("items filter expects a mapping, got " + Py.typeName(v));
        }
        List<Object> out = new ArrayList<>();
        m.forEach((k, x) -> out.add(new Tuple(java.util.Arrays.asList(k, x))));
        return out;
      }
      case "dictsort": {
        if (!(v instanceof Map<?, ?> m)) {
          throw in.error("dictsort expects a mapping, got " + Py.typeName(v));
        }
        boolean cs = Py.truthy(arg(args, kw, 0, "case_sensitive", false));
        Object by = arg(args, kw, 1, "by", "key");
        if (!"key".equals(by) && !"value".equals(by)) {
          throw in.error("You can only sort by either \"key\" or \"value\"");
        }
        int at = "key".equals(by) ? 0 : 1;
        int sign = Py.truthy(arg(args, kw, 2, "reverse", false)) ? -1 : 1;
        List<Object> out = new ArrayList<>();
        m.forEach((k, x) -> out.add(new Tuple(java.util.Arrays.asList(k, x))));
        // a stable sort on the reversed order, as Python's sorted(reverse=True): ties keep their order
        out.sort((a, b) -> sign * sortCompare(in, ((List<?>) a).get(at), ((List<?>) b).get(at), cs));
        return out;
      }
      case "sort": {
        boolean rev = Py.truthy(arg(args, kw, 0, "reverse", false));
        boolean cs = Py.truthy(arg(args, kw, 1, "case_sensitive", false));
        Object attr = arg(args, kw, 2, "attribute", null);
        List<Object> l = iter(in, v);
        int sign = rev ? -1 : 1;
        // a stable sort on the reversed order, as Python's sorted(reverse=True): ties keep their order
        l.sort((a, b) -> sign * sortCompare(in, attr == null ? a : attribute(in, a, attr),
            attr == null ? b : attribute(in, b, attr), cs));
        return l;
      }
      case "unique": {
        // Jinja2: case-insensitive unless case_sensitive; an attribute picks the key compared
        boolean cs = Py.truthy(arg(args, kw, 0, "case_sensitive", false));
        Object attr = arg(args, kw, 1, "attribute", null);
        List<Object> out = new ArrayList<>();
        List<Object> keys = new ArrayList<>();
        for (Object o : iter(in, v)) {
          in.tick(); // quadratic: the wall-time budget must be able to stop it
          Object key = attr == null ? o : attribute(in, o, attr);
          if (!cs && key instanceof String s) {
            key = Py.lower(s);
          }
          boolean seen = false;
          for (Object x : keys) {
            if (Py.eq(x, key)) {
              seen = true;
              break;
            }
          }
          if (!seen) {
            keys.add(key);
            out.add(o);
          }
        }
        return out;
      }
      case "min", "max": {
        boolean cs = Py.truthy(arg(args, kw, 0, "case_sensitive", false));
        List<Object> l = iter(in, v);
        if (l.isEmpty()) {
          return new Undefined("No aggregated item, sequence was empty.");
        }
        Object best = l.get(0);
        for (Object o : l) {
          int c = sortCompare(in, o, best, cs);
          if (name.equals("min") ? c < 0 : c > 0) {
            best = o;
          }
        }
        return best;
      }
      case "sum": {
        Object acc = arg(args, kw, 1, "start", 0L);
        Object attr = arg(args, kw, 0, "attribute", null);
        for (Object o : iter(in, v)) {
          acc = in.binary("+", acc, attr == null ? o : attribute(in, o, attr));
        }
        return acc;
      }
      case "indent":
        return indent(in, in.str(v), arg(args, kw, 0, "width", 4L),
            Py.truthy(arg(args, kw, 1, "first", false)),
            Py.truthy(arg(args, kw, 2, "blank", false)));
      case "center": {
        long width = intArg(in, arg(args, kw, 0, "width", 80L), "width");
        String s = in.str(v);
        int n = Py.codePointLength(s);
        if (width <= n) {
          return s;
        }
        in.checkSize(width + (s.length() - n)); // before the padding is allocated
        long total = width - n;
        long left = total / 2 + (total & width & 1);
        return " ".repeat((int) left) + s + " ".repeat((int) (total - left));
      }
      case "wordcount": {
        java.util.regex.Matcher m = WORD.matcher(in.str(v));
        long n = 0;
        while (m.find()) {
          n++;
        }
        return n;
      }
      case "batch", "slice", "groupby", "attr", "pprint", "urlize", "xmlattr", "filesizeformat",
          "format", "striptags", "truncate", "wordwrap", "urlencode", "random":
        if (name.equals("format")) {
          return percentFormat(in, in.str(v), args.size() == 1 ? args.get(0) : new Tuple(args));
        }
        if (name.equals("attr")) {
          return in.getAttr(v, strArg(in, arg(args, kw, 0, "name", ""), "attribute name"));
        }
        throw in.error("filter '" + name + "' is not supported in chat templates");
      default:
        throw in.error("no filter named '" + name + "'");
    }
  }

  /** {@code s}, unless it is over the string budget. */
  private static String sized(Interp in, String s) {
    in.checkSize(s.length());
    return s;
  }

  /** {@code piece}, checked to fit the budget once appended to {@code sb}. */
  private static String sized(Interp in, StringBuilder sb, String piece) {
    in.checkSize((long) sb.length() + piece.length());
    return piece;
  }

  /** Jinja2's {@code escape}: its length is counted before the escaped string is built. */
  private static String escape(Interp in, String s) {
    long n = s.length();
    for (int i = 0; i < s.length(); i++) {
      switch (s.charAt(i)) {
        case '&', '<', '>' -> n += 3; // &amp; &lt; &gt;
        case '"', '\'' -> n += 4; // &#34; &#39;
        default -> { }
      }
    }
    in.checkSize(n);
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&#34;").replace("'", "&#39;");
  }

  /**
   * Jinja2's {@code indent}: {@code s + "\n"} split as Python's {@code str.splitlines} splits,
   * lines after the first (with {@code first}, also the first) prefixed with {@code width} spaces
   * (or the string {@code width}), empty ones only with {@code blank}, joined with {@code "\n"}.
   * The result's length is computed, and checked against the budget, before the padding is built.
   */
  private static String indent(Interp in, String s, Object width, boolean first, boolean blank) {
    List<String> lines = splitlines(s + "\n");
    long pads = first ? 1 : 0;
    long chars = lines.size() - 1; // the line breaks
    for (int k = 0; k < lines.size(); k++) {
      chars += lines.get(k).length();
      if (k > 0 && (blank || !lines.get(k).isEmpty())) {
        pads++;
      }
    }
    long padLength = width instanceof String w ? w.length()
        : Math.max(0, intArg(in, width, "width"));
    if (pads > 0) {
      in.checkSize(Py.saturatingAdd(chars, Py.saturatingMultiply(pads, padLength)));
    }
    String pad = pads == 0 ? "" : width instanceof String w ? w : " ".repeat((int) padLength);
    StringBuilder sb = new StringBuilder();
    if (first) {
      sb.append(pad);
    }
    for (int k = 0; k < lines.size(); k++) {
      if (k > 0) {
        sb.append('\n');
        if (blank || !lines.get(k).isEmpty()) {
          sb.append(pad);
        }
      }
      sb.append(lines.get(k));
    }
    return sb.toString();
  }

  /** Python's {@code str.splitlines()}: \n, \r, \r\n, \v, \f, \x1c-\x1e, \x85, U+2028, U+2029. */
  static List<String> splitlines(String s) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r' || c == '\u000b' || c == '\f' || (c >= '\u001c' && c <= '\u001e')
          || c == '\u0085' || c == '\u2028' || c == '\u2029') {
        out.add(s.substring(start, i));
        if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    if (start < s.length()) {
      out.add(s.substring(start));
    }
    return out;
  }

  /** Jinja2's sort order: strings compared lower-cased unless {@code caseSensitive}. */
  private static int sortCompare(Interp in, Object a, Object b, boolean caseSensitive) {
    if (!caseSensitive && a instanceof String x && b instanceof String y) {
      x = Py.lower(x);
      y = Py.lower(y);
      return Py.compare(x, y);
    }
    int c = Py.compare(a, b);
    if (c == -2) {
      throw in.error("'<' not supported between instances of '" + Py.typeName(a) + "' and '"
          + Py.typeName(b) + "'");
    }
    return c;
  }

  private static List<Object> iter(Interp in, Object v) {
    List<Object> l = Py.iterate(v);
    if (l == null) {
      throw in.error("'" + Py.typeName(v) + "' object is not iterable");
    }
    return l;
  }

  /** Jinja2's attribute lookup for {@code map}/{@code selectattr}: dotted paths, int parts. */
  private static Object attribute(Interp in, Object o, Object attr) {
    if (Py.isInt(attr)) {
      return in.getItem(o, attr);
    }
    Object cur = o;
    for (String part : in.str(attr).split("\\.")) {
      if (cur instanceof Undefined) {
        return cur;
      }
      Object key = part.chars().allMatch(Character::isDigit) && !part.isEmpty()
          ? (Object) Long.parseLong(part) : part;
      cur = in.getItem(cur, key);
    }
    return cur;
  }

  static int length(Interp in, Object v) {
    if (v instanceof String s) {
      return Py.codePointLength(s);
    }
    if (v instanceof List<?> l) {
      return l.size();
    }
    if (v instanceof Map<?, ?> m) {
      return m.size();
    }
    if (v instanceof Namespace n) {
      return n.attrs.size();
    }
    throw in.error("object of type '" + Py.typeName(v) + "' has no len()");
  }

  // -------------------------------------------------------------------- tests

  static boolean test(Interp in, String name, Object v, List<Object> args) {
    Object a = args.isEmpty() ? new Undefined("missing test argument") : args.get(0);
    switch (name) {
      case "defined":
        return !(v instanceof Undefined);
      case "undefined": // as a select/reject test: Mistral's `selectattr("tool_calls", "undefined")`
        return v instanceof Undefined;
      case "none":
        return v == null;
      case "string":
        return v instanceof String;
      case "number":
        return v instanceof Long || v instanceof Double;
      case "integer":
        return v instanceof Long;
      case "float":
        return v instanceof Double;
      case "boolean":
        return v instanceof Boolean;
      case "true":
        return Boolean.TRUE.equals(v);
      case "false":
        return Boolean.FALSE.equals(v);
      case "mapping":
        return v instanceof Map;
      case "sequence":
        return v instanceof List || v instanceof String || v instanceof Map;
      case "iterable":
        return v instanceof List || v instanceof String || v instanceof Map;
      case "callable":
        return v instanceof Fn;
      case "equalto", "eq", "==", "sameas":
        return name.equals("sameas") ? (v == a || (v != null && v.equals(a)
            && (v instanceof Boolean))) : Py.eq(v, a);
      case "ne", "!=":
        return !Py.eq(v, a);
      case "lt", "<", "lessthan", "gt", ">", "greaterthan", "le", "<=", "ge", ">=": {
        int c = Py.compare(v, a);
        if (c == -2) {
          throw in.error("cannot compare " + Py.typeName(v) + " and " + Py.typeName(a));
        }
        return switch (name) {
          case "lt", "<", "lessthan" -> c < 0;
          case "gt", ">", "greaterthan" -> c > 0;
          case "le", "<=" -> c <= 0;
          default -> c >= 0;
        };
      }
      case "in":
        return in.contains(a, v);
      case "divisibleby":
        return intArg(in, a, "divisor") != 0 && Py.toLong(v) % Py.toLong(a) == 0;
      case "odd":
        return Py.isInt(v) && Math.floorMod(Py.toLong(v), 2L) == 1;
      case "even":
        return Py.isInt(v) && Math.floorMod(Py.toLong(v), 2L) == 0;
      case "lower":
        return v instanceof String s && s.equals(Py.lower(s));
      case "upper":
        return v instanceof String s && s.equals(Py.upper(s));
      case "escaped":
        return false;
      default:
        throw in.error("no test named '" + name + "'");
    }
  }

  // ------------------------------------------------------------------ methods

  static Fn dictMethod(Interp in, Map<?, ?> m, String name) {
    return switch (name) {
      case "items" -> (args, kw) -> {
        List<Object> out = new ArrayList<>();
        m.forEach((k, x) -> out.add(new Tuple(java.util.Arrays.asList(k, x))));
        return out;
      };
      case "keys" -> (args, kw) -> new ArrayList<>(m.keySet());
      case "values" -> (args, kw) -> new ArrayList<>(m.values());
      case "get" -> (args, kw) -> {
        if (args.isEmpty()) {
          throw in.error("get expected at least 1 argument, got 0");
        }
        Object key = args.get(0);
        return m.containsKey(key) ? m.get(key) : args.size() > 1 ? args.get(1) : null;
      };
      default -> null;
    };
  }

  static Fn listMethod(Interp in, List<?> l, String name) {
    return switch (name) {
      case "index" -> (args, kw) -> {
        for (int k = 0; k < l.size(); k++) {
          if (!args.isEmpty() && Py.eq(l.get(k), args.get(0))) {
            return (long) k;
          }
        }
        throw in.error("value is not in list");
      };
      case "count" -> (args, kw) -> {
        long n = 0;
        for (Object o : l) {
          if (!args.isEmpty() && Py.eq(o, args.get(0))) {
            n++;
          }
        }
        return n;
      };
      case "append", "extend", "pop", "insert", "remove", "clear", "sort", "reverse" ->
          (args, kw) -> {
            throw in.error("access to attribute '" + name + "' of 'list' object is unsafe"
                + " (templates cannot change lists)");
          };
      default -> null;
    };
  }

  static Fn strMethod(Interp in, String s, String name) {
    return switch (name) {
      case "strip", "lstrip", "rstrip" -> (args, kw) -> {
        Object chars = args.isEmpty() ? null : args.get(0);
        return strip(s, chars == null ? null : strArg(in, chars, name + " arg"),
            !name.equals("rstrip"), !name.equals("lstrip"));
      };
      case "split", "rsplit" -> (args, kw) -> {
        Object sep = arg(args, kw, 0, "sep", null);
        long max = intArg(in, arg(args, kw, 1, "maxsplit", -1L), "maxsplit");
        return name.equals("split") ? split(in, s, sep == null ? null : strArg(in, sep, "sep"), max)
            : rsplit(in, s, sep == null ? null : strArg(in, sep, "sep"), max);
      };
      case "startswith", "endswith" -> (args, kw) -> {
        if (args.isEmpty()) {
          throw in.error(name + " takes at least 1 argument");
        }
        Object p = args.get(0);
        List<Object> options = p instanceof List<?> l ? new ArrayList<>(l) : List.of(p);
        for (Object o : options) {
          String x = strArg(in, o, name + " arg");
          if (name.equals("startswith") ? s.startsWith(x) : s.endsWith(x)) {
            return true;
          }
        }
        return false;
      };
      case "replace" -> (args, kw) -> {
        if (args.size() < 2) {
          throw in.error("replace expected at least 2 arguments");
        }
        return replace(in, s, strArg(in, args.get(0), "old"), strArg(in, args.get(1), "new"),
            args.size() > 2 ? intArg(in, args.get(2), "count") : -1);
      };
      case "upper" -> (args, kw) -> sized(in, Py.upper(s));
      case "lower" -> (args, kw) -> sized(in, Py.lower(s));
      case "title" -> (args, kw) -> sized(in, title(s));
      case "capitalize" -> (args, kw) -> sized(in, s.isEmpty() ? s
          : Py.upper(s.substring(0, 1)) + Py.lower(s.substring(1)));
      case "find", "rfind", "index", "rindex" -> (args, kw) -> {
        String x = strArg(in, args.isEmpty() ? null : args.get(0), name + " arg");
        int k = name.startsWith("r") ? s.lastIndexOf(x) : s.indexOf(x);
        if (k < 0 && name.endsWith("index")) {
          throw in.error("substring not found");
        }
        return (long) (k < 0 ? -1 : s.codePointCount(0, k));
      };
      case "count" -> (args, kw) -> {
        String x = strArg(in, args.isEmpty() ? null : args.get(0), "count arg");
        if (x.isEmpty()) {
          return (long) Py.codePointLength(s) + 1;
        }
        long n = 0;
        for (int k = s.indexOf(x); k >= 0; k = s.indexOf(x, k + x.length())) {
          n++;
        }
        return n;
      };
      case "join" -> (args, kw) -> {
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Object o : iter(in, args.isEmpty() ? null : args.get(0))) {
          String piece = strArg(in, o, "sequence item");
          in.checkSize((long) sb.length() + (first ? 0 : s.length()) + piece.length());
          if (!first) {
            sb.append(s);
          }
          first = false;
          sb.append(piece);
        }
        return sb.toString();
      };
      case "isdigit", "isspace", "isalpha", "isalnum", "islower", "isupper" -> (args, kw) ->
          stringPredicate(s, name);
      case "center", "ljust", "rjust" -> (args, kw) -> {
        long width = intArg(in, args.isEmpty() ? 0L : args.get(0), "width");
        String fill = args.size() > 1 ? strArg(in, args.get(1), "fillchar") : " ";
        if (Py.codePointLength(fill) != 1) { // Python's TypeError; a long fill multiplied the size
          throw in.error("The fill character must be exactly one character long");
        }
        int n = Py.codePointLength(s);
        if (width <= n) {
          return s;
        }
        in.checkSize(Py.saturatingMultiply(width - n, fill.length()) + s.length());
        long total = width - n;
        long left = name.equals("ljust") ? 0 : name.equals("rjust") ? total
            : total / 2 + (total & width & 1);
        return fill.repeat((int) left) + s + fill.repeat((int) (total - left));
      };
      case "format" -> (args, kw) -> braceFormat(in, s, args, kw);
      default -> null;
    };
  }

  private static boolean stringPredicate(String s, String name) {
    if (s.isEmpty()) {
      return false;
    }
    return switch (name) {
      case "isdigit" -> s.codePoints().allMatch(Character::isDigit);
      case "isspace" -> s.chars().allMatch(c -> Py.isSpace((char) c));
      case "isalpha" -> s.codePoints().allMatch(Character::isLetter);
      case "isalnum" -> s.codePoints().allMatch(Character::isLetterOrDigit);
      case "islower" -> s.equals(Py.lower(s)) && !s.equals(Py.upper(s));
      default -> s.equals(Py.upper(s)) && !s.equals(Py.lower(s));
    };
  }

  /** Python {@code str.strip([chars])} family; {@code chars == null} means whitespace. */
  static String strip(String s, String chars, boolean left, boolean right) {
    int b = 0;
    int e = s.length();
    while (left && b < e && stripChar(s, b, chars)) {
      b += Character.charCount(s.codePointAt(b));
    }
    while (right && e > b && stripChar(s, e - Character.charCount(s.codePointBefore(e)), chars)) {
      e -= Character.charCount(s.codePointBefore(e));
    }
    return s.substring(b, e);
  }

  private static boolean stripChar(String s, int i, String chars) {
    int cp = s.codePointAt(i);
    if (chars == null) {
      return Py.isSpace(cp);
    }
    return chars.codePoints().anyMatch(c -> c == cp);
  }

  private static List<Object> split(Interp in, String s, String sep, long max) {
    List<Object> out = new ArrayList<>();
    if (sep == null) {
      int i = 0;
      int n = s.length();
      while (true) {
        while (i < n && Py.isSpace(s.charAt(i))) {
          i++;
        }
        if (i >= n) {
          break;
        }
        if (max >= 0 && out.size() >= max) {
          out.add(Lexer.rstrip(s.substring(i)));
          break;
        }
        int j = i;
        while (j < n && !Py.isSpace(s.charAt(j))) {
          j++;
        }
        out.add(s.substring(i, j));
        i = j;
      }
      return out;
    }
    if (sep.isEmpty()) {
      throw in.error("empty separator");
    }
    int i = 0;
    while (max < 0 || out.size() < max) {
      int k = s.indexOf(sep, i);
      if (k < 0) {
        break;
      }
      out.add(s.substring(i, k));
      i = k + sep.length();
    }
    out.add(s.substring(i));
    return out;
  }

  private static List<Object> rsplit(Interp in, String s, String sep, long max) {
    if (max < 0) {
      return split(in, s, sep, max);
    }
    if (sep == null) {
      List<Object> parts = split(in, s, null, -1);
      if (parts.size() <= max + 1) {
        return parts;
      }
      throw in.error("rsplit with maxsplit on whitespace is not supported in chat templates");
    }
    if (sep.isEmpty()) {
      throw in.error("empty separator");
    }
    List<Object> out = new ArrayList<>();
    int end = s.length();
    while (out.size() < max) {
      int k = s.lastIndexOf(sep, end - sep.length());
      if (k < 0 || end - sep.length() < 0) {
        break;
      }
      out.add(0, s.substring(k + sep.length(), end));
      end = k;
    }
    out.add(0, s.substring(0, end));
    return out;
  }

  private static String replace(Interp in, String s, String old, String nw, long count) {
    StringBuilder sb = new StringBuilder();
    if (old.isEmpty()) {
      int[] cps = s.codePoints().toArray();
      long done = 0;
      for (int cp : cps) {
        if (count < 0 || done < count) {
          in.checkSize((long) sb.length() + nw.length() + 2);
          sb.append(nw);
          done++;
        }
        sb.appendCodePoint(cp);
      }
      if (count < 0 || done < count) {
        in.checkSize((long) sb.length() + nw.length());
        sb.append(nw);
      }
      return sb.toString();
    }
    int i = 0;
    long done = 0;
    while (count < 0 || done < count) {
      int k = s.indexOf(old, i);
      if (k < 0) {
        break;
      }
      in.checkSize((long) sb.length() + (k - i) + nw.length() + (s.length() - k - old.length()));
      sb.append(s, i, k).append(nw);
      i = k + old.length();
      done++;
    }
    sb.append(s, i, s.length());
    return sb.toString();
  }

  private static String title(String s) {
    StringBuilder sb = new StringBuilder();
    boolean prevCased = false;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      boolean cased = Character.isLetter(cp);
      sb.appendCodePoint(cased ? (prevCased ? Character.toLowerCase(cp)
          : Character.toTitleCase(cp)) : cp);
      prevCased = cased;
      i += Character.charCount(cp);
    }
    return sb.toString();
  }

  /** Python {@code fmt % args} for {@code %s %d %i %r %f %%}. */
  static String percentFormat(Interp in, String fmt, Object argsValue) {
    List<Object> args = argsValue instanceof Tuple t ? t : List.of(argsValue == null
        ? "None" : argsValue);
    if (argsValue == null) {
      args = java.util.Collections.singletonList(null);
    }
    StringBuilder sb = new StringBuilder();
    int a = 0;
    for (int i = 0; i < fmt.length(); i++) {
      char c = fmt.charAt(i);
      if (c != '%') {
        sb.append(c);
        continue;
      }
      if (++i >= fmt.length()) {
        throw in.error("incomplete format");
      }
      char code = fmt.charAt(i);
      if (code == '%') {
        sb.append('%');
        continue;
      }
      if (a >= args.size()) {
        throw in.error("not enough arguments for format string");
      }
      Object v = args.get(a++);
      switch (code) {
        case 's' -> sb.append(sized(in, sb, in.str(v)));
        case 'r' -> sb.append(sized(in, sb, in.repr(v)));
        case 'd', 'i' -> {
          if (!Py.isNumber(v)) {
            throw in.error("%d format: a real number is required, not " + Py.typeName(v));
          }
          sb.append(v instanceof Double d ? (long) d.doubleValue() : Py.toLong(v));
        }
        case 'f' -> {
          if (!Py.isNumber(v)) {
            throw in.error("%f format: a real number is required, not " + Py.typeName(v));
          }
          sb.append(String.format(Locale.ROOT, "%f", Py.toDouble(v)));
        }
        default -> throw in.error("unsupported format character '" + code + "'");
      }
    }
    if (a < args.size()) {
      throw in.error("not all arguments converted during string formatting");
    }
    return sb.toString();
  }

  /** Python {@code str.format} with {@code {}}, {@code {0}} and {@code {name}} fields. */
  private static String braceFormat(Interp in, String fmt, List<Object> args,
      Map<String, Object> kw) {
    StringBuilder sb = new StringBuilder();
    int auto = 0;
    for (int i = 0; i < fmt.length(); i++) {
      char c = fmt.charAt(i);
      if (c == '{' && i + 1 < fmt.length() && fmt.charAt(i + 1) == '{') {
        sb.append('{');
        i++;
      } else if (c == '}' && i + 1 < fmt.length() && fmt.charAt(i + 1) == '}') {
        sb.append('}');
        i++;
      } else if (c == '{') {
        int end = fmt.indexOf('}', i);
        if (end < 0) {
          throw in.error("single '{' encountered in format string");
        }
        String field = fmt.substring(i + 1, end);
        Object v;
        if (field.isEmpty()) {
          v = auto < args.size() ? args.get(auto++) : null;
          if (auto > args.size()) {
            throw in.error("format: not enough positional arguments");
          }
        } else if (field.chars().allMatch(Character::isDigit)) {
          int k = Integer.parseInt(field);
          if (k >= args.size()) {
            throw in.error("format: replacement index " + k + " out of range");
          }
          v = args.get(k);
        } else {
          if (!kw.containsKey(field)) {
            throw in.error("format: no argument named '" + field + "'");
          }
          v = kw.get(field);
        }
        sb.append(sized(in, sb, in.str(v)));
        i = end;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** {@code namespace(...)}, {@code range(...)}, {@code dict(...)}. */
  static Map<String, Object> globals(Interp in) {
    Map<String, Object> g = new LinkedHashMap<>();
    g.put("namespace", (Fn) (args, kw) -> {
      Namespace n = new Namespace();
      if (!args.isEmpty() && args.get(0) instanceof Map<?, ?> m) {
        m.forEach((k, x) -> n.attrs.put(in.str(k), x));
      }
      n.attrs.putAll(kw);
      return n;
    });
    g.put("range", (Fn) (args, kw) -> {
      long start = 0;
      long stop;
      long step = 1;
      if (args.size() == 1) {
        stop = intArg(in, args.get(0), "range stop");
      } else if (args.size() >= 2) {
        start = intArg(in, args.get(0), "range start");
        stop = intArg(in, args.get(1), "range stop");
        if (args.size() > 2) {
          step = intArg(in, args.get(2), "range step");
        }
      } else {
        throw in.error("range expected at least 1 argument, got 0");
      }
      if (step == 0) {
        throw in.error("range() arg 3 must not be zero");
      }
      // exact even where stop - start overflows a long (range(-2**63, 2**63 - 1))
      java.math.BigInteger span = java.math.BigInteger.valueOf(stop)
          .subtract(java.math.BigInteger.valueOf(start));
      java.math.BigInteger by = java.math.BigInteger.valueOf(step);
      if (step < 0) {
        span = span.negate();
        by = by.negate();
      }
      java.math.BigInteger count = span.signum() <= 0 ? java.math.BigInteger.ZERO
          : span.subtract(java.math.BigInteger.ONE).divide(by).add(java.math.BigInteger.ONE);
      long n = count.bitLength() < 63 ? count.longValue() : Long.MAX_VALUE;
      in.checkRange(n);
      List<Object> out = new ArrayList<>((int) n);
      for (long k = 0; k < n; k++) {
        out.add(start + k * step);
      }
      return out;
    });
    g.put("dict", (Fn) (args, kw) -> {
      Map<Object, Object> m = new LinkedHashMap<>();
      if (!args.isEmpty() && args.get(0) instanceof Map<?, ?> src) {
        m.putAll(src);
      }
      m.putAll(kw);
      return m;
    });
    g.put("lipsum", null);
    g.remove("lipsum");
    return g;
  }

  static List<Object> distinct(List<Object> l) {
    return new ArrayList<>(new LinkedHashSet<>(l));
  }
}
