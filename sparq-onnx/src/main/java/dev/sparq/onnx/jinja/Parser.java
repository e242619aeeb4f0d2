package dev.sparq.onnx.jinja;

import dev.sparq.onnx.jinja.Lexer.T;
import dev.sparq.onnx.jinja.Lexer.Tok;
import dev.sparq.onnx.jinja.Node.Expr;
import dev.sparq.onnx.jinja.Node.Stmt;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Recursive-descent parser with Jinja2's operator precedence. */
final class Parser {
  private static final Set<String> COMPARE = Set.of("==", "!=", "<", ">", "<=", ">=");

  private final String name;
  private final List<Tok> toks;
  private int i;

  private Parser(String name, List<Tok> toks) {
    this.name = name;
    this.toks = toks;
  }

  static List<Stmt> parse(String name, String source) {
    Parser p = new Parser(name, Lexer.lex(name, source));
    List<Stmt> body = p.body(Set.of());
    if (p.peek().type() != T.EOF) {
      throw p.error("unexpected '{% " + p.peek(1).text() + " %}'");
    }
    return body;
  }

  private Tok peek() {
    return toks.get(i);
  }

  private Tok peek(int k) {
    return toks.get(Math.min(i + k, toks.size() - 1));
  }

  private Tok next() {
    return toks.get(i++);
  }

  private TemplateException error(String msg) {
    return new TemplateException(name, peek().line(), msg);
  }

  private Tok expect(T type, String text) {
    Tok t = peek();
    if (t.type() != type || (text != null && !t.text().equals(text))) {
      throw error("expected '" + (text == null ? type.name().toLowerCase() : text) + "' but found '"
          + (t.type() == T.EOF ? "end of template" : t.text()) + "'");
    }
    return next();
  }

  private String expectName() {
    return expect(T.NAME, null).text();
  }

  /** Parses statements until a block tag whose first word is in {@code ends} (left unconsumed). */
  private List<Stmt> body(Set<String> ends) {
    List<Stmt> out = new ArrayList<>();
    while (true) {
      Tok t = peek();
      switch (t.type()) {
        case EOF -> {
          if (!ends.isEmpty()) {
            throw error("missing end tag, expected one of " + ends);
          }
          return out;
        }
        case TEXT -> {
          next();
          out.add(new Node.Text(t.text(), t.line()));
        }
        case VAR_BEGIN -> {
          next();
          Expr e = expression();
          expect(T.VAR_END, null);
          out.add(new Node.Output(e, t.line()));
        }
        case BLOCK_BEGIN -> {
          Tok kw = peek(1);
          if (kw.type() == T.NAME && ends.contains(kw.text())) {
            return out;
          }
          next();
          out.add(statement());
        }
        default -> throw error("unexpected '" + t.text() + "'");
      }
    }
  }

  private void endTag(String word) {
    expect(T.BLOCK_BEGIN, null);
    expect(T.NAME, word);
    expect(T.BLOCK_END, null);
  }

