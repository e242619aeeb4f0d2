package dev.sparq.onnx.jinja;

import java.util.List;

/** The parsed template tree. */
final class Node {
  private Node() {}

  sealed interface Stmt permits Text, Output, If, For, Set, SetBlock, Macro, Break, Continue,
      Block, CallStmt {
    int line();
  }

  record Text(String text, int line) implements Stmt {}

  record Output(Expr expr, int line) implements Stmt {}

  record If(List<Expr> conds, List<List<Stmt>> bodies, List<Stmt> orElse, int line)
      implements Stmt {}

  record For(List<String> targets, Expr iter, Expr filter, List<Stmt> body, List<Stmt> orElse,
      int line) implements Stmt {}

  /** {@code set a = x}, {@code set a, b = x} or {@code set ns.attr = x}. */
  record Set(List<String> targets, String attr, Expr value, int line) implements Stmt {}

  record SetBlock(String target, String attr, List<Stmt> body, int line) implements Stmt {}

  record Macro(String name, List<String> params, List<Expr> defaults, List<Stmt> body, int line)
      implements Stmt {}

  record Break(int line) implements Stmt {}

  record Continue(int line) implements Stmt {}

  /** A body with no scope of its own ({@code generation}, {@code filter} result applied later). */
  record Block(List<Stmt> body, Expr filterOf, int line) implements Stmt {}

  /** {@code {% do expr %}}-like statement evaluated for effect (used for {@code call}). */
  record CallStmt(Expr expr, int line) implements Stmt {}

  sealed interface Expr permits Lit, Name, Attr, Item, Slice, Call, Filter, Test, Unary, Bin,
      And, Or, Not, Compare, Cond, ListLit, DictLit {
    int line();
  }

  record Lit(Object value, int line) implements Expr {}

  record Name(String name, int line) implements Expr {}

  record Attr(Expr obj, String name, int line) implements Expr {}

  record Item(Expr obj, Expr index, int line) implements Expr {}

  record Slice(Expr obj, Expr start, Expr stop, Expr step, int line) implements Expr {}

  record Call(Expr fn, List<Expr> args, List<String> kwNames, List<Expr> kwValues, int line)
      implements Expr {}

  record Filter(Expr value, String name, List<Expr> args, List<String> kwNames,
      List<Expr> kwValues, int line) implements Expr {}

  record Test(Expr value, String name, List<Expr> args, boolean negated, int line)
      implements Expr {}

  record Unary(String op, Expr value, int line) implements Expr {}

  record Bin(String op, Expr left, Expr right, int line) implements Expr {}

  record And(Expr left, Expr right, int line) implements Expr {}

  record Or(Expr left, Expr right, int line) implements Expr {}

  record Not(Expr value, int line) implements Expr {}

  record Compare(Expr first, List<String> ops, List<Expr> rest, int line) implements Expr {}

  record Cond(Expr then, Expr cond, Expr orElse, int line) implements Expr {}

  record ListLit(List<Expr> items, boolean tuple, int line) implements Expr {}

  record DictLit(List<Expr> keys, List<Expr> values, int line) implements Expr {}
}
