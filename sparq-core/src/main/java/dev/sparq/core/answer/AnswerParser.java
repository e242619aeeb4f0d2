package dev.sparq.core.answer;

import dev.sparq.core.math.Rational;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Normalises an answer string and parses it into an {@link AnswerValue}. */
final class AnswerParser {
  private static final Pattern THOUSANDS = Pattern.compile(
      "-?\\d{1,3}(?:,\\d{3})+(\\.\\d+)?|-?\\d{1,3}(?: \\d{3})+(\\.\\d+)?");
  private static final Pattern THOUSANDS_BANG = Pattern.compile(
      "(\\d)\\s*(?:,|\\{,\\})\\s*\\\\!\\s*(?=\\d{3}(?!\\d))");
  private static final Pattern MATH_DELIMITER = Pattern.compile("(?<!\\\\)\\\\[()\\[\\]]");
  private static final Pattern BRACKET_OR = Pattern.compile("(?<=[)\\]])\\s*(?:or|and)\\s*(?=[(\\[])");
  private static final Pattern BRACED_COMMA = Pattern.compile("(?<=\\d)\\s*\\{\\s*,\\s*\\}\\s*(?=\\d{3})");
  private static final Pattern EMPTY_ITEM = Pattern.compile(",\\s*,");
  private static final String[][] RELATIONS = {
      {"geqslant", "≥"}, {"leqslant", "≤"}, {"geq", "≥"}, {"leq", "≤"}, {"neq", "≠"},
      {"ge", "≥"}, {"le", "≤"}, {"ne", "≠"}, {"gt", ">"}, {"lt", "<"},
      {"approx", "≈"}, {"simeq", "≈"}};
  private static final String RELATION_CHARS = "=<>≤≥≠";
  private static final Pattern RELATION_COMMAND = Pattern.compile(
      "\\\\(geqslant|leqslant|geq|leq|neq|ge|le|ne|gt|lt|approx|simeq)(?![A-Za-z])");
  private static final Pattern PREFIX = Pattern.compile(
      "^(?:[A-Za-z](?:_\\{?[A-Za-z0-9]+\\}?)?(?:\\([A-Za-z]\\))?|\\\\[A-Za-z]+)\\s*(?:=|\\\\in(?![A-Za-z]))\\s*(.+)$",
      Pattern.DOTALL);
  private static final Pattern MIXED_LATEX = Pattern.compile(
      "^(-?)(\\d+)\\s*\\\\frac\\s*(?:\\{\\s*(\\d+)\\s*\\}|(\\d))\\s*(?:\\{\\s*(\\d+)\\s*\\}|(\\d))$");
  private static final Pattern MIXED_PLAIN = Pattern.compile("^(-?)(\\d+)\\s+(\\d+)\\s*/\\s*(\\d+)$");
  private static final Pattern UNIT_WORDS = Pattern.compile(
      "^(.*\\d)\\s+([A-Za-z]{2,}(?:\\s+[A-Za-z]{2,})*)(?:\\^\\{?[23]\\}?)?$");
  private static final Pattern UNIT_POWER = Pattern.compile("\\s*\\^\\s*\\{?\\s*[23]\\s*\\}?");
  private static final Pattern WORD = Pattern.compile("(?<![\\\\A-Za-z])[A-Za-z]{3,}");
  private static final Pattern TEXT_CMD = Pattern.compile(
      "\\\\(?:text|textbf|textit|textrm|textnormal|textsf|texttt|mathrm|mathbf|mathit|mathsf|mathtt|mbox|operatorname)\\s*\\{");
  private static final Pattern MATRIX = Pattern.compile(
      "^\\\\begin\\{([pbBvV]?matrix|array)\\}(.*)\\\\end\\{\\1\\}$", Pattern.DOTALL);