  private Stmt statement() {
    Tok kw = peek();
    int line = kw.line();
    if (kw.type() != T.NAME) {
      throw error("expected a statement name");
    }
    next();
    switch (kw.text()) {
      case "if" -> {
        List<Expr> conds = new ArrayList<>();
        List<List<Stmt>> bodies = new ArrayList<>();
        conds.add(expression());
        expect(T.BLOCK_END, null);
        bodies.add(body(Set.of("elif", "else", "endif")));
        List<Stmt> orElse = List.of();
        while (true) {
          expect(T.BLOCK_BEGIN, null);
          String w = expectName();
          if (w.equals("elif")) {
            conds.add(expression());
            expect(T.BLOCK_END, null);
            bodies.add(body(Set.of("elif", "else", "endif")));
          } else if (w.equals("else")) {
            expect(T.BLOCK_END, null);
            orElse = body(Set.of("endif"));
            endTag("endif");
            break;
          } else {
            expect(T.BLOCK_END, null);
            break;
          }
        }
        return new Node.If(conds, bodies, orElse, line);
      }
      case "for" -> {
        List<String> targets = new ArrayList<>();
        boolean paren = peek().isOp("(");
        if (paren) {
          next();
        }
        targets.add(expectName());
        while (peek().isOp(",")) {
          next();
          targets.add(expectName());
        }
        if (paren) {
          expect(T.OP, ")");
        }
        expect(T.NAME, "in");
        Expr iter = condExpr(false);
        Expr filter = null;
        if (peek().isName("if")) {
          next();
          filter = condExpr(true);
        }
        if (peek().isName("recursive")) {
          throw error("recursive loops are not supported in chat templates");
        }
        expect(T.BLOCK_END, null);
        List<Stmt> b = body(Set.of("else", "endfor"));
        List<Stmt> orElse = List.of();
        expect(T.BLOCK_BEGIN, null);
        if (expectName().equals("else")) {
          expect(T.BLOCK_END, null);
          orElse = body(Set.of("endfor"));
          endTag("endfor");
        } else {
          expect(T.BLOCK_END, null);
        }
        return new Node.For(targets, iter, filter, b, orElse, line);
      }
      case "set" -> {
        List<String> targets = new ArrayList<>();
        targets.add(expectName());
        String attr = null;
        if (peek().isOp(".")) {
          next();
          attr = expectName();
        }
        while (attr == null && peek().isOp(",")) {
          next();
          targets.add(expectName());
        }
        if (peek().type() == T.BLOCK_END && targets.size() == 1) {
          next();
          List<Stmt> b = body(Set.of("endset"));
          endTag("endset");
          return new Node.SetBlock(targets.get(0), attr, b, line);
        }
        expect(T.OP, "=");
        Expr v = tupleOrExpr();
        expect(T.BLOCK_END, null);
        return new Node.Set(targets, attr, v, line);
      }
      case "macro" -> {
        String mname = expectName();
        expect(T.OP, "(");
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        while (!peek().isOp(")")) {
          if (!params.isEmpty()) {
            expect(T.OP, ",");
            if (peek().isOp(")")) {
              break;
            }
          }
          params.add(expectName());
          if (peek().isOp("=")) {
            next();
            defaults.add(expression());
          } else {
            defaults.add(null);
          }
        }
        expect(T.OP, ")");
        expect(T.BLOCK_END, null);
        List<Stmt> b = body(Set.of("endmacro"));
        endTag("endmacro");
        return new Node.Macro(mname, params, defaults, b, line);
      }
      case "break" -> {
        expect(T.BLOCK_END, null);
        return new Node.Break(line);
      }
      case "continue" -> {
        expect(T.BLOCK_END, null);
        return new Node.Continue(line);
      }
      case "generation" -> {
        expect(T.BLOCK_END, null);
        List<Stmt> b = body(Set.of("endgeneration"));
        endTag("endgeneration");
        return new Node.Block(b, null, line);
      }
      case "filter" -> {
        String fname = dottedName();
        List<Expr> fargs = new ArrayList<>();
        List<String> fkwn = new ArrayList<>();
        List<Expr> fkwv = new ArrayList<>();
        if (peek().isOp("(")) {
          next();
          callArgs(fargs, fkwn, fkwv);
        }
        Expr f = filterChain(new Node.Filter(new Node.Name("__block__", line), fname, fargs, fkwn,
            fkwv, line));
        expect(T.BLOCK_END, null);
        List<Stmt> b = body(Set.of("endfilter"));
        endTag("endfilter");
        return new Node.Block(b, f, line);
      }
      case "do" -> {
        Expr e = expression();
        expect(T.BLOCK_END, null);
        return new Node.CallStmt(e, line);
      }
      case "include", "import", "from", "extends", "block" ->
          throw new TemplateException(name, line, "'{% " + kw.text()
              + " %}' is not allowed in chat templates (a chat template cannot load other"
              + " templates or resources)");
      default -> throw new TemplateException(name, line, "unknown statement '" + kw.text() + "'");
    }
  }

  /** An expression, or a bare tuple {@code a, b} (as in {@code set a, b = 1, 2}). */
  private Expr tupleOrExpr() {
    Expr first = expression();
    if (!peek().isOp(",")) {
      return first;
    }
    List<Expr> items = new ArrayList<>();
    items.add(first);
    while (peek().isOp(",")) {
      next();
      items.add(expression());
    }
    return new Node.ListLit(items, true, first.line());
  }

  Expr expression() {
    return condExpr(true);
  }

  private Expr condExpr(boolean withCond) {
    Expr e = or();
    while (withCond && peek().isName("if")) {
      int line = next().line();
      Expr cond = or();
      Expr orElse = null;
      if (peek().isName("else")) {
        next();
        orElse = condExpr(true);
      }
      e = new Node.Cond(e, cond, orElse, line);
    }
    return e;
  }

