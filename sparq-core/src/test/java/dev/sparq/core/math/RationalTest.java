package dev.sparq.core.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class RationalTest {

  @Test
  void normalisesToLowestTermsWithPositiveDenominator() {
    Rational r = new Rational(BigInteger.valueOf(6), BigInteger.valueOf(-8));
    assertEquals(BigInteger.valueOf(-3), r.num());
    assertEquals(BigInteger.valueOf(4), r.den());
    assertEquals(Rational.ZERO, Rational.of(0, -5));
    assertEquals(BigInteger.ONE, Rational.of(0, 7).den());
    assertEquals(Rational.of(3, 4), Rational.of(-9, -12));
    assertEquals(Rational.of(3, 4).hashCode(), Rational.of(6, 8).hashCode());
    assertThrows(ArithmeticException.class, () -> Rational.of(1, 0));
    assertThrows(NullPointerException.class, () -> new Rational(null, BigInteger.ONE));
  }

  @Test
  void arithmetic() {
    assertEquals(Rational.of(1, 3), Rational.of(1, 6).add(Rational.of(1, 6)));
    assertEquals(Rational.of(-1, 12), Rational.of(1, 4).subtract(Rational.of(1, 3)));
    assertEquals(Rational.of(-3, 10), Rational.of(3, 5).multiply(Rational.of(-1, 2)));
    assertEquals(Rational.of(2, 3), Rational.of(1, 3).divide(Rational.of(1, 2)));
    assertEquals(Rational.of(5, 7), Rational.of(-5, 7).negate());
    ArithmeticException e = assertThrows(ArithmeticException.class,
        () -> Rational.ONE.divide(Rational.ZERO));
    assertEquals("division by zero", e.getMessage());
    assertEquals(Rational.of(1, 4), Rational.of(25).divide(Rational.HUNDRED));
  }

  @Test
  void predicatesAndSizes() {
    assertEquals(-1, Rational.of(-1, 3).signum());
    assertEquals(0, Rational.ZERO.signum());
    assertEquals(1, Rational.of(2).signum());
    assertTrue(Rational.ZERO.isZero());
    assertFalse(Rational.of(1, 9).isZero());
    assertTrue(Rational.of(8, 4).isInteger());
    assertFalse(Rational.of(8, 3).isInteger());
    assertEquals(3, Rational.of(-123, 7).digits());
    assertEquals(4, Rational.of(1, 1000).digits());
    assertEquals(1, Rational.ZERO.digits());
    assertTrue(Rational.of(-99, 100).within(100));
    assertFalse(Rational.of(-101, 3).within(100));
    assertFalse(Rational.of(1, 101).within(100));
    // 5 needs 3 bits, 1 needs 1 bit; 3/4 needs 2 + 3
    assertEquals(4, Rational.of(5).bits());
    assertEquals(5, Rational.of(3, 4).bits());
  }

  @Test
  void terminatingDecimals() {
    assertTrue(Rational.of(3, 8).terminates());
    assertTrue(Rational.of(7, 20).terminates());
    assertTrue(Rational.of(5).terminates());
    assertFalse(Rational.of(1, 3).terminates());
    assertFalse(Rational.of(1, 70).terminates());
  }

  @Test
  void toDoubleIsAccurateAndFiniteForHugeValues() {
    assertEquals(0.75, Rational.of(3, 4).toDouble());
    assertEquals(-1.0 / 3, Rational.of(-1, 3).toDouble(), 1e-16);
    BigInteger big = BigInteger.TEN.pow(400);
    Rational r = new Rational(big.add(BigInteger.ONE), big.multiply(BigInteger.TWO));
    assertEquals(0.5, r.toDouble(), 1e-15);
  }

  @Test
  void ordersByValue() {
    List<Rational> xs = new ArrayList<>(List.of(Rational.of(1, 2), Rational.of(-3), Rational.of(1, 3),
        Rational.ZERO));
    Collections.sort(xs);
    assertEquals(List.of(Rational.of(-3), Rational.ZERO, Rational.of(1, 3), Rational.of(1, 2)), xs);
    assertEquals(0, Rational.of(2, 4).compareTo(Rational.of(1, 2)));
  }

  @Test
  void parsesPlainAndLatexFractions() {
    assertEquals(Rational.of(3, 4), Rational.parse("6/8"));
    assertEquals(Rational.of(-3, 4), Rational.parse("-\\frac{3}{4}"));
    assertEquals(Rational.of(3, 4), Rational.parse("\\dfrac{3}{4}"));
    assertEquals(Rational.of(3, 4), Rational.parse("\\tfrac{ 3 }{ 4 }"));
    assertEquals(Rational.of(-7), Rational.parse("-7"));
    assertEquals(Rational.of(-3, 4), Rational.parse(" -3 / 4 "));
    assertThrows(NumberFormatException.class, () -> Rational.parse("\\frac{3}"));
    assertThrows(NumberFormatException.class, () -> Rational.parse("0.5"));
    assertThrows(NumberFormatException.class, () -> Rational.parse("abc"));
    assertThrows(ArithmeticException.class, () -> Rational.parse("1/0"));
  }

  @Test
  void parsesDecimalsExactly() {
    assertEquals(Rational.of(12), Rational.parseDecimal("12"));
    assertEquals(Rational.of(1, 4), Rational.parseDecimal("0.25"));
    assertEquals(Rational.of(1, 2), Rational.parseDecimal(".5"));
    assertEquals(Rational.of(1, 10), Rational.parseDecimal("0.1"));
    assertEquals(Rational.of(3), Rational.parseDecimal("3."));
    assertThrows(NumberFormatException.class, () -> Rational.parseDecimal("1.2.3"));
  }

  @Test
  void printsPlainAndLatexFormsThatParseBack() {
    assertEquals("7", Rational.of(7).toString());
    assertEquals("-3/4", Rational.of(3, -4).toString());
    assertEquals("7", Rational.of(7).toLatex());
    assertEquals("-\\frac{5}{2}", Rational.of(-5, 2).toLatex());
    assertEquals("\\frac{1}{3}", Rational.of(2, 6).toLatex());
    for (Rational r : List.of(Rational.of(-5, 2), Rational.of(1, 3), Rational.of(-4), Rational.ZERO)) {
      assertEquals(r, Rational.parse(r.toString()));
      assertEquals(r, Rational.parse(r.toLatex()));
    }
  }
}