  private static final Pattern COMMAND = Pattern.compile("\\\\[A-Za-z]+");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final Pattern SIZING = Pattern.compile("\\\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big)(?![A-Za-z])");
  private static final Pattern SPACING = Pattern.compile("(?<!\\\\)\\\\[,;:!]");
  private static final Pattern ESCAPED_SPACE = Pattern.compile("(?<!\\\\)\\\\ ");
  private static final Pattern DEGREE_MARK = Pattern.compile("\\^\\s*\\{?\\s*\\\\circ\\s*\\}?");
  private static final Pattern DEGREE_WORD = Pattern.compile("(?i)\\s*degrees?$");
  private static final Pattern TEXT_ALTERNATIVE = Pattern.compile("\\\\(?:text|mbox|mathrm)\\s*\\{\\s*(?:or|and)\\s*\\}");
  private static final Pattern WORD_ALTERNATIVE = Pattern.compile("(?<=[\\d}A-Za-z)\\],])\\s+(?:or|and)\\s+(?=[-\\d\\\\A-Za-z({\\[])");
  // Possessive quantifiers: a failed match cannot backtrack over the spaces around "=".
  private static final String ASSIGNMENT = "\\s*+[A-Za-z](?:_\\{?[A-Za-z0-9]+\\}?)?\\s*+=\\s*+[^,;=]++";
  private static final Pattern ASSIGNMENT_GROUP = Pattern.compile(ASSIGNMENT + "(?:," + ASSIGNMENT + ")+");
  private static final Map<String, Integer> SMALL = Map.ofEntries(
      Map.entry("zero", 0), Map.entry("one", 1), Map.entry("two", 2), Map.entry("three", 3),
      Map.entry("four", 4), Map.entry("five", 5), Map.entry("six", 6), Map.entry("seven", 7),
      Map.entry("eight", 8), Map.entry("nine", 9), Map.entry("ten", 10), Map.entry("eleven", 11),
      Map.entry("twelve", 12), Map.entry("thirteen", 13), Map.entry("fourteen", 14),
      Map.entry("fifteen", 15), Map.entry("sixteen", 16), Map.entry("seventeen", 17),
      Map.entry("eighteen", 18), Map.entry("nineteen", 19), Map.entry("twenty", 20),
      Map.entry("thirty", 30), Map.entry("forty", 40), Map.entry("fifty", 50),
      Map.entry("sixty", 60), Map.entry("seventy", 70), Map.entry("eighty", 80),
      Map.entry("ninety", 90));

  private final StepBudget budget;
  private final int maxDepth;
  private final boolean exactSide;

  AnswerParser(StepBudget budget, int maxDepth) {
    this(budget, maxDepth, false);
  }

  /**
   * @param exactSide read {@code a ≈ b} whose left side is a constant as {@code a}, the exact value
   *     that was computed ({@code \frac{70}{9} ≈ 7.78} gives {@code 70/9}); without it such an
   *     approximation is read as its stated decimal {@code b}
   */
  AnswerParser(StepBudget budget, int maxDepth, boolean exactSide) {
    this.budget = budget;
    this.maxDepth = maxDepth;
    this.exactSide = exactSide;
  }

  /** Whether {@code raw} holds an approximation sign, so that its exact side may be read apart. */
  static boolean hasApproximation(String raw) {
    return raw.indexOf('\u2248') >= 0 || raw.contains("\\approx") || raw.contains("\\simeq");
  }

  /** Normalises and parses a whole answer. */
  AnswerValue parse(String raw) {
    return value(normalize(raw), 0);
  }