  private Expr or() {
    Expr e = and();
    while (peek().isName("or")) {
      int line = next().line();
      e = new Node.Or(e, and(), line);
    }
    return e;
  }

  private Expr and() {
    Expr e = not();
    while (peek().isName("and")) {
      int line = next().line();
      e = new Node.And(e, not(), line);
    }
    return e;
  }

  private Expr not() {
    if (peek().isName("not")) {
      int line = next().line();
      return new Node.Not(not(), line);
    }
    return compare();
  }

  private Expr compare() {
    Expr first = math1();
    List<String> ops = new ArrayList<>();
    List<Expr> rest = new ArrayList<>();
    while (true) {
      Tok t = peek();
      if (t.type() == T.OP && COMPARE.contains(t.text())) {
        next();
        ops.add(t.text());
      } else if (t.isName("in")) {
        next();
        ops.add("in");
      } else if (t.isName("not") && peek(1).isName("in")) {
        next();
        next();
        ops.add("not in");
      } else {
        break;
      }
      rest.add(math1());
    }
    return ops.isEmpty() ? first : new Node.Compare(first, ops, rest, first.line());
  }

  private Expr math1() {
    Expr e = concat();
    while (peek().isOp("+") || peek().isOp("-")) {
      Tok op = next();
      e = new Node.Bin(op.text(), e, concat(), op.line());
    }
    return e;
  }

  private Expr concat() {
    Expr e = math2();
    while (peek().isOp("~")) {
      Tok op = next();
      e = new Node.Bin("~", e, math2(), op.line());
    }
    return e;
  }

