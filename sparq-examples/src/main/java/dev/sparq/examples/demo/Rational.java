package dev.sparq.examples.demo;

import java.math.BigInteger;
import java.util.Objects;

/**
 * An exact rational number in lowest terms with a positive denominator. Arithmetic uses
 * {@link BigInteger}, so it never overflows; the demo generator bounds sizes itself.
 *
 * @param num the numerator
 * @param den the denominator, always positive
 */
public record Rational(BigInteger num, BigInteger den) implements Comparable<Rational> {
  /** Zero. */
  public static final Rational ZERO = new Rational(BigInteger.ZERO, BigInteger.ONE);
  /** One. */
  public static final Rational ONE = new Rational(BigInteger.ONE, BigInteger.ONE);

  /** Normalises to lowest terms with a positive denominator. */
  public Rational {
    Objects.requireNonNull(num, "num");
    Objects.requireNonNull(den, "den");
    if (den.signum() == 0) {
      throw new ArithmeticException("division by zero");
    }
    if (den.signum() < 0) {
      num = num.negate();
      den = den.negate();
    }
    BigInteger g = num.gcd(den);
    if (!g.equals(BigInteger.ONE) && g.signum() != 0) {
      num = num.divide(g);
      den = den.divide(g);
    }
    if (num.signum() == 0) {
      den = BigInteger.ONE;
    }
  }

  /** The integer {@code n}. */
  public static Rational of(long n) {
    return new Rational(BigInteger.valueOf(n), BigInteger.ONE);
  }

  /** The fraction {@code n / d} in lowest terms. */
  public static Rational of(long n, long d) {
    return new Rational(BigInteger.valueOf(n), BigInteger.valueOf(d));
  }

  /**
   * Parses {@code "7"}, {@code "-3/4"}, {@code "\frac{3}{4}"}, {@code "-\frac{3}{4}"} or
   * {@code "\dfrac{3}{4}"} (spaces ignored).
   *
   * @throws NumberFormatException when the text is none of these
   */
  public static Rational parse(String text) {
    String s = text.replace(" ", "").replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac");
    boolean neg = false;
    if (s.startsWith("-\\frac")) {
      neg = true;
      s = s.substring(1);
    }
    if (s.startsWith("\\frac{") && s.endsWith("}")) {
      int mid = s.indexOf("}{");
      if (mid < 0) {
        throw new NumberFormatException("not a fraction: " + text);
      }
      Rational r = new Rational(new BigInteger(s.substring(6, mid)),
          new BigInteger(s.substring(mid + 2, s.length() - 1)));
      return neg ? r.negate() : r;
    }
    int slash = s.indexOf('/');
    if (slash >= 0) {
      return new Rational(new BigInteger(s.substring(0, slash)), new BigInteger(s.substring(slash + 1)));
    }
    return new Rational(new BigInteger(s), BigInteger.ONE);
  }

  public Rational add(Rational o) {
    return new Rational(num.multiply(o.den).add(o.num.multiply(den)), den.multiply(o.den));
  }

  public Rational subtract(Rational o) {
    return new Rational(num.multiply(o.den).subtract(o.num.multiply(den)), den.multiply(o.den));
  }

  public Rational multiply(Rational o) {
    return new Rational(num.multiply(o.num), den.multiply(o.den));
  }

  /** {@code this / o}; throws {@link ArithmeticException} when {@code o} is zero. */
  public Rational divide(Rational o) {
    if (o.num.signum() == 0) {
      throw new ArithmeticException("division by zero");
    }
    return new Rational(num.multiply(o.den), den.multiply(o.num));
  }

  public Rational negate() {
    return new Rational(num.negate(), den);
  }

  public int signum() {
    return num.signum();
  }

  public boolean isInteger() {
    return den.equals(BigInteger.ONE);
  }

  /** The larger of the numerator's and the denominator's decimal digit counts. */
  public int digits() {
    return Math.max(num.abs().toString().length(), den.toString().length());
  }

  /** {@code |this|} fits within {@code bound} in both numerator and denominator. */
  public boolean within(long bound) {
    BigInteger b = BigInteger.valueOf(bound);
    return num.abs().compareTo(b) <= 0 && den.compareTo(b) <= 0;
  }

  public double toDouble() {
    return num.doubleValue() / den.doubleValue();
  }

  @Override
  public int compareTo(Rational o) {
    return num.multiply(o.den).compareTo(o.num.multiply(den));
  }

  /** {@code "7"} or {@code "-3/4"}: the plain form used in answers. */
  @Override
  public String toString() {
    return isInteger() ? num.toString() : num + "/" + den;
  }

  /** LaTeX form: {@code "7"} or {@code "-\frac{3}{4}"}. */
  public String toLatex() {
    if (isInteger()) {
      return num.toString();
    }
    return (num.signum() < 0 ? "-" : "") + "\\frac{" + num.abs() + "}{" + den + "}";
  }
}