  /** Whole-answer clean-ups that do not depend on structure. */
  static String normalize(String raw) {
    String s = raw.trim();
    if (s.endsWith("\\") && !s.endsWith("\\\\")) {
      s = s.substring(0, s.length() - 1); // a stray backslash closing the answer (185\) says nothing
    }
    s = s
        .replace('\u2212', '-').replace('\u2013', '-')
        .replace("\u00d7", "\\times ").replace("\u00f7", "\\div ")
        .replace("\u03c0", "\\pi ").replace("\u221e", "\\infty ").replace("\u221a", "\\sqrt")
        .replace("\u00b0", "");
    s = s.replace("\\$", "").replace("$", "");
    // Each pass below runs only when its trigger character is present: most answers are short
    // plain numbers, and this keeps their normalisation to a few scans.
    boolean tex = s.indexOf('\\') >= 0;
    if (s.indexOf('{') >= 0) {
      s = BRACED_COMMA.matcher(s).replaceAll("");
    }
    if (tex) {
      s = MATH_DELIMITER.matcher(s).replaceAll(" ");
      s = THOUSANDS_BANG.matcher(s).replaceAll("$1");
    }
    s = relations(s);
    if (tex) {
      s = SIZING.matcher(s).replaceAll("");
      // Spacing commands, but not the row separator \\\\ of matrices.
      s = s.replace("\\displaystyle", "");
      s = SPACING.matcher(s).replaceAll("");
      s = ESCAPED_SPACE.matcher(s).replaceAll(" ");
      s = s.replace("\\quad", " ").replace("\\qquad", " ");
      s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("\\cfrac", "\\frac");
      s = DEGREE_MARK.matcher(s).replaceAll("");
      s = s.replace("\\circ", "").replace("\\degree", "").replace("\\%", "%");
    }
    s = s.replace("~", " ").replace("{,}", "");
    if (endsWithIgnoreCase(s, "degree") || endsWithIgnoreCase(s, "degrees")) {
      s = DEGREE_WORD.matcher(s).replaceAll("");
    }
    s = unboxed(s);
    // Alternatives ("x = 1 or x = 2", "1 \text{ and } 2") form a list.
    if (tex) {
      s = alternatives(s, TEXT_ALTERNATIVE);
    }
    if (s.contains("or") || s.contains("and")) {
      s = alternatives(s, WORD_ALTERNATIVE);
      s = BRACKET_OR.matcher(s).replaceAll(",");
    }
    if (s.indexOf(',') >= 0) {
      s = EMPTY_ITEM.matcher(s).replaceAll(",");
    }
    s = unwrapText(s);
    s = s.trim();
    while (s.endsWith(".")) {
      s = s.substring(0, s.length() - 1).trim();
    }
    if (THOUSANDS.matcher(s).matches()) {
      s = s.replace(",", "");
    }
    return s;
  }

  /**
   * Joins alternatives separated by {@code separator} into one list. When every alternative is
   * itself several assignments ({@code p = 5, q = 2 \text{ and } p = 7, q = 2}), each is one
   * solution and they are separated as in {@code p=5,q=2;p=7,q=2}, so that two solution pairs do not
   * read as one list of four values.
   */
  private static String alternatives(String s, Pattern separator) {
    Matcher m = separator.matcher(s);
    if (!m.find()) {
      return s;
    }
    String[] groups = separator.split(s, -1);
    for (String g : groups) {
      if (!ASSIGNMENT_GROUP.matcher(g).matches()) {
        return m.replaceAll(",");
      }
    }
    return String.join(";", groups);
  }

  private static boolean endsWithIgnoreCase(String s, String suffix) {
    return s.regionMatches(true, s.length() - suffix.length(), suffix, 0, suffix.length());
  }