  private Expr math2() {
    Expr e = pow();
    while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
      Tok op = next();
      e = new Node.Bin(op.text(), e, pow(), op.line());
    }
    return e;
  }

  private Expr pow() {
    Expr e = unary(true);
    while (peek().isOp("**")) {
      Tok op = next();
      e = new Node.Bin("**", e, unary(true), op.line());
    }
    return e;
  }

  private Expr unary(boolean withFilter) {
    Tok t = peek();
    Expr e;
    if (t.isOp("-") || t.isOp("+")) {
      next();
      e = new Node.Unary(t.text(), unary(false), t.line());
    } else {
      e = postfix(primary());
    }
    return withFilter ? filterChain(e) : e;
  }

  private Expr filterChain(Expr e) {
    while (true) {
      Tok t = peek();
      if (t.isOp("|")) {
        next();
        String fname = dottedName();
        List<Expr> args = new ArrayList<>();
        List<String> kwn = new ArrayList<>();
        List<Expr> kwv = new ArrayList<>();
        if (peek().isOp("(")) {
          next();
          callArgs(args, kwn, kwv);
        }
        e = postfix(new Node.Filter(e, fname, args, kwn, kwv, t.line()));
      } else if (t.isName("is")) {
        next();
        boolean negated = false;
        if (peek().isName("not")) {
          next();
          negated = true;
        }
        String tname = dottedName();
        List<Expr> args = new ArrayList<>();
        if (peek().isOp("(")) {
          next();
          List<String> kwn = new ArrayList<>();
          callArgs(args, kwn, new ArrayList<>());
        } else {
          Tok a = peek();
          boolean startsArg = a.type() == T.STRING || a.type() == T.INT || a.type() == T.FLOAT
              || a.isOp("[") || a.isOp("{") || a.isOp("-")
              || (a.type() == T.NAME && !Set.of("and", "or", "else", "if", "in", "is", "not")
                  .contains(a.text()));
          if (startsArg) {
            args.add(postfix(primary()));
          }
        }
        e = new Node.Test(e, tname, args, negated, t.line());
      } else {
        return e;
      }
    }
  }

  private String dottedName() {
    Tok t = next();
    if (t.type() != T.NAME) {
      throw new TemplateException(name, t.line(), "expected a name after '|' or 'is'");
    }
    return t.text();
  }

  private void callArgs(List<Expr> args, List<String> kwn, List<Expr> kwv) {
    while (!peek().isOp(")")) {
      if (!args.isEmpty() || !kwn.isEmpty()) {
        expect(T.OP, ",");
        if (peek().isOp(")")) {
          break;
        }
      }
      if (peek().type() == T.NAME && peek(1).isOp("=")) {
        kwn.add(next().text());
        next();
        kwv.add(expression());
      } else {
        if (!kwn.isEmpty()) {
          throw error("positional argument after keyword argument");
        }
        args.add(expression());
      }
    }
    expect(T.OP, ")");
  }

  private Expr postfix(Expr e) {
    while (true) {
      Tok t = peek();
      if (t.isOp(".")) {
        next();
        Tok n = next();
        if (n.type() == T.NAME) {
          e = new Node.Attr(e, n.text(), t.line());
        } else if (n.type() == T.INT) {
          e = new Node.Item(e, new Node.Lit(n.value(), t.line()), t.line());
        } else {
          throw new TemplateException(name, n.line(), "expected an attribute name after '.'");
        }
      } else if (t.isOp("[")) {
        next();
        e = subscript(e, t.line());
      } else if (t.isOp("(")) {
        next();
        List<Expr> args = new ArrayList<>();
        List<String> kwn = new ArrayList<>();
        List<Expr> kwv = new ArrayList<>();
        callArgs(args, kwn, kwv);
        e = new Node.Call(e, args, kwn, kwv, t.line());
      } else {
        return e;
      }
    }
  }

  private Expr subscript(Expr obj, int line) {
    Expr[] parts = new Expr[3];
    int part = 0;
    boolean slice = false;
    while (!peek().isOp("]")) {
      if (peek().isOp(":")) {
        next();
        slice = true;
        part++;
        if (part > 2) {
          throw error("too many ':' in slice");
        }
        continue;
      }
      if (parts[part] != null) {
        throw error("expected ']'");
      }
      parts[part] = expression();
    }
    expect(T.OP, "]");
    if (!slice) {
      if (parts[0] == null) {
        throw error("empty subscript");
      }
      return new Node.Item(obj, parts[0], line);
    }
    return new Node.Slice(obj, parts[0], parts[1], parts[2], line);
  }

  private Expr primary() {
    Tok t = next();
    int line = t.line();
    switch (t.type()) {
      case STRING -> {
        StringBuilder sb = new StringBuilder(t.text());
        while (peek().type() == T.STRING) {
          sb.append(next().text());
        }
        return new Node.Lit(sb.toString(), line);
      }
      case INT, FLOAT -> {
        return new Node.Lit(t.value(), line);
      }
      case NAME -> {
        return switch (t.text()) {
          case "true", "True" -> new Node.Lit(Boolean.TRUE, line);
          case "false", "False" -> new Node.Lit(Boolean.FALSE, line);
          case "none", "None" -> new Node.Lit(null, line);
          default -> new Node.Name(t.text(), line);
        };
      }
      case OP -> {
        if (t.text().equals("(")) {
          if (peek().isOp(")")) {
            next();
            return new Node.ListLit(List.of(), true, line);
          }
          Expr first = expression();
          if (peek().isOp(")")) {
            next();
            return first;
          }
          List<Expr> items = new ArrayList<>();
          items.add(first);
          while (peek().isOp(",")) {
            next();
            if (peek().isOp(")")) {
              break;
            }
            items.add(expression());
          }
          expect(T.OP, ")");
          return new Node.ListLit(items, true, line);
        }
        if (t.text().equals("[")) {
          List<Expr> items = new ArrayList<>();
          while (!peek().isOp("]")) {
            if (!items.isEmpty()) {
              expect(T.OP, ",");
              if (peek().isOp("]")) {
                break;
              }
            }
            items.add(expression());
          }
          expect(T.OP, "]");
          return new Node.ListLit(items, false, line);
        }
        if (t.text().equals("{")) {
          List<Expr> keys = new ArrayList<>();
          List<Expr> values = new ArrayList<>();
          while (!peek().isOp("}")) {
            if (!keys.isEmpty()) {
              expect(T.OP, ",");
              if (peek().isOp("}")) {
                break;
              }
            }
            keys.add(expression());
            expect(T.OP, ":");
            values.add(expression());
          }
          expect(T.OP, "}");
          return new Node.DictLit(keys, values, line);
        }
        throw new TemplateException(name, line, "unexpected '" + t.text() + "'");
      }
      default -> throw new TemplateException(name, line, "unexpected '"
          + (t.type() == T.EOF ? "end of template" : t.text()) + "'");
    }
  }
}
