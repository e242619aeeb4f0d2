package dev.sparq.core.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random rationals written in random notations: the verdict must be exactly "equal as rational
 * numbers", and random polynomials must match their expanded forms but not perturbed ones.
 */
class AnswerCheckerRandomizedTest {
  private final AnswerChecker checker = AnswerChecker.standard();

  /** All the ways this test writes p/q (q > 0, in lowest terms). */
  private static List<String> spellings(long p, long q) {
    List<String> out = new ArrayList<>();
    String sign = p < 0 ? "-" : "";
    long a = Math.abs(p);
    out.add(sign + "\\frac{" + a + "}{" + q + "}");
    out.add(sign + "\\dfrac{" + 3 * a + "}{" + 3 * q + "}");
    out.add(p + "/" + q);
    out.add("\\frac{" + p + "}{" + q + "}");
    if (q == 1) {
      out.add(Long.toString(p));
      out.add(p + ".0");
    }
    // terminating decimals
    long q2 = q;
    int twos = 0;
    int fives = 0;
    while (q2 % 2 == 0) {
      q2 /= 2;
      twos++;
    }
    while (q2 % 5 == 0) {
      q2 /= 5;
      fives++;
    }
    if (q2 == 1) {
      int digits = Math.max(twos, fives);
      BigInteger scaled = BigInteger.valueOf(a).multiply(BigInteger.TEN.pow(digits))
          .divide(BigInteger.valueOf(q));
      String s = scaled.toString();
      while (s.length() <= digits) {
        s = "0" + s;
      }
      String dec = digits == 0 ? s : s.substring(0, s.length() - digits) + "." + s.substring(s.length() - digits);
      out.add(sign + dec);
    }
    if (a > q && q > 1) { // mixed number
      out.add(sign + (a / q) + "\\frac{" + (a % q) + "}{" + q + "}");
    }
    return out;
  }

  private static long gcd(long a, long b) {
    return b == 0 ? Math.abs(a) : gcd(b, a % b);
  }

  @Test
  void rationalVerdictsAreExactEquality() {
    SplittableRandom r = new SplittableRandom(99);
    int equalPairs = 0;
    for (int i = 0; i < 3000; i++) {
      long q1 = new long[] {1, 2, 4, 5, 8, 10, 3, 6, 7}[r.nextInt(9)];
      long p1 = r.nextLong(-40, 41);
      boolean same = r.nextInt(3) == 0; // a third of the pairs are the same number
      long q2 = same || r.nextBoolean() ? q1 : new long[] {1, 2, 4, 5, 8, 3, 7}[r.nextInt(7)];
      long p2 = same ? p1 : r.nextLong(-40, 41);
      long g1 = gcd(p1, q1);
      long g2 = gcd(p2, q2);
      if (g1 == 0 || g2 == 0) {
        continue;
      }
      long a = p1 / g1;
      long b = q1 / g1;
      long c = p2 / g2;
      long d = q2 / g2;
      boolean equal = a == c && b == d;
      List<String> s1 = spellings(a, b);
      List<String> s2 = spellings(c, d);
      String x = s1.get(r.nextInt(s1.size()));
      String y = s2.get(r.nextInt(s2.size()));
      assertEquals(equal, checker.equivalent(x, y), x + " vs " + y);
      equalPairs += equal ? 1 : 0;
    }
    assertTrue(equalPairs > 300, "enough equal pairs exercised: " + equalPairs);
  }

  @Test
  void polynomialsMatchTheirExpansionButNotPerturbations() {
    SplittableRandom r = new SplittableRandom(5);
    for (int i = 0; i < 500; i++) {
      int a = r.nextInt(1, 6);
      int b = r.nextInt(-5, 6);
      int c = r.nextInt(-5, 6);
      // (a x + b)(x + c) = a x^2 + (a c + b) x + b c
      String factored = "(" + a + "x" + (b >= 0 ? "+" : "") + b + ")(x" + (c >= 0 ? "+" : "") + c + ")";
      long l = (long) a * c + b;
      long k = (long) b * c;
      String expanded = a + "x^2" + (l >= 0 ? "+" : "") + l + "x" + (k >= 0 ? "+" : "") + k;
      assertTrue(checker.equivalent(factored, expanded), factored + " = " + expanded);
      String off = a + "x^2" + (l >= 0 ? "+" : "") + l + "x" + (k + 1 >= 0 ? "+" : "") + (k + 1);
      assertEquals(AnswerChecker.Verdict.DIFFERENT, checker.check(factored, off), factored + " vs " + off);
    }
  }
}