  /** Writes every relation sign one way: {@code \geq}, {@code \ge} and {@code >=} become {@code ≥}. */
  private static String relations(String s) {
    if (s.indexOf('\\') >= 0) {
      Matcher m = RELATION_COMMAND.matcher(s);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String repl = m.group();
        for (String[] r : RELATIONS) {
          if (r[0].equals(m.group(1))) {
            repl = r[1];
            break;
          }
        }
        m.appendReplacement(out, Matcher.quoteReplacement(" " + repl + " "));
      }
      m.appendTail(out);
      s = out.toString();
    }
    return s.replace(">=", "≥").replace("<=", "≤").replace("!=", "≠").replace('\u2265', '≥')
        .replace('\u2264', '≤').replace('\u2260', '≠').replace('\u2248', '≈');
  }

  /** Removes one wrapping {@code \boxed{...}} (a prediction copied with its box). */
  private static String unboxed(String s) {
    String t = s.trim();
    for (String box : new String[] {"\\boxed", "\\fbox"}) {
      if (t.startsWith(box)) {
        int open = box.length();
        while (open < t.length() && t.charAt(open) == ' ') {
          open++;
        }
        if (open < t.length() && t.charAt(open) == '{'
            && AnswerExtractor.matchBrace(t, open) == t.length() - 1) {
          return t.substring(open + 1, t.length() - 1);
        }
      }
    }
    return s;
  }

  /**
   * Handles {@code \text{...}} and friends: units after a number are dropped ({@code 5\text{ cm}}),
   * other text is kept without the command ({@code \text{(A)}} becomes {@code (A)}).
   */
  private static String unwrapText(String s) {
    Matcher m = TEXT_CMD.matcher(s);
    if (!m.find()) {
      return s;
    }
    StringBuilder plain = new StringBuilder();
    StringBuilder noText = new StringBuilder();
    int from = 0;
    m.reset();
    while (m.find(from)) {
      int open = m.end() - 1;
      int close = AnswerExtractor.matchBrace(s, open);
      if (close < 0) {
        return s; // malformed: leave it, the parser will refuse it
      }
      plain.append(s, from, m.start()).append(s, open + 1, close);
      noText.append(s, from, m.start()).append(' ');
      from = close + 1;
      Matcher square = UNIT_POWER.matcher(s).region(from, s.length());
      if (square.lookingAt()) {
        plain.append(s, from, square.end());
        from = square.end();
      }
    }
    plain.append(s.substring(from));
    noText.append(s.substring(from));
    String rest = noText.toString().trim();
    boolean unitsOnly = rest.chars().anyMatch(Character::isDigit);
    return unitsOnly ? rest : plain.toString();
  }

  private AnswerValue value(String s, int depth) {
    budget.step();
    if (depth > maxDepth) {
      throw new StepBudget.Exceeded("nesting deeper than " + maxDepth);
    }
    s = s.trim();
    while (s.endsWith(".") && !s.endsWith("..")) {
      s = s.substring(0, s.length() - 1).trim();
    }
    String approx = approximation(s);
    if (approx != null) {
      return value(approx, depth + 1);
    }
    Matcher whole = PREFIX.matcher(s);
    if (whole.matches() && whole.group(1).indexOf('=') < 0
        && (!s.contains("=") || !hasVariables(whole.group(1)))) {
      s = whole.group(1).trim(); // "x \in [2, 5]", "x = -1, 3"; y = 2x+1 stays an equation
    }
    Matcher mx = MATRIX.matcher(s);
    if (mx.matches()) {
      return matrix(mx.group(2), depth);
    }
    if (s.length() >= 2 && (s.charAt(0) == '(' || s.charAt(0) == '[') && closesAtEnd(s, 0)) {
      Matcher inner = MATRIX.matcher(s.substring(1, s.length() - 1).trim());
      if (inner.matches()) { // \left[\begin{array}{cc}...\end{array}\right]
        return matrix(inner.group(2), depth);
      }
    }
    List<String> union = splitTop(s, "\\cup");
    if (union.size() > 1) {
      return new AnswerValue.Seq(false, 'U', 'U', items(union, depth));
    }
    List<String> parts = splitTop(s, ";");
    if (parts.size() == 1 || parts.stream().anyMatch(String::isBlank)) {
      parts = splitTop(s, ","); // ";" separates solutions when both appear: p=5,q=2;p=7,q=2
    }
    if (parts.size() > 1) {
      boolean named = parts.stream().allMatch(x -> PREFIX.matcher(x.trim()).matches()
          && x.indexOf('=') >= 0 && x.indexOf('=') == x.lastIndexOf('='));
      char mark = named ? 'n' : ',';
      return new AnswerValue.Seq(false, mark, mark, items(parts, depth));
    }
    if (s.length() >= 2 && s.charAt(0) == '{' && closesAtEnd(s, 0)) {
      List<String> elems = splitTop(s.substring(1, s.length() - 1), ",");
      if (elems.size() > 1) { // a set written with bare braces: {-2021, 2021}
        return new AnswerValue.Seq(false, 's', 's', items(elems, depth));
      }
    }
    if (s.startsWith("\\{") && s.endsWith("\\}") && closesAtEnd(s, 0)) {
      String inner = s.substring(2, s.length() - 2);
      List<String> elems = inner.isBlank() ? List.of() : splitTop(inner, ",");
      return new AnswerValue.Seq(false, 's', 's', items(elems, depth));
    }
    if (s.length() >= 2 && (s.charAt(0) == '(' || s.charAt(0) == '[')
        && (s.endsWith(")") || s.endsWith("]")) && closesAtEnd(s, 0)) {
      List<String> elems = splitTop(s.substring(1, s.length() - 1), ",");
      if (elems.size() == 1) { // (0;0;0)
        elems = splitTop(s.substring(1, s.length() - 1), ";");
      }
      if (elems.size() > 1) {
        return new AnswerValue.Seq(true, s.charAt(0), s.charAt(s.length() - 1), items(elems, depth));
      }
    }
    AnswerValue relation = relation(s, depth);
    if (relation != null) {
      return relation;
    }
    List<String> pm = splitTop(s, "\\pm");
    if (pm.size() == 2) {
      String a = pm.get(0).trim();
      String b = pm.get(1).trim();
      String plus = a.isEmpty() ? "(" + b + ")" : a + "+(" + b + ")";
      String minus = a.isEmpty() ? "-(" + b + ")" : a + "-(" + b + ")";
      return new AnswerValue.Seq(false, ',', ',', List.of(item(plus), item(minus)));
    }
    return item(s);
  }

  /**
   * For {@code a ≈ b}: the exact value it approximates. That is the part before the sign when it is
   * itself an equation ({@code x = 1/3 ≈ 0.33} gives {@code x = 1/3}) or, when reading the exact
   * side, a constant ({@code \frac{70}{9} ≈ 7.78} gives {@code \frac{70}{9}}); else the part after
   * it ({@code x ≈ 11} gives {@code 11}). Null without a top-level {@code ≈}.
   */
  private String approximation(String s) {
    if (s.indexOf('≈') < 0) {
      return null;
    }
    List<String> parts = splitTop(s, "≈");
    if (parts.size() < 2) {
      return null;
    }
    String left = parts.get(0).trim();
    if (splitTop(left, "=").size() > 1) {
      return left;
    }
    if (exactSide && parts.size() == 2 && !left.isEmpty() && isConstant(item(left))) {
      return left;
    }
    String last = parts.get(parts.size() - 1).trim();
    return last.isEmpty() ? null : last;
  }

  /** A relation or a chain of relations at the top level of {@code s}, or null when there is none. */
  private AnswerValue relation(String s, int depth) {
    boolean any = false;
    for (int i = 0; i < s.length() && !any; i++) {
      any = RELATION_CHARS.indexOf(s.charAt(i)) >= 0;
    }
    if (!any) {
      return null;
    }
    List<Character> ops = new ArrayList<>();
    List<String> raw = new ArrayList<>();
    int level = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      budget.step();
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(i + 1);
        if (n == '{' || n == '}') {
          level += n == '{' ? 1 : -1;
        }
        i++;
        continue;
      }
      if (c == '(' || c == '[' || c == '{') {
        level++;
      } else if (c == ')' || c == ']' || c == '}') {
        level--;
      } else if (level == 0 && RELATION_CHARS.indexOf(c) >= 0) {
        raw.add(s.substring(start, i));
        ops.add(c);
        start = i + 1;
      }
    }
    raw.add(s.substring(start));
    if (ops.isEmpty() || raw.stream().anyMatch(String::isBlank)) {
      return null;
    }
    List<AnswerValue> parts = items(raw, depth);
    boolean strippable = parts.size() > 2 || namesAQuantity(raw.get(0))
        || isConstant(parts.get(0)) && isConstant(parts.get(parts.size() - 1));
    return new AnswerValue.Relation(ops, parts, strippable);
  }

  private static final Pattern SUBSCRIPT = Pattern.compile("_(?:\\{[^{}]*\\}|[A-Za-z0-9])");

  /** A left-hand side without digits (outside subscripts) names a quantity: {@code (p,q)}, {@code AB}, {@code V_1:V_2}. */
  private static boolean namesAQuantity(String lhs) {
    return SUBSCRIPT.matcher(lhs).replaceAll("").chars().noneMatch(Character::isDigit);
  }

  /** Whether {@code s} reads as an expression in variables (cheap: its own budget, failures count as no). */
  private boolean hasVariables(String s) {
    try {
      return !ExprEval.variables(ExprParser.parse(s.trim(), budget, maxDepth)).isEmpty();
    } catch (ExprParser.Fail | ArithmeticException | NumberFormatException e) {
      return false;
    }
  }

  private static boolean isConstant(AnswerValue v) {
    return v instanceof AnswerValue.Scalar sc && ExprEval.variables(sc.expr()).isEmpty();
  }

  private List<AnswerValue> items(List<String> parts, int depth) {
    List<AnswerValue> out = new ArrayList<>(parts.size());
    for (String p : parts) {
      out.add(value(p, depth + 1));
    }
    return out;
  }

  private AnswerValue matrix(String body, int depth) {
    String b = body.trim();
    if (b.startsWith("{")) { // array column spec such as {cc}
      int close = AnswerExtractor.matchBrace(b, 0);
      if (close > 0) {
        b = b.substring(close + 1);
      }
    }
    List<List<AnswerValue>> rows = new ArrayList<>();
    for (String row : splitTop(b, "\\\\")) {
      if (row.isBlank()) {
        continue;
      }
      rows.add(items(splitTop(row, "&"), depth));
    }
    return new AnswerValue.Matrix(rows);
  }

  /** One scalar item: item-level clean-ups, then the expression parser, else text. */
  AnswerValue item(String raw) {
    budget.step();
    String s = raw.trim();
    while (s.endsWith(".")) {
      s = s.substring(0, s.length() - 1).trim();
    }
    boolean percent = false;
    if (s.endsWith("%")) {
      percent = true;
      s = s.substring(0, s.length() - 1).trim();
    }
    Matcher prefix = PREFIX.matcher(s);
    if (prefix.matches() && prefix.group(1).indexOf('=') < 0) {
      s = prefix.group(1).trim();
    }
    Integer word = numberWords(s);
    if (word != null) {
      s = word.toString();
    }
    Matcher units = UNIT_WORDS.matcher(s);
    if (units.matches()) {
      s = units.group(1).trim();
    }
    MathExpr mixed = mixedNumber(s);
    if (mixed != null) {
      return new AnswerValue.Scalar(mixed, percent);
    }
    if (s.isEmpty() || WORD.matcher(s).find() && !onlyCommands(s)) {
      return new AnswerValue.Text(textKey(raw));
    }
    try {
      return new AnswerValue.Scalar(ExprParser.parse(s, budget, maxDepth), percent);
    } catch (ExprParser.Fail | ArithmeticException | NumberFormatException e) {
      return new AnswerValue.Text(textKey(raw));
    }
  }

  private static boolean onlyCommands(String s) {
    return !WORD.matcher(COMMAND.matcher(s).replaceAll(" ")).find();
  }

  private static MathExpr mixedNumber(String s) {
    Matcher m = MIXED_LATEX.matcher(s);
    String sign;
    String whole;
    String num;
    String den;
    if (m.matches()) {
      sign = m.group(1);
      whole = m.group(2);
      num = m.group(3) != null ? m.group(3) : m.group(4);
      den = m.group(5) != null ? m.group(5) : m.group(6);
    } else {
      Matcher p = MIXED_PLAIN.matcher(s);
      if (!p.matches()) {
        return null;
      }
      sign = p.group(1);
      whole = p.group(2);
      num = p.group(3);
      den = p.group(4);
    }
    if (whole.length() > 30 || num.length() > 30 || den.length() > 30) {
      return null;
    }
    Rational n = Rational.parseDecimal(num);
    Rational d = Rational.parseDecimal(den);
    if (d.isZero() || n.compareTo(d) >= 0) {
      return null; // 2\frac{5}{3} is not a proper mixed number: let the parser read a product
    }
    Rational v = Rational.parseDecimal(whole).add(n.divide(d));
    return new MathExpr.Num(sign.isEmpty() ? v : v.negate(), 0, false);
  }

  /** Number words such as "seven", "twenty-one", "one hundred five"; null when not a number phrase. */
  static Integer numberWords(String s) {
    String t = s.toLowerCase(Locale.ROOT).replace('-', ' ').trim();
    if (t.isEmpty() || !t.chars().allMatch(c -> (c >= 'a' && c <= 'z') || c == ' ')) {
      return null;
    }
    long total = 0;
    long current = 0;
    boolean any = false;
    for (String w : WHITESPACE.split(t)) {
      if (w.equals("and")) {
        continue;
      }
      Integer v = SMALL.get(w);
      if (v != null) {
        current += v;
      } else if (w.equals("hundred")) {
        current = Math.max(current, 1) * 100;
      } else if (w.equals("thousand") || w.equals("million")) {
        total += Math.max(current, 1) * (w.equals("thousand") ? 1_000 : 1_000_000);
        current = 0;
      } else {
        return null;
      }
      any = true;
    }
    long r = total + current;
    return any && r <= Integer.MAX_VALUE ? (int) r : null;
  }

  /** Text compared case-insensitively without spaces, braces, a trailing period or "(A)" parentheses. */
  static String textKey(String raw) {
    String t = WHITESPACE.matcher(normalize(raw).toLowerCase(Locale.ROOT)).replaceAll("");
    while (t.endsWith(".")) {
      t = t.substring(0, t.length() - 1);
    }
    if (t.length() == 3 && t.charAt(0) == '(' && t.charAt(2) == ')') {
      t = t.substring(1, 2);
    }
    return t;
  }

  /** Whether the bracket at {@code open} is closed by the last character (and not before it). */
  static boolean closesAtEnd(String s, int open) {
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == '{' || s.charAt(i + 1) == '}')) {
        depth += s.charAt(i + 1) == '{' ? 1 : -1;
        i++;
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth--;
      } else {
        continue;
      }
      if (depth == 0) {
        return i == s.length() - 1;
      }
    }
    return false;
  }

  /** Splits at {@code sep} where no bracket of any kind is open. */
  List<String> splitTop(String s, String sep) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      budget.step();
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == '{' || s.charAt(i + 1) == '}')) {
        depth += s.charAt(i + 1) == '{' ? 1 : -1;
        i++;
        continue;
      }
      if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth--;
      } else if (depth == 0 && s.startsWith(sep, i)
          && !(sep.length() > 1 && Character.isLetter(sep.charAt(1)) && i + sep.length() < s.length()
              && Character.isLetter(s.charAt(i + sep.length())))) {
        out.add(s.substring(start, i));
        i += sep.length() - 1;
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }
}
