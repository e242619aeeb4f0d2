package dev.sparq.core.answer;

import dev.sparq.core.math.Rational;
import java.util.List;
import java.util.Set;

/**
 * A small recursive-descent parser for LaTeX-flavoured scalar answers. It knows numbers, single-letter
 * variables (with subscripts), {@code + - * / ^}, implicit multiplication, {@code \frac}, {@code \sqrt}
 * (with an optional index), {@code \pi}, {@code \infty}, a few functions, absolute values and
 * factorials. LaTeX's one-token arguments ({@code \frac12}, {@code \sqrt3}, {@code x^2}) are read as
 * LaTeX reads them. Anything else is a {@link Fail}; nothing is ever executed.
 */
final class ExprParser {
  private static final Set<String> FUNCTIONS = Set.of(
      "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "ln", "log", "exp");
  private static final int MAX_NUMBER_CHARS = 400;

  private final String s;
  private final StepBudget budget;
  private final int maxDepth;
  private int pos;
  private int depth;

  private ExprParser(String s, StepBudget budget, int maxDepth) {
    this.s = s;
    this.budget = budget;
    this.maxDepth = maxDepth;
  }

  /** Parses the whole string or throws {@link Fail}. */
  static MathExpr parse(String s, StepBudget budget, int maxDepth) {
    ExprParser p = new ExprParser(s, budget, maxDepth);
    MathExpr e = p.expr();
    p.ws();
    if (p.pos != s.length()) {
      throw new Fail("unexpected '" + s.charAt(p.pos) + "' at " + p.pos);
    }
    return e;
  }

  /** The input is not a scalar expression this parser understands. */
  static final class Fail extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Fail(String message) {
      super(message, null, false, false);
    }
  }

  private void enter() {
    budget.step();
    if (++depth > maxDepth) {
      throw new StepBudget.Exceeded("nesting deeper than " + maxDepth);
    }
  }

