package dev.sparq.core.answer;

import dev.sparq.core.math.Rational;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides whether a predicted final answer is equivalent to the intended (gold) answer. Checking is
 * gold-guided: the intended answer of a problem is the reference.
 *
 * <p>Both answers are normalised (LaTeX spacing and sizing commands, {@code $}, {@code \dfrac},
 * units in {@code \text{}}, degrees, thousands separators, a leading {@code x =}, a trailing period,
 * number words) and parsed into numbers, expressions, lists, sets, tuples, intervals or matrices. Then:
 * <ul>
 *   <li>rational values (integers, fractions, decimals, mixed numbers) compare exactly with
 *       {@link java.math.BigInteger} arithmetic; a percentage {@code p%} matches {@code p} and
 *       {@code p/100};</li>
 *   <li>a decimal with at least {@link Builder#longDecimalDigits(int) three} digits after the point
 *       matches a fraction or closed form whose expansion does not terminate when it is within one
 *       unit of its last digit ({@code 0.3333} matches {@code \frac13}; {@code 0.33} does not);</li>
 *   <li>closed forms without decimals ({@code 2\sqrt{2}}, {@code \sqrt{8}}) compare numerically to a
 *       relative 1e-9;</li>
 *   <li>expressions in variables must use the same variables and agree at several fixed points;</li>
 *   <li>comma lists, sets and unions are unordered (a prediction repeating an item of a gold list of
 *       distinct values lists the same set); tuples, intervals and matrices are ordered and their
 *       brackets must agree;</li>
 *   <li>relations ({@code = < > ≤ ≥ ≠}, however written) agree when their signs agree and left minus
 *       right of one is a constant multiple of the other's (positive for inequalities); an inequality
 *       with constant ends is an interval ({@code -2 \le x \le 7} is {@code [-2, 7]}); an equation
 *       whose left-hand side names a quantity ({@code (p,q)=(3,2)}), or a chain
 *       ({@code x = 5+5+1 = 11}), stands for its right-hand side;</li>
 *   <li>anything else compares as normalised text.</li>
 * </ul>
 *
 * <p>{@link #verify(String, String)} compares two free texts (answers or whole solutions) the way
 * Math-Verify does; {@link #check(String, String)} compares two extracted answers.
 *
 * <p>Every check runs under a deterministic work budget and caps on length, nesting and exponent size
 * ({@link Verdict#LIMIT_EXCEEDED} when hit), so pathological model output cannot hang a run.
 * Instances are immutable and thread-safe.
 */
public final class AnswerChecker {
  private static final double[] POINTS = {
      0.5377, 1.8339, -2.2588, 0.8622, 0.3188, -1.3077, 2.7694, 1.3499, -0.4336};
  private static final double SYMBOLIC_TOLERANCE = 1e-9;
  private static final double POINT_TOLERANCE = 1e-8;

  private final int maxAnswerChars;
  private final int maxTextChars;
  private final long maxSteps;
  private final int maxDepth;
  private final int longDecimalDigits;

  private AnswerChecker(Builder b) {
    this.maxAnswerChars = b.maxAnswerChars;
    this.maxTextChars = b.maxTextChars;
    this.maxSteps = b.maxSteps;
    this.maxDepth = b.maxDepth;
    this.longDecimalDigits = b.longDecimalDigits;
  }

  /** A checker with the default limits. */
  public static AnswerChecker standard() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The outcome of one check. */
  public enum Verdict {
    /** The prediction is equivalent to the gold answer. */
    EQUIVALENT,
    /** Both answers were read and they differ. */
    DIFFERENT,
    /** There is no prediction (or no gold) to compare. */
    NO_ANSWER,
    /** The input was too long, too deep or too expensive to check; treated as not equivalent. */
    LIMIT_EXCEEDED;

    public boolean isEquivalent() {
      return this == EQUIVALENT;
    }
  }

  /**
   * A graded solution.
   *
   * @param answer the extracted final answer, or {@code null} when none was found
   * @param verdict how it compares with the gold answer
   */
  public record Graded(String answer, Verdict verdict) {
    public boolean correct() {
      return verdict == Verdict.EQUIVALENT;
    }
  }

  /** Compares a predicted answer (already extracted) with the gold answer. */
  public Verdict check(String gold, String predicted) {
    if (gold == null || predicted == null || gold.isBlank() || predicted.isBlank()) {
      return Verdict.NO_ANSWER;
    }
    if (gold.length() > maxAnswerChars || predicted.length() > maxAnswerChars) {
      return Verdict.LIMIT_EXCEEDED;
    }
    if (gold.trim().equals(predicted.trim())) {
      return Verdict.EQUIVALENT; // the same text is the same answer, whatever it says
    }
    StepBudget budget = new StepBudget(maxSteps);
    try {
      AnswerParser parser = new AnswerParser(budget, maxDepth);
      AnswerValue g = parser.parse(gold);
      AnswerValue p = parser.parse(predicted);
      if (same(g, p, budget)) {
        return Verdict.EQUIVALENT;
      }
      // "a ≈ b" with a constant a states both the exact value and its rounding: either may be the
      // answer (\frac{70}{9} ≈ 7.78 answers 7.78 and 70/9). The rounded side was read above.
      if (AnswerParser.hasApproximation(gold) || AnswerParser.hasApproximation(predicted)) {
        AnswerParser exact = new AnswerParser(budget, maxDepth, true);
        if (same(exact.parse(gold), exact.parse(predicted), budget)) {
          return Verdict.EQUIVALENT;
        }
      }
      return Verdict.DIFFERENT;
    } catch (StepBudget.Exceeded e) {
      return Verdict.LIMIT_EXCEEDED;
    } catch (ArithmeticException | StackOverflowError e) {
      return Verdict.LIMIT_EXCEEDED;
    }
  }

  /** Whether {@code predicted} is equivalent to {@code gold}. */
  public boolean equivalent(String gold, String predicted) {
    return check(gold, predicted).isEquivalent();
  }

  /** Extracts the final answer from a solution text and checks it against the gold answer. */
  public Graded grade(String gold, String solutionText) {
    Optional<String> answer = AnswerExtractor.extract(solutionText);
    if (answer.isEmpty()) {
      return new Graded(null, Verdict.NO_ANSWER);
    }
    return new Graded(answer.get(), check(gold, answer.get()));
  }

  /**
   * Compares two free texts, each of which may be a bare answer or a whole solution, the way
   * Math-Verify's {@code verify(parse(gold), parse(prediction))} does: the answer of each is found
   * with {@link AnswerExtractor#extractAny(String)} (a box, a final-answer phrase, the last math
   * segment, else the text itself), and when a text marks no answer and does not read as
   * mathematics, its last number is used ({@code "which is 1,000.99€"} gives {@code 1000.99}).
   */
  public Verdict verify(String goldText, String predictionText) {
    if (goldText == null || predictionText == null || goldText.isBlank() || predictionText.isBlank()) {
      return Verdict.NO_ANSWER;
    }
    if (goldText.length() > maxTextChars || predictionText.length() > maxTextChars) {
      return Verdict.LIMIT_EXCEEDED;
    }
    String g;
    String p;
    try {
      g = AnswerExtractor.extractAny(goldText).orElse(null);
      p = AnswerExtractor.extractAny(predictionText).orElse(null);
    } catch (StackOverflowError e) {
      return Verdict.LIMIT_EXCEEDED; // not expected (the scans are iterative), but never thrown
    }
    if (g == null || p == null) {
      return Verdict.NO_ANSWER;
    }
    // A long text that marks no answer is prose, not one answer: read its last number at once.
    if (g.length() > LONG_PROSE && g.equals(goldText.trim())) {
      g = numberInProse(g);
    }
    if (p.length() > LONG_PROSE && p.equals(predictionText.trim())) {
      p = numberInProse(p);
    }
    Verdict v = check(g, p);
    if (v == Verdict.EQUIVALENT || v == Verdict.NO_ANSWER) {
      return v;
    }
    String g2 = numberInProse(g);
    String p2 = numberInProse(p);
    return g2.equals(g) && p2.equals(p) ? v : check(g2, p2);
  }

  /** Length from which an unmarked text is read as prose without trying it as one answer. */
  private static final int LONG_PROSE = 200;
  private static final String UNSPACED_SCRIPT = "[\\p{IsHan}\\p{IsHiragana}\\p{IsKatakana}\\p{IsHangul}]";
  /**
   * A word of prose: three letters of any alphabet (combining marks included, so that Devanagari
   * and Arabic words count), not a LaTeX command; or one character of a script written without
   * spaces between words (Han, kana, Hangul).
   */
  private static final java.util.regex.Pattern PROSE_WORD = java.util.regex.Pattern.compile(
      "(?<![\\\\\\p{L}\\p{M}])\\p{L}[\\p{L}\\p{M}]{2,}|" + UNSPACED_SCRIPT);
  private static final java.util.regex.Pattern UNSPACED =
      java.util.regex.Pattern.compile(UNSPACED_SCRIPT);
  private static final java.util.regex.Pattern LATEX_COMMAND =
      java.util.regex.Pattern.compile("\\\\[A-Za-z]+(?:\\s*\\{[^{}]*\\})*");
  private static final java.util.regex.Pattern PLAIN_NUMBER =
      java.util.regex.Pattern.compile("-?[0-9]+(?:[ ,][0-9]+)+(?:\\.[0-9]+)?");

  /**
   * The last number of an answer written as prose ("Jane started 3 hours ago", "which is
   * 1,000.99€") or of a bare number with a decimal comma ({@code 1000,99}); else the answer itself.
   */
  private String numberInProse(String answer) {
    String t = answer.trim();
    if (t.length() <= 64 && PLAIN_NUMBER.matcher(t).matches()) {
      return AnswerExtractor.lastNumber(t).orElse(answer);
    }
    String words = LATEX_COMMAND.matcher(t).replaceAll(" ");
    if (!PROSE_WORD.matcher(words).find()
        || t.chars().noneMatch(Character::isWhitespace) && !UNSPACED.matcher(t).find()
        || !readsAsText(t)) {
      return answer;
    }
    return AnswerExtractor.lastNumber(t).orElse(answer);
  }

  /** Whether {@code answer}, or an item of it, is text rather than mathematics. */
  private boolean readsAsText(String answer) {
    if (answer.length() > Math.min(maxAnswerChars, LONG_PROSE)) {
      return true; // too long for one answer: a solution text
    }
    try {
      AnswerValue v = new AnswerParser(new StepBudget(maxSteps), maxDepth).parse(answer);
      if (v instanceof AnswerValue.Seq s) {
        return s.items().stream().anyMatch(i -> i instanceof AnswerValue.Text);
      }
      if (v instanceof AnswerValue.Relation r) {
        return r.parts().stream().anyMatch(i -> i instanceof AnswerValue.Text);
      }
      return v instanceof AnswerValue.Text;
    } catch (StepBudget.Exceeded | ArithmeticException | StackOverflowError e) {
      return false;
    }
  }

  /** The shape of an answer: integer, rational, irrational, expression, tuple, list, matrix or text. */
  public AnswerKind kind(String answer) {
    if (answer == null || answer.isBlank() || answer.length() > maxAnswerChars) {
      return AnswerKind.NONE;
    }
    StepBudget budget = new StepBudget(maxSteps);
    try {
      AnswerValue v = new AnswerParser(budget, maxDepth).parse(answer);
      if (v instanceof AnswerValue.Relation r) {
        if (!r.strippable()) {
          return AnswerKind.EXPRESSION;
        }
        v = r.parts().get(r.parts().size() - 1);
      }
      if (v instanceof AnswerValue.Relation) {
        return AnswerKind.EXPRESSION;
      }
      if (v instanceof AnswerValue.Seq s) {
        return s.ordered() ? AnswerKind.TUPLE : AnswerKind.LIST;
      }
      if (v instanceof AnswerValue.Matrix) {
        return AnswerKind.MATRIX;
      }
      if (v instanceof AnswerValue.Text) {
        return AnswerKind.TEXT;
      }
      MathExpr e = ((AnswerValue.Scalar) v).expr();
      if (!ExprEval.variables(e).isEmpty()) {
        return AnswerKind.EXPRESSION;
      }
      Rational r = ExprEval.exact(e, budget);
      if (r == null) {
        return AnswerKind.IRRATIONAL;
      }
      return r.isInteger() ? AnswerKind.INTEGER : AnswerKind.RATIONAL;
    } catch (StepBudget.Exceeded | ArithmeticException | StackOverflowError e) {
      return AnswerKind.NONE;
    }
  }

  private boolean same(AnswerValue g, AnswerValue p, StepBudget budget) {
    budget.step();
    if (g instanceof AnswerValue.Relation gr && p instanceof AnswerValue.Relation pr) {
      return sameRelation(gr, pr, budget);
    }
    if (g instanceof AnswerValue.Relation gr) {
      return relationAgainst(gr, p, budget);
    }
    if (p instanceof AnswerValue.Relation pr) {
      return relationAgainst(pr, g, budget);
    }
    if (g instanceof AnswerValue.Scalar gs && p instanceof AnswerValue.Scalar ps) {
      return sameScalar(gs, ps, budget);
    }
    if (g instanceof AnswerValue.Seq gq && p instanceof AnswerValue.Seq pq) {
      return sameSeq(gq, pq, budget) || namedTuple(gq, pq, budget) || namedTuple(pq, gq, budget);
    }
    if (g instanceof AnswerValue.Seq gq && !gq.ordered() && gq.items().size() == 1
        && !(p instanceof AnswerValue.Seq)) {
      return same(gq.items().get(0), p, budget); // {5} against 5
    }
    if (p instanceof AnswerValue.Seq pq && !pq.ordered() && pq.items().size() == 1
        && !(g instanceof AnswerValue.Seq)) {
      return same(g, pq.items().get(0), budget);
    }
    if (g instanceof AnswerValue.Matrix gm && p instanceof AnswerValue.Matrix pm) {
      if (gm.rows().size() != pm.rows().size()) {
        return false;
      }
      for (int i = 0; i < gm.rows().size(); i++) {
        List<AnswerValue> gr = gm.rows().get(i);
        List<AnswerValue> pr = pm.rows().get(i);
        if (gr.size() != pr.size()) {
          return false;
        }
        for (int j = 0; j < gr.size(); j++) {
          if (!same(gr.get(j), pr.get(j), budget)) {
            return false;
          }
        }
      }
      return true;
    }
    if (g instanceof AnswerValue.Text gt && p instanceof AnswerValue.Text pt) {
      return !gt.text().isEmpty() && gt.text().equals(pt.text());
    }
    return false;
  }

  /** A relation against a value that is not one: its last part, or the interval it describes. */
  private boolean relationAgainst(AnswerValue.Relation r, AnswerValue v, StepBudget budget) {
    if (r.strippable() && r.ops().stream().allMatch(op -> op == '=')) {
      return same(r.parts().get(r.parts().size() - 1), v, budget);
    }
    if (v instanceof AnswerValue.Seq s && s.ordered() && s.items().size() == 2) {
      AnswerValue.Seq interval = interval(r);
      return interval != null && sameSeq(interval, s, budget);
    }
    return false;
  }

  /** {@code a > b} as {@code b < a}, {@code a ≥ b ≥ c} as {@code c ≤ b ≤ a}; others unchanged. */
  private static AnswerValue.Relation ascending(AnswerValue.Relation r) {
    if (r.ops().stream().noneMatch(op -> op == '>' || op == '≥')
        || !r.ops().stream().allMatch(op -> op == '>' || op == '≥')) {
      return r;
    }
    List<Character> ops = new ArrayList<>();
    List<AnswerValue> parts = new ArrayList<>();
    for (int i = r.ops().size() - 1; i >= 0; i--) {
      ops.add(r.ops().get(i) == '>' ? '<' : '≤');
    }
    for (int i = r.parts().size() - 1; i >= 0; i--) {
      parts.add(r.parts().get(i));
    }
    return new AnswerValue.Relation(ops, parts, r.strippable());
  }

  /**
   * The interval an inequality describes, or null: {@code -2 ≤ x ≤ 7} is {@code [-2, 7]},
   * {@code 0 < f(x) < 1} is {@code (0, 1)}, {@code x ≥ 5} is {@code [5, \infty)}.
   */
  private static AnswerValue.Seq interval(AnswerValue.Relation relation) {
    AnswerValue.Relation r = ascending(relation);
    if (!r.ops().stream().allMatch(op -> op == '<' || op == '≤')) {
      return null;
    }
    List<AnswerValue> ps = r.parts();
    AnswerValue inf = new AnswerValue.Scalar(new MathExpr.Const("inf"), false);
    AnswerValue minusInf = new AnswerValue.Scalar(new MathExpr.Neg(new MathExpr.Const("inf")), false);
    if (ps.size() == 3 && constant(ps.get(0)) && !constant(ps.get(1)) && constant(ps.get(2))) {
      return new AnswerValue.Seq(true, r.ops().get(0) == '<' ? '(' : '[',
          r.ops().get(1) == '<' ? ')' : ']', List.of(ps.get(0), ps.get(2)));
    }
    if (ps.size() == 2 && constant(ps.get(0)) && !constant(ps.get(1))) {
      return new AnswerValue.Seq(true, r.ops().get(0) == '<' ? '(' : '[', ')', List.of(ps.get(0), inf));
    }
    if (ps.size() == 2 && !constant(ps.get(0)) && constant(ps.get(1))) {
      return new AnswerValue.Seq(true, '(', r.ops().get(0) == '<' ? ')' : ']', List.of(minusInf, ps.get(1)));
    }
    return null;
  }

  private static boolean constant(AnswerValue v) {
    return v instanceof AnswerValue.Scalar s && ExprEval.variables(s.expr()).isEmpty();
  }

  private boolean sameRelation(AnswerValue.Relation g0, AnswerValue.Relation p0, StepBudget budget) {
    AnswerValue.Relation g = ascending(g0);
    AnswerValue.Relation p = ascending(p0);
    boolean equations = g.ops().stream().allMatch(op -> op == '=')
        && p.ops().stream().allMatch(op -> op == '=');
    if (equations && g.strippable() && p.strippable()
        && same(g.parts().get(g.parts().size() - 1), p.parts().get(p.parts().size() - 1), budget)) {
      return true;
    }
    if (g.ops().equals(p.ops()) && g.parts().size() == p.parts().size()) {
      boolean pairwise = true;
      for (int i = 0; i < g.parts().size() && pairwise; i++) {
        pairwise = same(g.parts().get(i), p.parts().get(i), budget);
      }
      if (pairwise) {
        return true;
      }
    }
    char go = g.ops().get(0);
    if (g.parts().size() == 2 && p.parts().size() == 2 && go == p.ops().get(0)
        && g.parts().stream().allMatch(v -> v instanceof AnswerValue.Scalar)
        && p.parts().stream().allMatch(v -> v instanceof AnswerValue.Scalar)) {
      // The same relation written another way: L - R of one is a constant multiple of the other's
      // (positive for an inequality): 2x+4y-3=0 and y=-x/2+3/4, -x > -1 and x < 1.
      MathExpr gd = new MathExpr.Bin('-', ((AnswerValue.Scalar) g.parts().get(0)).expr(),
          ((AnswerValue.Scalar) g.parts().get(1)).expr());
      MathExpr pd = new MathExpr.Bin('-', ((AnswerValue.Scalar) p.parts().get(0)).expr(),
          ((AnswerValue.Scalar) p.parts().get(1)).expr());
      return proportional(gd, pd, go == '<' || go == '≤', budget);
    }
    AnswerValue.Seq gi = interval(g);
    AnswerValue.Seq pi = interval(p);
    return gi != null && pi != null && sameSeq(gi, pi, budget);
  }

  /** Whether {@code a = c * b} at the test points for one constant c (c > 0 when {@code positive}). */
  private boolean proportional(MathExpr a, MathExpr b, boolean positive, StepBudget budget) {
    Set<String> vars = ExprEval.variables(a);
    if (vars.isEmpty() || !vars.equals(ExprEval.variables(b))) {
      return false;
    }
    List<String> names = new ArrayList<>(vars);
    double ratio = Double.NaN;
    int agreeing = 0;
    for (int j = 0; j < POINTS.length; j++) {
      Map<String, Double> env = new TreeMap<>();
      for (int i = 0; i < names.size(); i++) {
        env.put(names.get(i), POINTS[(j + 3 * i) % POINTS.length] + 0.0137 * i);
      }
      double x = ExprEval.numeric(a, env, budget);
      double y = ExprEval.numeric(b, env, budget);
      if (!Double.isFinite(x) || !Double.isFinite(y)) {
        continue;
      }
      if (Math.abs(y) < 1e-12) {
        if (Math.abs(x) > 1e-9) {
          return false;
        }
        continue;
      }
      double r = x / y;
      if (Double.isNaN(ratio)) {
        if (Math.abs(r) < 1e-12 || positive && r < 0) {
          return false;
        }
        ratio = r;
      } else if (!close(r, ratio, POINT_TOLERANCE)) {
        return false;
      }
      agreeing++;
    }
    return agreeing >= 3;
  }

  private boolean sameSeq(AnswerValue.Seq g, AnswerValue.Seq p, StepBudget budget) {
    if (g.ordered() != p.ordered()) {
      return false;
    }
    if (!g.ordered() && g.items().size() < p.items().size() && (g.open() == 'U') == (p.open() == 'U')
        && distinct(g.items(), budget)) {
      // The gold lists distinct values: a prediction that repeats one of them lists the same set.
      return covers(g.items(), p.items(), budget) && covers(p.items(), g.items(), budget);
    }
    if (g.items().size() != p.items().size()) {
      return false;
    }
    if (g.ordered()) {
      if (g.open() != p.open() || g.close() != p.close()) {
        return false;
      }
      for (int i = 0; i < g.items().size(); i++) {
        if (!same(g.items().get(i), p.items().get(i), budget)) {
          return false;
        }
      }
      return true;
    }
    boolean gUnion = g.open() == 'U';
    if (gUnion != (p.open() == 'U')) {
      return false;
    }
    boolean[] used = new boolean[p.items().size()];
    for (AnswerValue gi : g.items()) {
      boolean found = false;
      for (int j = 0; j < used.length && !found; j++) {
        if (!used[j] && same(gi, p.items().get(j), budget)) {
          used[j] = true;
          found = true;
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  /** {@code p=5, q=2} against the tuple {@code (5, 2)}: the named values in their written order. */
  private boolean namedTuple(AnswerValue.Seq named, AnswerValue.Seq tuple, StepBudget budget) {
    if (named.ordered() || named.open() != 'n' || !tuple.ordered() || tuple.open() != '('
        || named.items().size() != tuple.items().size()) {
      return false;
    }
    for (int i = 0; i < named.items().size(); i++) {
      if (!same(named.items().get(i), tuple.items().get(i), budget)) {
        return false;
      }
    }
    return true;
  }

  private boolean distinct(List<AnswerValue> items, StepBudget budget) {
    for (int i = 0; i < items.size(); i++) {
      for (int j = i + 1; j < items.size(); j++) {
        if (same(items.get(i), items.get(j), budget)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Whether every item of {@code a} equals some item of {@code b}. */
  private boolean covers(List<AnswerValue> a, List<AnswerValue> b, StepBudget budget) {
    for (AnswerValue x : a) {
      boolean found = false;
      for (int j = 0; j < b.size() && !found; j++) {
        found = same(x, b.get(j), budget);
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  private boolean sameScalar(AnswerValue.Scalar g, AnswerValue.Scalar p, StepBudget budget) {
    Set<String> gv = ExprEval.variables(g.expr());
    Set<String> pv = ExprEval.variables(p.expr());
    if (!gv.isEmpty() || !pv.isEmpty()) {
      return gv.equals(pv) && samePointwise(g.expr(), p.expr(), gv, budget);
    }
    Rational ge = ExprEval.exact(g.expr(), budget);
    Rational pe = ExprEval.exact(p.expr(), budget);
    if (ge != null && pe != null) {
      for (Rational a : percentVariants(ge, g.percent())) {
        for (Rational b : percentVariants(pe, p.percent())) {
          if (a.equals(b)) {
            return true;
          }
        }
      }
    }
    double gd = ExprEval.numeric(g.expr(), Map.of(), budget);
    double pd = ExprEval.numeric(p.expr(), Map.of(), budget);
    if (Double.isNaN(gd) || Double.isNaN(pd)) {
      return false;
    }
    if (Double.isInfinite(gd) || Double.isInfinite(pd)) {
      return gd == pd;
    }
    if (ge != null && pe != null) {
      return longDecimalMatch(g, ge, gd, p, pe, pd);
    }
    if (longDecimalMatch(g, ge, gd, p, pe, pd)) {
      return true;
    }
    // Closed forms compare numerically, decimals inside them included (they are exact:
    // \sqrt{10.5} is \sqrt{21/2}); a plain decimal against a closed form was decided above.
    if (ExprEval.plainDecimalDigits(g.expr()) < 0 && ExprEval.plainDecimalDigits(p.expr()) < 0
        || !ExprEval.hasDecimalPoint(g.expr()) && !ExprEval.hasDecimalPoint(p.expr())) {
      for (double a : percentVariants(gd, g.percent())) {
        for (double b : percentVariants(pd, p.percent())) {
          if (close(a, b, SYMBOLIC_TOLERANCE)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * A decimal written with at least {@code longDecimalDigits} digits after the point against a value
   * whose decimal expansion does not terminate: equal when within one unit of the last digit.
   */
  private boolean longDecimalMatch(AnswerValue.Scalar g, Rational ge, double gd,
      AnswerValue.Scalar p, Rational pe, double pd) {
    int pDigits = ExprEval.plainDecimalDigits(p.expr());
    int gDigits = ExprEval.plainDecimalDigits(g.expr());
    if (pDigits >= longDecimalDigits && !p.percent() && nonTerminating(ge) && gDigits < 0) {
      return Math.abs(gd - pd) < unit(pDigits, gd);
    }
    if (gDigits >= longDecimalDigits && !g.percent() && nonTerminating(pe) && pDigits < 0) {
      return Math.abs(gd - pd) < unit(gDigits, pd);
    }
    return false;
  }

  private static boolean nonTerminating(Rational exact) {
    return exact == null || !exact.terminates();
  }

  private static double unit(int digits, double reference) {
    return Math.max(Math.pow(10, -Math.min(digits, 15)), Math.ulp(reference) * 4);
  }

  private static List<Rational> percentVariants(Rational v, boolean percent) {
    return percent ? List.of(v, v.divide(Rational.HUNDRED)) : List.of(v);
  }

  private static double[] percentVariants(double v, boolean percent) {
    return percent ? new double[] {v, v / 100} : new double[] {v};
  }

  private boolean samePointwise(MathExpr g, MathExpr p, Set<String> vars, StepBudget budget) {
    List<String> names = new ArrayList<>(vars);
    int agreeing = 0;
    for (int j = 0; j < POINTS.length; j++) {
      Map<String, Double> env = new TreeMap<>();
      for (int i = 0; i < names.size(); i++) {
        env.put(names.get(i), POINTS[(j + 3 * i) % POINTS.length] + 0.0137 * i);
      }
      double a = ExprEval.numeric(g, env, budget);
      double b = ExprEval.numeric(p, env, budget);
      boolean fa = Double.isFinite(a);
      boolean fb = Double.isFinite(b);
      if (fa != fb) {
        return false;
      }
      if (!fa) {
        continue;
      }
      if (!close(a, b, POINT_TOLERANCE)) {
        return false;
      }
      agreeing++;
    }
    return agreeing >= 3;
  }

  private static boolean close(double a, double b, double tolerance) {
    return Math.abs(a - b) <= tolerance * Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)));
  }

  /** Builder of {@link AnswerChecker}. */
  public static final class Builder {
    private int maxAnswerChars = 1000;
    private int maxTextChars = 200_000;
    private long maxSteps = 200_000;
    private int maxDepth = 64;
    private int longDecimalDigits = 3;

    private Builder() {}

    /** Longest answer (in characters) that is checked at all; longer ones are LIMIT_EXCEEDED. */
    public Builder maxAnswerChars(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxAnswerChars must be >= 1, was " + n);
      }
      this.maxAnswerChars = n;
      return this;
    }

    /** Longest solution text (in characters) that {@link AnswerChecker#verify} reads at all. */
    public Builder maxTextChars(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxTextChars must be >= 1, was " + n);
      }
      this.maxTextChars = n;
      return this;
    }

    /** Work budget of one check, in parse and evaluation steps. */
    public Builder maxSteps(long n) {
      if (n < 100) {
        throw new IllegalArgumentException("maxSteps must be >= 100, was " + n);
      }
      this.maxSteps = n;
      return this;
    }

    /** Deepest nesting of brackets and operators that is parsed. */
    public Builder maxDepth(int n) {
      if (n < 4 || n > 500) {
        throw new IllegalArgumentException("maxDepth must be in [4, 500], was " + n);
      }
      this.maxDepth = n;
      return this;
    }

    /** Digits after the point from which a decimal may approximate a non-terminating value. */
    public Builder longDecimalDigits(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("longDecimalDigits must be >= 1, was " + n);
      }
      this.longDecimalDigits = n;
      return this;
    }

    public AnswerChecker build() {
      return new AnswerChecker(this);
    }
  }
}
