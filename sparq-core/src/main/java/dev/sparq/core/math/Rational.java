package dev.sparq.core.math;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.Objects;

/**
 * An exact rational number {@code num / den}, always kept in lowest terms with a positive
 * denominator, so two equal values are {@link #equals(Object) equal} records. Arithmetic uses
 * {@link BigInteger} and never overflows; callers bound sizes themselves where that matters (see
 * {@link #bits()}, {@link #digits()} and {@link #within(long)}).
 *
 * <p>Used by the answer checker for exact comparison and by the demo domain for its exact
 * arithmetic. Instances are immutable.
 *
 * @param num the numerator
 * @param den the denominator, always positive
 */
public record Rational(BigInteger num, BigInteger den) implements Comparable<Rational> {
  /** Zero. */
  public static final Rational ZERO = new Rational(BigInteger.ZERO, BigInteger.ONE);
  /** One. */
  public static final Rational ONE = new Rational(BigInteger.ONE, BigInteger.ONE);
  /** One hundred (used to read percentages). */
  public static final Rational HUNDRED = new Rational(BigInteger.valueOf(100), BigInteger.ONE);

  private static final BigInteger FIVE = BigInteger.valueOf(5);

  /**
   * Normalises to lowest terms with a positive denominator (zero becomes {@code 0/1}).
   *
   * @throws ArithmeticException when {@code den} is zero
   */
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

  /**
   * The integer {@code n}.
   *
   * @param n the value
   * @return {@code n / 1}
   */
  public static Rational of(long n) {
    return new Rational(BigInteger.valueOf(n), BigInteger.ONE);
  }

  /**
   * The fraction {@code n / d} in lowest terms.
   *
   * @param n the numerator
   * @param d the denominator
   * @return the normalised fraction
   * @throws ArithmeticException when {@code d} is zero
   */
  public static Rational of(long n, long d) {
    return new Rational(BigInteger.valueOf(n), BigInteger.valueOf(d));
  }

  /**
   * Parses a fraction or an integer: {@code "7"}, {@code "-3/4"}, {@code "\frac{3}{4}"},
   * {@code "-\frac{3}{4}"}, {@code "\dfrac{3}{4}"} or {@code "\tfrac{3}{4}"} (spaces ignored).
   * Decimals are not accepted here; see {@link #parseDecimal(String)}.
   *
   * @param text the text
   * @return the value in lowest terms
   * @throws NumberFormatException when the text is none of these forms
   * @throws ArithmeticException when the denominator is zero
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

  /**
   * Parses an unsigned plain decimal literal such as {@code 12}, {@code 0.25} or {@code .5} exactly
   * (so {@code 0.1} is {@code 1/10}).
   *
   * @param digits digits with at most one {@code '.'}
   * @return the exact value
   * @throws NumberFormatException when {@code digits} is not such a literal
   */
  public static Rational parseDecimal(String digits) {
    int dot = digits.indexOf('.');
    if (dot < 0) {
      return new Rational(new BigInteger(digits), BigInteger.ONE);
    }
    String intPart = digits.substring(0, dot);
    String frac = digits.substring(dot + 1);
    BigInteger n = new BigInteger((intPart.isEmpty() ? "0" : intPart) + frac);
    return new Rational(n, BigInteger.TEN.pow(frac.length()));
  }

  /**
   * The sum.
   *
   * @param o the other addend
   * @return {@code this + o}
   */
  public Rational add(Rational o) {
    return new Rational(num.multiply(o.den).add(o.num.multiply(den)), den.multiply(o.den));
  }

  /**
   * The difference.
   *
   * @param o the subtrahend
   * @return {@code this - o}
   */
  public Rational subtract(Rational o) {
    return new Rational(num.multiply(o.den).subtract(o.num.multiply(den)), den.multiply(o.den));
  }

  /**
   * The product.
   *
   * @param o the other factor
   * @return {@code this * o}
   */
  public Rational multiply(Rational o) {
    return new Rational(num.multiply(o.num), den.multiply(o.den));
  }

  /**
   * The quotient.
   *
   * @param o the divisor
   * @return {@code this / o}
   * @throws ArithmeticException when {@code o} is zero
   */
  public Rational divide(Rational o) {
    if (o.num.signum() == 0) {
      throw new ArithmeticException("division by zero");
    }
    return new Rational(num.multiply(o.den), den.multiply(o.num));
  }

  /**
   * The negation.
   *
   * @return {@code -this}
   */
  public Rational negate() {
    return new Rational(num.negate(), den);
  }

  /**
   * The sign.
   *
   * @return -1, 0 or 1
   */
  public int signum() {
    return num.signum();
  }

  /**
   * Whether this is zero.
   *
   * @return {@code this == 0}
   */
  public boolean isZero() {
    return num.signum() == 0;
  }

  /**
   * Whether this is an integer.
   *
   * @return true when the denominator is 1
   */
  public boolean isInteger() {
    return den.equals(BigInteger.ONE);
  }

  /**
   * Bits needed to hold numerator and denominator: a proxy for the cost of further arithmetic.
   *
   * @return the sum of the bit lengths of numerator and denominator
   */
  public long bits() {
    return (long) num.bitLength() + den.bitLength();
  }

  /**
   * The larger of the numerator's and the denominator's decimal digit counts (sign not counted).
   *
   * @return the digit count, at least 1
   */
  public int digits() {
    return Math.max(num.abs().toString().length(), den.toString().length());
  }

  /**
   * Whether both {@code |num|} and {@code den} are at most {@code bound}.
   *
   * @param bound the inclusive bound
   * @return true when numerator and denominator fit within {@code bound}
   */
  public boolean within(long bound) {
    BigInteger b = BigInteger.valueOf(bound);
    return num.abs().compareTo(b) <= 0 && den.compareTo(b) <= 0;
  }

  /**
   * Whether the decimal expansion terminates (the denominator has no prime factor other than 2
   * and 5).
   *
   * @return true for values such as {@code 3/8} or {@code 7/20}, false for {@code 1/3}
   */
  public boolean terminates() {
    BigInteger d = den;
    d = d.shiftRight(d.getLowestSetBit());
    while (d.mod(FIVE).signum() == 0) {
      d = d.divide(FIVE);
    }
    return d.equals(BigInteger.ONE);
  }

  /**
   * The nearest double (to 16 significant digits), finite even when numerator and denominator are
   * too large for a double.
   *
   * @return the value as a double
   */
  public double toDouble() {
    return new BigDecimal(num).divide(new BigDecimal(den), MathContext.DECIMAL64).doubleValue();
  }

  /** Orders by numeric value. */
  @Override
  public int compareTo(Rational o) {
    return num.multiply(o.den).compareTo(o.num.multiply(den));
  }

  /**
   * The plain form used in answers, {@code "7"} or {@code "-3/4"}, which {@link #parse(String)}
   * reads back.
   */
  @Override
  public String toString() {
    return isInteger() ? num.toString() : num + "/" + den;
  }

  /**
   * The LaTeX form, {@code "7"} or {@code "-\frac{3}{4}"}, which {@link #parse(String)} reads back.
   *
   * @return the LaTeX text
   */
  public String toLatex() {
    if (isInteger()) {
      return num.toString();
    }
    return (num.signum() < 0 ? "-" : "") + "\\frac{" + num.abs() + "}{" + den + "}";
  }
}
