package dev.sparq.onnx.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every place where a number or size chosen by the template decides how much is allocated is
 * checked against the render budget before the allocation: the template fails with the budget
 * error (naming the template, line and limit), never with an {@code OutOfMemoryError}, a hang or
 * a silently different result. Expected values are what Python Jinja2 3.1 (with transformers'
 * {@code tojson}) prints.
 */
class TemplateBudgetTest {
  /** 8 million characters, the default budget, and 300 of them in a list (2.4 G characters). */
  static final String BIG = "{% set s = 'x' * 8000000 %}{% set l = [s] * 300 %}";

  static final Map<String, Object> MESSAGES = Map.of("messages", List.of(
      Map.of("role", "user", "content", "hi"), Map.of("role", "assistant", "content", "ho")));

  static String r(String src) {
    return TemplateTest.r(src, MESSAGES);
  }

  /** Fails with the size budget error within a few seconds. */
  static void overBudget(String src) {
    TemplateException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> assertThrows(TemplateException.class, () -> r(src)), src);
    assertTrue(e.getMessage().startsWith("t, line 1: "), e.getMessage());
    assertTrue(e.getMessage().contains("budget of 8000000"), e.getMessage());
  }

  @Test
  void tojsonIndentIsCheckedBeforeTheIndentIsAllocated() {
    overBudget("{{ messages|tojson(indent=600000000) }}");
    // 2**32 + 2 was cast to an int (2) and rendered with an indent of 2
    overBudget("{{ messages|tojson(indent=4294967298) }}");
    overBudget("{{ [[[[1]]]]|tojson(indent=4611686018427387904) }}"); // indent * depth overflows
    assertEquals("{\n  \"a\": [\n    1,\n    2\n  ]\n}", r("{{ {'a': [1, 2]}|tojson(indent=2) }}"));
    assertEquals("[\n1\n]", r("{{ [1]|tojson(indent=-3) }}"));
  }

  @Test
  void tojsonOfAHugeValueFailsBeforeBuildingIt() {
    overBudget(BIG + "{{ l|tojson }}");
  }

  @Test
  void printingAHugeListFailsBeforeBuildingIt() {
    overBudget(BIG + "{{ l }}");
    overBudget(BIG + "{{ l|string }}");
    overBudget(BIG + "{{ 'a' ~ l }}");
    overBudget(BIG + "{{ raise_exception(l) }}");
  }

  @Test
  void errorMessagesShowAHugeKeyShortened() {
    TemplateException e = assertThrows(TemplateException.class, () -> r(BIG + "{{ {}[l].x }}"));
    assertTrue(e.getMessage().contains("too long to show"), e.getMessage());
  }

  @Test
  void repeatingEmptyThingsIsImmediate() {
    assertEquals("|0|()", assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> r("{{ '' * 2147483648 }}|{{ ([] * 1000000000000000000)|length }}|{{ () * 0 }}")));
  }

  @Test
  void concatenatedListsAreWithinTheBudget() {
    TemplateException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> assertThrows(TemplateException.class, () -> r("{% set ns = namespace(l=[1]) %}"
            + "{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}"
            + "{{ ns.l|length }}")));
    assertTrue(e.getMessage().contains("list of 8388608 items is larger than the budget of"
        + " 8000000 items"), e.getMessage());
  }

  @Test
  void formatsAreWithinTheBudget() {
    overBudget(BIG + "{{ ('%s' * 300) % ((s,) * 300) }}");
    overBudget(BIG + "{{ ('{0}' * 300).format(s) }}");
  }

  @Test
  void justifyingFillsAreOneCharacterAsInPython() {
    assertEquals("--x--|x---|---x", r("{{ 'x'.center(5, '-') }}|{{ 'x'.ljust(4, '-') }}|"
        + "{{ 'x'.rjust(4, '-') }}"));
    TemplateException e = assertThrows(TemplateException.class,
        () -> r("{{ 'x'.center(8000000, 'y' * 1000) }}"));
    assertTrue(e.getMessage().contains("fill character must be exactly one character"),
        e.getMessage());
    overBudget("{{ 'x'.ljust(8000001) }}");
  }

  @Test
  void indentIsJinja2sOrTheBudgetError() {
    overBudget("{{ 'a\\nb'|indent(999999999) }}"); // was capped at 10,000 silently
    assertEquals(20_003, r("{{ 'a\\nb'|indent(20000) }}").length());
    assertEquals("8000000", r("{{ ('a\\n' ~ 'b' * 3999998)|indent(4000000)|length }}"));
    overBudget("{{ ('a\\n' ~ 'b' * 3999998)|indent(4000001) }}");
    // Python's str.splitlines, and first pads even an empty first line
    assertEquals("a\n  b", r("{{ 'a\\r\\nb'|indent(2) }}"));
    assertEquals("  ", r("{{ ''|indent(2, true) }}"));
    assertEquals("  a\n\n  b\n", r("{{ 'a\\n\\nb\\n'|indent(2, true) }}"));
    assertEquals("a\n  \n  b\n  ", r("{{ 'a\\n\\nb\\n'|indent(2, blank=true) }}"));
    assertEquals("a\n> b\n> c", r("{{ 'a\\x0bb\\u2028c'|indent('> ') }}"));
  }

  @Test
  void rangeCountsItemsExactlyEvenWhenTheSpanOverflows() {
    TemplateException e = assertThrows(TemplateException.class, () -> r("{% for i in "
        + "range(-9223372036854775807, 9223372036854775807) %}x{% endfor %}"));
    assertTrue(e.getMessage().contains("over the loop budget"), e.getMessage());
    assertEquals("[9223372036854775806]|[3, 1]|[]",
        r("{{ range(9223372036854775806, 9223372036854775807) }}|{{ range(3, 0, -2) }}|"
            + "{{ range(0, 3, -1) }}"));
  }

  @Test
  void powersOfMinusOneDoNotLoop() {
    assertEquals("-1|1", assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> r("{{ (-1) ** 1000000000000000001 }}|{{ (-1) ** 1000000000000000000 }}")));
  }

  @Test
  void uniqueIsStoppedByTheTimeBudget() {
    Template t = Template.parse("t", "{{ range(300000)|unique|length }}");
    TemplateException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> assertThrows(TemplateException.class, () -> t.render(Map.of(), TemplateTest.CLOCK,
            new Template.Limits(Duration.ofMillis(300), 8_000_000, 1_000_000))));
    assertTrue(e.getMessage().contains("longer than the budget of 300 ms"), e.getMessage());
  }

  @Test
  void escapingAndCaseMappingsThatGrowAStringAreWithinTheBudget() {
    overBudget("{{ ('ß' * 5000000)|upper }}");
    overBudget("{{ ('ß' * 5000000).upper() }}");
    overBudget("{{ (\"'\" * 2000000)|e }}");
    assertEquals("SS|&lt;&#39;&gt;", r("{{ 'ß'|upper }}|{{ \"<'>\"|e }}"));
    // String.toUpperCase/toLowerCase are quadratic in letters whose case is longer (ß, İ)
    assertEquals("6000000|6000000", assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> r("{{ ('ß' * 3000000)|upper|length }}|{{ ('İ' * 3000000).lower()|length }}")));
  }

  @Test
  void linearCaseMappingsAgreeWithTheJdks() {
    java.util.Random rnd = new java.util.Random(7);
    String alphabet = "aZß\u0130\u03a3\u03c3 'ﬀŉǰΐ\u0307.1\uD801\uDC00\uD801\uDC28İΣ";
    for (int k = 0; k < 2000; k++) {
      StringBuilder sb = new StringBuilder();
      for (int j = rnd.nextInt(12); j > 0; j--) {
        int at = rnd.nextInt(alphabet.length());
        sb.append(Character.isHighSurrogate(alphabet.charAt(at)) ? alphabet.substring(at, at + 2)
            : Character.isLowSurrogate(alphabet.charAt(at)) ? "x" : alphabet.substring(at, at + 1));
      }
      String s = sb.toString();
      assertEquals(s.toUpperCase(java.util.Locale.ROOT), Py.upper(s), s);
      assertEquals(s.toLowerCase(java.util.Locale.ROOT), Py.lower(s), s);
    }
    for (int cp = 0; cp < 0x30000; cp++) {
      String s = new String(Character.toChars(cp));
      assertEquals(s.toUpperCase(java.util.Locale.ROOT), Py.upper(s));
      assertEquals(s.toLowerCase(java.util.Locale.ROOT), Py.lower(s));
    }
  }

  @Test
  void strftimeIsWithinTheBudget() {
    overBudget("{{ strftime_now('%B' * 3000000) }}");
    assertFalse(r("{{ strftime_now('%B %d') }}").isEmpty());
  }
}
