package dev.sparq.core.answer;

import java.math.BigInteger;

/** An exact rational number {@code num / den} in lowest terms with {@code den > 0}. */
record Rational(BigInteger num, BigInteger den) implements Comparable<Rational> {
  static final Rational ZERO = new Rational(BigInteger.ZERO, BigInteger.ONE);
  static final Rational ONE = new Rational(BigInteger.ONE, BigInteger.ONE);
  static final Rational HUNDRED = new Rational(BigInteger.valueOf(100), BigInteger.ONE);

  Rational {
    if (den.signum() == 0) {
      throw new ArithmeticException("zero denominator");
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

  static Rational of(long n) {
    return new Rational(BigInteger.valueOf(n), BigInteger.ONE);
  }

  /** Parses a plain decimal literal such as {@code 12}, {@code 0.25} or {@code .5}. */
  static Rational parseDecimal(String digits) {
    int dot = digits.indexOf('.');
    if (dot < 0) {
      return new Rational(new BigInteger(digits), BigInteger.ONE);
    }
    String intPart = digits.substring(0, dot);
    String frac = digits.substring(dot + 1);
    BigInteger n = new BigInteger((intPart.isEmpty() ? "0" : intPart) + frac);
    return new Rational(n, BigInteger.TEN.pow(frac.length()));
  }

  Rational add(Rational o) {
    return new Rational(num.multiply(o.den).add(o.num.multiply(den)), den.multiply(o.den));
  }

  Rational subtract(Rational o) {
    return add(o.negate());
  }

  Rational multiply(Rational o) {
    return new Rational(num.multiply(o.num), den.multiply(o.den));
  }

  Rational divide(Rational o) {
    return new Rational(num.multiply(o.den), den.multiply(o.num));
  }

  Rational negate() {
    return new Rational(num.negate(), den);
  }

  boolean isZero() {
    return num.signum() == 0;
  }

  boolean isInteger() {
    return den.equals(BigInteger.ONE);
  }

  /** Bits needed to hold numerator and denominator: a proxy for the cost of arithmetic. */
  long bits() {
    return (long) num.bitLength() + den.bitLength();
  }

  /** True when the decimal expansion terminates (the denominator has only the factors 2 and 5). */
  boolean terminates() {
    BigInteger d = den;
    d = d.shiftRight(d.getLowestSetBit());
    BigInteger five = BigInteger.valueOf(5);
    while (d.mod(five).signum() == 0) {
      d = d.divide(five);
    }
    return d.equals(BigInteger.ONE);
  }

  double toDouble() {
    // BigDecimal keeps precision for large numerators and denominators.
    return new java.math.BigDecimal(num).divide(new java.math.BigDecimal(den),
        java.math.MathContext.DECIMAL64).doubleValue();
  }

  @Override
  public int compareTo(Rational o) {
    return num.multiply(o.den).compareTo(o.num.multiply(den));
  }

  @Override
  public String toString() {
    return isInteger() ? num.toString() : num + "/" + den;
  }
}
