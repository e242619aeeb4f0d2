package dev.sparq.examples.demo;

import dev.sparq.core.math.Rational;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Answer handling for the demo domain: brace-matched {@code \boxed{}} extraction and exact
 * comparison of comma-separated lists of rationals ({@code "3/4"} equals {@code "\frac{3}{4}"} and
 * {@code "6/8"}).
 */
public final class DemoAnswers {
  private DemoAnswers() {}

  /** Checks a student's extracted answer against the intended one. */
  @FunctionalInterface
  public interface Matcher {
    /**
     * @param given the extracted answer (never null)
     * @param gold the intended answer
     */
    boolean matches(String given, String gold);
  }

  /** The contents of the last {@code \boxed{...}} in {@code text}, braces matched. */
  public static Optional<String> lastBoxed(String text) {
    int at = text.lastIndexOf("\\boxed{");
    if (at < 0) {
      return Optional.empty();
    }
    int start = at + "\\boxed{".length();
    int depth = 1;
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return Optional.of(text.substring(start, i).trim());
      }
    }
    return Optional.empty();
  }

  /** Parses {@code "2, -1/3"} into rationals; empty when any part is not a rational. */
  public static Optional<List<Rational>> parseList(String s) {
    List<Rational> out = new ArrayList<>();
    String t = s.trim();
    if (t.startsWith("(") && t.endsWith(")")) {
      t = t.substring(1, t.length() - 1);
    }
    for (String part : splitTopLevel(t)) {
      String p = part.trim();
      if (p.startsWith("x=") || p.startsWith("y=")) {
        p = p.substring(2);
      }
      try {
        out.add(Rational.parse(p));
      } catch (NumberFormatException | ArithmeticException e) {
        return Optional.empty();
      }
    }
    return Optional.of(out);
  }

  private static List<String> splitTopLevel(String s) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(s.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(s.substring(start));
    return parts;
  }

  /** Exact equivalence of rational lists, in order. */
  public static Matcher exact() {
    return (given, gold) -> {
      Optional<List<Rational>> a = parseList(given);
      Optional<List<Rational>> b = parseList(gold);
      return a.isPresent() && b.isPresent() && a.get().equals(b.get());
    };
  }
}