  private void ws() {
    while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
      pos++;
    }
  }

  private boolean peek(char c) {
    ws();
    return pos < s.length() && s.charAt(pos) == c;
  }

  private void expect(char c) {
    if (!peek(c)) {
      throw new Fail("expected '" + c + "' at " + pos);
    }
    pos++;
  }

  /** The command name at pos (after a backslash), without consuming it; empty if none. */
  private String peekCommand() {
    ws();
    if (pos >= s.length() || s.charAt(pos) != '\\') {
      return "";
    }
    int end = pos + 1;
    while (end < s.length() && Character.isLetter(s.charAt(end))) {
      end++;
    }
    return s.substring(pos + 1, end);
  }

  private MathExpr expr() {
    enter();
    MathExpr left = term();
    while (true) {
      if (peek('+')) {
        pos++;
        left = new MathExpr.Bin('+', left, term());
      } else if (peek('-')) {
        pos++;
        left = new MathExpr.Bin('-', left, term());
      } else {
        break;
      }
    }
    depth--;
    return left;
  }

  private MathExpr term() {
    enter();
    MathExpr left = unary();
    while (true) {
      budget.step();
      String cmd = peekCommand();
      if (peek('*')) {
        pos++;
        left = new MathExpr.Bin('*', left, unary());
      } else if (peek('/')) {
        pos++;
        left = new MathExpr.Bin('/', left, unary());
      } else if (cmd.equals("times") || cmd.equals("cdot") || cmd.equals("ast")) {
        pos += 1 + cmd.length();
        left = new MathExpr.Bin('*', left, unary());
      } else if (cmd.equals("div")) {
        pos += 1 + cmd.length();
        left = new MathExpr.Bin('/', left, unary());
      } else if (startsImplicitFactor()) {
        left = new MathExpr.Bin('*', left, power());
      } else {
        break;
      }
    }
    depth--;
    return left;
  }

  /** Whether the next token can start a factor of an implicit product such as {@code 2x} or {@code 3\pi}. */
  private boolean startsImplicitFactor() {
    ws();
    if (pos >= s.length()) {
      return false;
    }
    char c = s.charAt(pos);
    if (c == '(' || c == '{' || isAsciiLetter(c)) {
      return true;
    }
    if (c == '\\') {
      String cmd = peekCommand();
      return cmd.equals("frac") || cmd.equals("sqrt") || cmd.equals("pi") || cmd.equals("infty")
          || FUNCTIONS.contains(cmd);
    }
    return false;
  }

  private MathExpr unary() {
    enter();
    MathExpr e;
    if (peek('-')) {
      pos++;
      e = new MathExpr.Neg(unary());
    } else if (peek('+')) {
      pos++;
      e = unary();
    } else {
      e = power();
    }
    depth--;
    return e;
  }

  private MathExpr power() {
    enter();
    MathExpr base = postfix();
    if (peek('^')) {
      pos++;
      MathExpr exponent = scriptArgument();
      base = new MathExpr.Bin('^', base, exponent);
    }
    depth--;
    return base;
  }

  /** The argument of {@code ^}: a braced group, a signed argument, a parenthesised group or one token. */
  private MathExpr scriptArgument() {
    enter();
    MathExpr e;
    ws();
    if (peek('{')) {
      pos++;
      e = expr();
      expect('}');
    } else if (peek('(')) {
      pos++;
      e = expr();
      expect(')');
    } else if (peek('-')) {
      pos++;
      e = new MathExpr.Neg(scriptArgument());
    } else {
      e = latexArgument();
    }
    depth--;
    return e;
  }

  private MathExpr postfix() {
    MathExpr e = primary();
    while (peek('!')) {
      pos++;
      e = new MathExpr.Func("fact", List.of(e));
    }
    return e;
  }

  /** A LaTeX macro argument: a braced group, or a single digit, letter or command. */
  private MathExpr latexArgument() {
    enter();
    ws();
    if (pos >= s.length()) {
      throw new Fail("missing argument at end");
    }
    char c = s.charAt(pos);
    MathExpr e;
    if (c == '{') {
      pos++;
      e = expr();
      expect('}');
    } else if (c >= '0' && c <= '9') {
      pos++;
      e = new MathExpr.Num(Rational.of(c - '0'), 0, false);
    } else if (isAsciiLetter(c)) {
      pos++;
      e = new MathExpr.Var(String.valueOf(c));
    } else if (c == '\\') {
      e = primary();
    } else {
      throw new Fail("bad argument '" + c + "' at " + pos);
    }
    depth--;
    return e;
  }

  private MathExpr primary() {
    enter();
    ws();
    if (pos >= s.length()) {
      throw new Fail("unexpected end");
    }
    char c = s.charAt(pos);
    MathExpr e;
    if ((c >= '0' && c <= '9') || c == '.') {
      e = number();
    } else if (isAsciiLetter(c)) {
      e = variable();
    } else if (c == '(') {
      pos++;
      e = expr();
      expect(')');
    } else if (c == '[') {
      pos++;
      e = expr();
      expect(']');
    } else if (c == '{') {
      pos++;
      e = expr();
      expect('}');
    } else if (c == '|') {
      pos++;
      e = new MathExpr.Func("abs", List.of(expr()));
      expect('|');
    } else if (c == '\\') {
      e = command();
    } else {
      throw new Fail("unexpected '" + c + "' at " + pos);
    }
    depth--;
    return e;
  }

  private MathExpr number() {
    int start = pos;
    while (pos < s.length() && Character.isDigit(s.charAt(pos)) && s.charAt(pos) < 128) {
      pos++;
    }
    boolean point = false;
    int fraction = 0;
    if (pos < s.length() && s.charAt(pos) == '.') {
      point = true;
      pos++;
      while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
        pos++;
        fraction++;
      }
    }
    String digits = s.substring(start, pos);
    if (digits.equals(".") || digits.isEmpty()) {
      throw new Fail("lonely point at " + start);
    }
    if (digits.length() > MAX_NUMBER_CHARS) {
      throw new StepBudget.Exceeded("number longer than " + MAX_NUMBER_CHARS + " characters");
    }
    return new MathExpr.Num(Rational.parseDecimal(digits), fraction, point && fraction > 0);
  }

  private MathExpr variable() {
    StringBuilder name = new StringBuilder().append(s.charAt(pos++));
    if (pos < s.length() && s.charAt(pos) == '_') {
      pos++;
      name.append('_');
      if (pos < s.length() && s.charAt(pos) == '{') {
        int close = s.indexOf('}', pos);
        if (close < 0) {
          throw new Fail("unclosed subscript");
        }
        String sub = s.substring(pos + 1, close).trim();
        if (sub.isEmpty() || !sub.chars().allMatch(Character::isLetterOrDigit)) {
          throw new Fail("odd subscript");
        }
        name.append(sub);
        pos = close + 1;
      } else if (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos))) {
        name.append(s.charAt(pos++));
      } else {
        throw new Fail("empty subscript");
      }
    }
    return new MathExpr.Var(name.toString());
  }

  private MathExpr command() {
    String cmd = peekCommand();
    if (cmd.isEmpty()) {
      throw new Fail("unknown command at " + pos);
    }
    pos += 1 + cmd.length();
    switch (cmd) {
      case "frac":
      case "dfrac":
      case "tfrac":
      case "cfrac": {
        MathExpr num = latexArgument();
        MathExpr den = latexArgument();
        return new MathExpr.Bin('/', num, den);
      }
      case "sqrt": {
        if (peek('[')) {
          pos++;
          MathExpr index = expr();
          expect(']');
          MathExpr arg = latexArgument();
          return new MathExpr.Func("root", List.of(index, arg));
        }
        return new MathExpr.Func("sqrt", List.of(latexArgument()));
      }
      case "pi":
        return new MathExpr.Const("pi");
      case "infty":
      case "infin":
        return new MathExpr.Const("inf");
      default:
        if (FUNCTIONS.contains(cmd)) {
          return function(cmd);
        }
        throw new Fail("unknown command \\" + cmd);
    }
  }

  private MathExpr function(String name) {
    MathExpr base = null;
    if (name.equals("log") && peek('_')) {
      pos++;
      base = latexArgument();
    }
    MathExpr power = null;
    if (peek('^')) {
      pos++;
      power = scriptArgument();
    }
    MathExpr arg = peek('(') || peek('{') ? primary() : power();
    MathExpr value = new MathExpr.Func(name, List.of(arg));
    if (base != null) {
      value = new MathExpr.Bin('/', new MathExpr.Func("ln", List.of(arg)), new MathExpr.Func("ln", List.of(base)));
    }
    return power == null ? value : new MathExpr.Bin('^', value, power);
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
}
