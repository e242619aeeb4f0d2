package dev.sparq.onnx.jinja;

import dev.sparq.onnx.jinja.Node.Expr;
import dev.sparq.onnx.jinja.Node.Stmt;
import dev.sparq.onnx.jinja.Py.Fn;
import dev.sparq.onnx.jinja.Py.Namespace;
import dev.sparq.onnx.jinja.Py.Tuple;
import dev.sparq.onnx.jinja.Py.Undefined;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Evaluates a parsed template with Python Jinja2 semantics and render budgets. */
final class Interp {
  private static final int MAX_CALL_DEPTH = 100;

  private final String name;
  private final Template.Limits limits;
  private final long deadline;
  private long iterations;
  private int callDepth;
  private int line;

  /** Variable scope; a for-loop iteration and a macro call get a child scope. */
  static final class Scope {
    final Scope parent;
    final Map<String, Object> vars = new HashMap<>();

    Scope(Scope parent) {
      this.parent = parent;
    }

    Object get(String n) {
      for (Scope s = this; s != null; s = s.parent) {
        if (s.vars.containsKey(n)) {
          return s.vars.get(n);
        }
      }
      return new Undefined("'" + n + "' is undefined");
    }
  }

  private static final class BreakSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BreakSignal() {
      super(null, null, false, false);
    }
  }

  private static final class ContinueSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ContinueSignal() {
      super(null, null, false, false);
    }
  }

  /** {@code loop} of a for loop. */
  static final class Loop {
    final List<Object> items;
    int index0;

    Loop(List<Object> items) {
      this.items = items;
    }

    Object attr(String a) {
      int n = items.size();
      return switch (a) {
        case "index0" -> (long) index0;
        case "index" -> (long) index0 + 1;
        case "revindex" -> (long) (n - index0);
        case "revindex0" -> (long) (n - index0 - 1);
        case "first" -> index0 == 0;
        case "last" -> index0 == n - 1;
        case "length" -> (long) n;
        case "depth" -> 1L;
        case "depth0" -> 0L;
        case "previtem" -> index0 > 0 ? items.get(index0 - 1)
            : new Undefined("there is no previous item");
        case "nextitem" -> index0 + 1 < n ? items.get(index0 + 1)
            : new Undefined("there is no next item");
        case "cycle" -> (Fn) (args, kw) -> args.isEmpty() ? new Undefined("no items")
            : args.get(index0 % args.size());
        default -> new Undefined("'loop' has no attribute '" + a + "'");
      };
    }
  }

  Interp(String name, Template.Limits limits) {
    this.name = name;
    this.limits = limits;
    this.deadline = System.nanoTime() + limits.maxTime().toNanos();
  }

  TemplateException error(String msg) {
    return new TemplateException(name, line, msg);
  }

  void tick() {
    if (System.nanoTime() - deadline > 0) {
      throw error("render took longer than the budget of " + limits.maxTime().toMillis()
          + " ms");
    }
  }

  void checkRange(long n) {
    if (n > limits.maxLoopIterations()) {
      throw error("range of " + n + " items is over the loop budget of "
          + limits.maxLoopIterations());
    }
  }

  /**
   * Fails, before anything of that size is allocated, when a string of {@code chars} characters
   * would pass the output budget (or what a Java string can hold, for a budget set higher).
   */
  void checkSize(long chars) {
    if (chars > limits.maxOutputChars()) {
      throw error("output or string larger than the budget of " + limits.maxOutputChars()
          + " characters");
    }
    if (chars > Py.MAX_STRING) {
      throw error("string of " + chars + " characters is larger than a Java string can hold");
    }
  }

  /** Fails when a list of {@code n} items would pass the budget (the output budget, in items). */
  void checkItems(long n) {
    if (n > limits.maxOutputChars()) {
      throw error("list of " + n + " items is larger than the budget of "
          + limits.maxOutputChars() + " items");
    }
    if (n > Py.MAX_STRING) {
      throw error("list of " + n + " items is larger than a Java list can hold");
    }
  }

  /** The most characters a string built by this render may have. */
  long maxChars() {
    return Math.min(limits.maxOutputChars(), Py.MAX_STRING);
  }

  /** Python {@code str(v)} within the string budget. */
  String str(Object v) {
    try {
      return Py.str(v, maxChars());
    } catch (Py.TooLarge e) {
      checkSize(e.chars);
      throw e;
    }
  }

  /** Python {@code repr(v)} within the string budget. */
  String repr(Object v) {
    try {
      return Py.repr(v, maxChars());
    } catch (Py.TooLarge e) {
      checkSize(e.chars);
      throw e;
    }
  }

  void render(List<Stmt> body, Scope scope, StringBuilder out) {
    for (Stmt s : body) {
      exec(s, scope, out);
    }
  }

  private void append(StringBuilder out, String s) {
    checkSize((long) out.length() + s.length());
    out.append(s);
  }

  private void exec(Stmt s, Scope scope, StringBuilder out) {
    line = s.line();
    tick();
    if (s instanceof Node.Text t) {
      append(out, t.text());
    } else if (s instanceof Node.Output o) {
      append(out, str(eval(o.expr(), scope)));
    } else if (s instanceof Node.If f) {
      for (int k = 0; k < f.conds().size(); k++) {
        if (Py.truthy(eval(f.conds().get(k), scope))) {
          render(f.bodies().get(k), scope, out);
          return;
        }
      }
      render(f.orElse(), scope, out);
    } else if (s instanceof Node.For f) {
      execFor(f, scope, out);
    } else if (s instanceof Node.Set st) {
      Object v = eval(st.value(), scope);
      line = st.line();
      assign(st.targets(), st.attr(), v, scope);
    } else if (s instanceof Node.SetBlock sb) {
      StringBuilder b = new StringBuilder();
      render(sb.body(), scope, b);
      line = sb.line();
      assign(List.of(sb.target()), sb.attr(), b.toString(), scope);
    } else if (s instanceof Node.Macro m) {
      scope.vars.put(m.name(), macro(m, scope));
    } else if (s instanceof Node.Break b) {
      throw new BreakSignal();
    } else if (s instanceof Node.Continue c) {
      throw new ContinueSignal();
    } else if (s instanceof Node.Block b) {
      if (b.filterOf() == null) {
        render(b.body(), scope, out);
      } else {
        StringBuilder inner = new StringBuilder();
        render(b.body(), scope, inner);
        Scope tmp = new Scope(scope);
        tmp.vars.put("__block__", inner.toString());
        append(out, str(eval(b.filterOf(), tmp)));
      }
    } else if (s instanceof Node.CallStmt c) {
      eval(c.expr(), scope);
    }
  }

  private void assign(List<String> targets, String attr, Object v, Scope scope) {
    if (attr != null) {
      Object ns = scope.get(targets.get(0));
      if (!(ns instanceof Namespace n)) {
        throw error("cannot assign attribute on non-namespace object '" + targets.get(0) + "'");
      }
      n.attrs.put(attr, v);
      return;
    }
    if (targets.size() == 1) {
      scope.vars.put(targets.get(0), v);
      return;
    }
    List<Object> items = Py.iterate(v);
    if (items == null || items.size() != targets.size()) {
      throw error("cannot unpack " + Py.typeName(v) + " into " + targets.size() + " names");
    }
    for (int k = 0; k < targets.size(); k++) {
      scope.vars.put(targets.get(k), items.get(k));
    }
  }

  private void execFor(Node.For f, Scope scope, StringBuilder out) {
    Object seq = eval(f.iter(), scope);
    List<Object> items = Py.iterate(seq);
    if (items == null) {
      throw error("'" + Py.typeName(seq) + "' object is not iterable");
    }
    if (f.filter() != null) {
      List<Object> kept = new ArrayList<>();
      for (Object it : items) {
        countIteration();
        Scope s = new Scope(scope);
        bind(f.targets(), it, s);
        if (Py.truthy(eval(f.filter(), s))) {
          kept.add(it);
        }
      }
      items = kept;
    }
    if (items.isEmpty()) {
      render(f.orElse(), scope, out);
      return;
    }
    Loop loop = new Loop(items);
    for (int k = 0; k < items.size(); k++) {
      countIteration();
      loop.index0 = k;
      Scope s = new Scope(scope);
      s.vars.put("loop", loop);
      bind(f.targets(), items.get(k), s);
      try {
        render(f.body(), s, out);
      } catch (ContinueSignal c) {
        // next item
      } catch (BreakSignal b) {
        break;
      }
    }
  }

  private void countIteration() {
    if (++iterations > limits.maxLoopIterations()) {
      throw error("more loop iterations than the budget of " + limits.maxLoopIterations());
    }
    tick();
  }

  private void bind(List<String> targets, Object item, Scope s) {
    if (targets.size() == 1) {
      s.vars.put(targets.get(0), item);
      return;
    }
    List<Object> parts = Py.iterate(item);
    if (parts == null || parts.size() != targets.size()) {
      throw error("cannot unpack " + Py.typeName(item) + " into " + targets.size() + " names");
    }
    for (int k = 0; k < targets.size(); k++) {
      s.vars.put(targets.get(k), parts.get(k));
    }
  }

  private Fn macro(Node.Macro m, Scope defScope) {
    return (args, kwargs) -> {
      if (++callDepth > MAX_CALL_DEPTH) {
        callDepth = 0;
        throw error("macro calls nested deeper than " + MAX_CALL_DEPTH);
      }
      int saved = line;
      try {
        Scope s = new Scope(defScope);
        List<String> params = m.params();
        if (args.size() > params.size()) {
          throw error("macro '" + m.name() + "' takes " + params.size() + " arguments, "
              + args.size() + " given");
        }
        for (int k = 0; k < params.size(); k++) {
          String p = params.get(k);
          Object v;
          if (k < args.size()) {
            v = args.get(k);
          } else if (kwargs.containsKey(p)) {
            v = kwargs.get(p);
          } else if (m.defaults().get(k) != null) {
            v = eval(m.defaults().get(k), s);
          } else {
            v = new Undefined("'" + p + "' is undefined");
          }
          s.vars.put(p, v);
        }
        for (String k : kwargs.keySet()) {
          if (!params.contains(k)) {
            throw error("macro '" + m.name() + "' takes no keyword argument '" + k + "'");
          }
        }
        StringBuilder b = new StringBuilder();
        render(m.body(), s, b);
        return b.toString();
      } finally {
        callDepth--;
        line = saved;
      }
    };
  }

  // ---------------------------------------------------------------- expressions

  Object eval(Expr e, Scope scope) {
    if (e instanceof Node.Lit l) {
      return l.value();
    } else if (e instanceof Node.Name n) {
      return scope.get(n.name());
    } else if (e instanceof Node.Attr a) {
      return getAttr(eval(a.obj(), scope), a.name());
    } else if (e instanceof Node.Item it) {
      return getItem(eval(it.obj(), scope), eval(it.index(), scope));
    } else if (e instanceof Node.Slice sl) {
      return slice(eval(sl.obj(), scope), opt(sl.start(), scope), opt(sl.stop(), scope),
          opt(sl.step(), scope));
    } else if (e instanceof Node.Call c) {
      Object fn = eval(c.fn(), scope);
      List<Object> args = new ArrayList<>();
      for (Expr a : c.args()) {
        args.add(eval(a, scope));
      }
      Map<String, Object> kw = new LinkedHashMap<>();
      for (int k = 0; k < c.kwNames().size(); k++) {
        kw.put(c.kwNames().get(k), eval(c.kwValues().get(k), scope));
      }
      line = c.line();
      if (fn instanceof Undefined u) {
        throw error(u.hint.isEmpty() ? "call of an undefined value" : u.hint);
      }
      if (!(fn instanceof Fn f)) {
        throw error("'" + Py.typeName(fn) + "' object is not callable");
      }
      return f.call(args, kw);
    } else if (e instanceof Node.Filter f) {
      Object v = eval(f.value(), scope);
      List<Object> args = new ArrayList<>();
      for (Expr a : f.args()) {
        args.add(eval(a, scope));
      }
      Map<String, Object> kw = new LinkedHashMap<>();
      for (int k = 0; k < f.kwNames().size(); k++) {
        kw.put(f.kwNames().get(k), eval(f.kwValues().get(k), scope));
      }
      line = f.line();
      return Builtins.filter(this, f.name(), v, args, kw);
    } else if (e instanceof Node.Test t) {
      if (t.name().equals("defined") || t.name().equals("undefined")) {
        boolean def = !(eval(t.value(), scope) instanceof Undefined);
        return (t.name().equals("defined") == def) != t.negated();
      }
      Object v = eval(t.value(), scope);
      List<Object> args = new ArrayList<>();
      for (Expr a : t.args()) {
        args.add(eval(a, scope));
      }
      line = t.line();
      return Builtins.test(this, t.name(), v, args) != t.negated();
    } else if (e instanceof Node.Unary u) {
      Object v = eval(u.value(), scope);
      line = u.line();
      if (!Py.isNumber(v)) {
        throw error("bad operand type for unary " + u.op() + ": '" + Py.typeName(v) + "'");
      }
      if (u.op().equals("+")) {
        return v instanceof Boolean ? (Object) Py.toLong(v) : v;
      }
      return v instanceof Double d ? (Object) (-d) : (Object) Math.negateExact(Py.toLong(v));
    } else if (e instanceof Node.Bin b) {
      Object l = eval(b.left(), scope);
      Object r = eval(b.right(), scope);
      line = b.line();
      return binary(b.op(), l, r);
    } else if (e instanceof Node.And a) {
      Object l = eval(a.left(), scope);
      return Py.truthy(l) ? eval(a.right(), scope) : l;
    } else if (e instanceof Node.Or o) {
      Object l = eval(o.left(), scope);
      return Py.truthy(l) ? l : eval(o.right(), scope);
    } else if (e instanceof Node.Not n) {
      return !Py.truthy(eval(n.value(), scope));
    } else if (e instanceof Node.Compare c) {
      Object left = eval(c.first(), scope);
      for (int k = 0; k < c.ops().size(); k++) {
        Object right = eval(c.rest().get(k), scope);
        line = c.line();
        if (!compare(c.ops().get(k), left, right)) {
          return false;
        }
        left = right;
      }
      return true;
    } else if (e instanceof Node.Cond c) {
      if (Py.truthy(eval(c.cond(), scope))) {
        return eval(c.then(), scope);
      }
      return c.orElse() == null ? new Undefined("the inline if-expression evaluated to false"
          + " and no else section was defined") : eval(c.orElse(), scope);
    } else if (e instanceof Node.ListLit l) {
      List<Object> out = new ArrayList<>();
      for (Expr x : l.items()) {
        out.add(eval(x, scope));
      }
      return l.tuple() ? new Tuple(out) : out;
    } else if (e instanceof Node.DictLit d) {
      Map<Object, Object> out = new LinkedHashMap<>();
      for (int k = 0; k < d.keys().size(); k++) {
        out.put(eval(d.keys().get(k), scope), eval(d.values().get(k), scope));
      }
      return out;
    }
    throw error("unknown expression");
  }

  private Object opt(Expr e, Scope s) {
    return e == null ? null : eval(e, s);
  }

  Object undefinedUse(Undefined u) {
    throw error(u.hint);
  }

  Object getAttr(Object obj, String attr) {
    if (obj instanceof Undefined u) {
      throw error(u.hint);
    }
    if (obj instanceof Map<?, ?> m) {
      Fn method = Builtins.dictMethod(this, m, attr);
      if (method != null) {
        return method;
      }
      if (m.containsKey(attr)) {
        return m.get(attr);
      }
      return new Undefined("'dict object' has no attribute '" + attr + "'");
    }
    if (obj instanceof Namespace n) {
      return n.attrs.containsKey(attr) ? n.attrs.get(attr)
          : new Undefined("'Namespace' has no attribute '" + attr + "'");
    }
    if (obj instanceof Loop l) {
      return l.attr(attr);
    }
    if (obj instanceof String s) {
      Fn method = Builtins.strMethod(this, s, attr);
      if (method != null) {
        return method;
      }
    }
    if (obj instanceof List<?> l) {
      Fn method = Builtins.listMethod(this, l, attr);
      if (method != null) {
        return method;
      }
    }
    return new Undefined("'" + Py.typeName(obj) + " object' has no attribute '" + attr + "'");
  }

  Object getItem(Object obj, Object key) {
    if (obj instanceof Undefined u) {
      throw error(u.hint);
    }
    if (obj instanceof Map<?, ?> m) {
      Object k = key instanceof Boolean || key instanceof Double ? key : key;
      if (m.containsKey(k)) {
        return m.get(k);
      }
      if (key instanceof String s) {
        return getAttr(obj, s);
      }
      return new Undefined("'dict object' has no attribute " + Py.shortRepr(key));
    }
    if ((obj instanceof List || obj instanceof String) && Py.isInt(key)) {
      long idx = Py.toLong(key);
      if (obj instanceof List<?> l) {
        long k = idx < 0 ? idx + l.size() : idx;
        return k >= 0 && k < l.size() ? l.get((int) k)
            : new Undefined(Py.typeName(obj) + " object has no element " + idx);
      }
      String s = (String) obj;
      int n = Py.codePointLength(s);
      long k = idx < 0 ? idx + n : idx;
      if (k < 0 || k >= n) {
        return new Undefined("str object has no element " + idx);
      }
      int off = s.offsetByCodePoints(0, (int) k);
      return new String(Character.toChars(s.codePointAt(off)));
    }
    if (key instanceof String s) {
      return getAttr(obj, s);
    }
    if (obj instanceof Namespace || obj instanceof Loop) {
      return new Undefined("no item " + Py.shortRepr(key));
    }
    return new Undefined("'" + Py.typeName(obj) + " object' has no attribute " + Py.shortRepr(key));
  }

  Object slice(Object obj, Object start, Object stop, Object step) {
    if (obj instanceof Undefined u) {
      throw error(u.hint);
    }
    List<Object> items;
    boolean isStr = obj instanceof String;
    if (isStr || obj instanceof List) {
      items = Py.iterate(obj);
    } else {
      throw error("'" + Py.typeName(obj) + "' object is not subscriptable");
    }
    int n = items.size();
    long st = step == null ? 1 : sliceInt(step);
    if (st == 0) {
      throw error("slice step cannot be zero");
    }
    long lo;
    long hi;
    if (st > 0) {
      lo = start == null ? 0 : clamp(sliceInt(start), n, 0, n);
      hi = stop == null ? n : clamp(sliceInt(stop), n, 0, n);
    } else {
      lo = start == null ? n - 1 : clamp(sliceInt(start), n, -1, n - 1);
      hi = stop == null ? -1 : clamp(sliceInt(stop), n, -1, n - 1);
    }
    List<Object> out = new ArrayList<>();
    for (long k = lo; st > 0 ? k < hi : k > hi; k += st) {
      out.add(items.get((int) k));
    }
    if (isStr) {
      StringBuilder sb = new StringBuilder();
      out.forEach(o -> sb.append((String) o));
      return sb.toString();
    }
    return obj instanceof Tuple ? new Tuple(out) : out;
  }

  private long sliceInt(Object v) {
    if (!Py.isInt(v)) {
      throw error("slice indices must be integers or None");
    }
    return Py.toLong(v);
  }

  private static long clamp(long v, int n, long min, long max) {
    if (v < 0) {
      v += n;
    }
    return Math.max(min, Math.min(max, v));
  }

  private boolean compare(String op, Object l, Object r) {
    switch (op) {
      case "==":
        return Py.eq(l, r);
      case "!=":
        return !Py.eq(l, r);
      case "in":
        return contains(r, l);
      case "not in":
        return !contains(r, l);
      default:
        int c = Py.compare(l, r);
        if (c == -2) {
          throw error("'" + op + "' not supported between instances of '" + Py.typeName(l)
              + "' and '" + Py.typeName(r) + "'");
        }
        return switch (op) {
          case "<" -> c < 0;
          case ">" -> c > 0;
          case "<=" -> c <= 0;
          default -> c >= 0;
        };
    }
  }

  boolean contains(Object container, Object item) {
    if (container instanceof String s) {
      if (!(item instanceof String x)) {
        throw error("'in <string>' requires string as left operand, not " + Py.typeName(item));
      }
      return s.contains(x);
    }
    if (container instanceof Map<?, ?> m) {
      for (Object k : m.keySet()) {
        if (Py.eq(k, item)) {
          return true;
        }
      }
      return false;
    }
    if (container instanceof List<?> l) {
      for (Object o : l) {
        if (Py.eq(o, item)) {
          return true;
        }
      }
      return false;
    }
    if (container instanceof Undefined) {
      return false;
    }
    throw error("argument of type '" + Py.typeName(container) + "' is not iterable");
  }

  Object binary(String op, Object l, Object r) {
    if (op.equals("~")) {
      String s = str(l);
      String t = str(r);
      checkSize((long) s.length() + t.length());
      return s + t;
    }
    if (l instanceof Undefined u) {
      throw error(u.hint);
    }
    if (r instanceof Undefined u) {
      throw error(u.hint);
    }
    try {
      switch (op) {
        case "+" -> {
          if (l instanceof String a && r instanceof String b) {
            checkSize((long) a.length() + b.length());
            return a + b;
          }
          if (l instanceof List<?> a && r instanceof List<?> b
              && (a instanceof Tuple) == (b instanceof Tuple)) {
            checkItems((long) a.size() + b.size());
            List<Object> out = new ArrayList<>(a.size() + b.size());
            out.addAll(a);
            out.addAll(b);
            return a instanceof Tuple ? new Tuple(out) : out;
          }
          if (Py.isNumber(l) && Py.isNumber(r)) {
            return l instanceof Double || r instanceof Double
                ? (Object) (Py.toDouble(l) + Py.toDouble(r))
                : (Object) Math.addExact(Py.toLong(l), Py.toLong(r));
          }
        }
        case "-" -> {
          if (Py.isNumber(l) && Py.isNumber(r)) {
            return l instanceof Double || r instanceof Double
                ? (Object) (Py.toDouble(l) - Py.toDouble(r))
                : (Object) Math.subtractExact(Py.toLong(l), Py.toLong(r));
          }
        }
        case "*" -> {
          if ((l instanceof String || l instanceof List) && Py.isInt(r)) {
            return repeat(l, Py.toLong(r));
          }
          if ((r instanceof String || r instanceof List) && Py.isInt(l)) {
            return repeat(r, Py.toLong(l));
          }
          if (Py.isNumber(l) && Py.isNumber(r)) {
            return l instanceof Double || r instanceof Double
                ? (Object) (Py.toDouble(l) * Py.toDouble(r))
                : (Object) Math.multiplyExact(Py.toLong(l), Py.toLong(r));
          }
        }
        case "/" -> {
          if (Py.isNumber(l) && Py.isNumber(r)) {
            if (Py.toDouble(r) == 0) {
              throw error("division by zero");
            }
            return Py.toDouble(l) / Py.toDouble(r);
          }
        }
        case "//" -> {
          if (Py.isNumber(l) && Py.isNumber(r)) {
            if (Py.toDouble(r) == 0) {
              throw error("integer division or modulo by zero");
            }
            if (l instanceof Double || r instanceof Double) {
              return Math.floor(Py.toDouble(l) / Py.toDouble(r));
            }
            return Math.floorDiv(Py.toLong(l), Py.toLong(r));
          }
        }
        case "%" -> {
          if (l instanceof String fmt) {
            return Builtins.percentFormat(this, fmt, r);
          }
          if (Py.isNumber(l) && Py.isNumber(r)) {
            if (Py.toDouble(r) == 0) {
              throw error("integer division or modulo by zero");
            }
            if (l instanceof Double || r instanceof Double) {
              double a = Py.toDouble(l);
              double b = Py.toDouble(r);
              return a - b * Math.floor(a / b);
            }
            return Math.floorMod(Py.toLong(l), Py.toLong(r));
          }
        }
        case "**" -> {
          if (Py.isNumber(l) && Py.isNumber(r)) {
            if (Py.isInt(l) && Py.isInt(r) && Py.toLong(r) >= 0) {
              long base = Py.toLong(l);
              long exp = Py.toLong(r);
              if (base == -1) { // the loop below would run exp times: 1 and -1 alternate
                return (exp & 1) == 0 ? 1L : -1L;
              }
              long acc = 1;
              for (long k = 0; k < exp; k++) {
                acc = Math.multiplyExact(acc, base);
                if (acc == 0 || acc == 1 && base == 1) {
                  break;
                }
              }
              return acc;
            }
            return Math.pow(Py.toDouble(l), Py.toDouble(r));
          }
        }
        default -> throw error("unknown operator " + op);
      }
    } catch (ArithmeticException e) {
      throw error("integer overflow in '" + op + "'");
    }
    throw error("unsupported operand type(s) for " + op + ": '" + Py.typeName(l) + "' and '"
        + Py.typeName(r) + "'");
  }

  private Object repeat(Object seq, long times) {
    boolean empty = seq instanceof String s ? s.isEmpty() : ((List<?>) seq).isEmpty();
    if (times <= 0 || empty) { // '' * 2**40 is '', at once (no loop of 2**40 empty appends)
      return seq instanceof String ? "" : seq instanceof Tuple ? new Tuple(List.of())
          : new ArrayList<>();
    }
    if (seq instanceof String s) {
      checkSize(Py.saturatingMultiply(s.length(), times));
      return s.repeat((int) times);
    }
    List<?> l = (List<?>) seq;
    checkItems(Py.saturatingMultiply(l.size(), times));
    List<Object> out = new ArrayList<>((int) (l.size() * times));
    for (long k = 0; k < times; k++) {
      out.addAll(l);
    }
    return seq instanceof Tuple ? new Tuple(out) : out;
  }

  static List<Object> unmodifiable(List<Object> l) {
    return Collections.unmodifiableList(l);
  }

  static String lower(String s) {
    return Py.lower(s);
  }
}
