package dev.sparq.onnx.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Python Jinja2 behaviour that chat templates rely on. Every expected string here is what Python
 * {@code jinja2} 3.1 (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols)
 * prints for the same source.
 */
class TemplateTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-05T14:07:09Z"), ZoneOffset.UTC);

  static String r(String src, Map<String, ?> vars) {
    return Template.parse("t", src).render(vars, CLOCK, Template.Limits.DEFAULT);
  }

  static String r(String src) {
    return r(src, Map.of());
  }

  static TemplateException fails(String src, Map<String, ?> vars) {
    return assertThrows(TemplateException.class, () -> r(src, vars));
  }

  static List<Map<String, Object>> msgs(String... roleContent) {
    List<Map<String, Object>> out = new java.util.ArrayList<>();
    for (int i = 0; i < roleContent.length; i += 2) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("role", roleContent[i]);
      m.put("content", roleContent[i + 1]);
      out.add(m);
    }
    return out;
  }

  @Test
  void qwen3Constructs() {
    var m = Map.of("messages", msgs("user", "a", "assistant", "b", "user", "c"));
    assertEquals("cba", r("{% for x in messages[::-1] %}{{ x.content }}{% endfor %}", m));
    assertEquals("2", r("{% set ns = namespace(last_query_index=messages|length - 1) %}"
        + "{{ ns.last_query_index }}", m));
    assertEquals("ab|ba|x|True|False", r("{{ '\\n\\nab\\n'.lstrip('\\n').rstrip('\\n') }}|"
        + "{{ 'xxbaxx'.strip('x') }}|{{ 'x</think>y'.split('</think>')[0] }}|"
        + "{{ '<tool>z'.startswith('<tool>') }}|{{ 'abc'.endswith(('x', 'y')) }}"));
    assertEquals("['a', 'b', 'c'] 3 ['a', 'b c']",
        r("{{ 'a.b.c'.split('.') }} {{ 'a.b.c'.split('.') | length }} {{ 'a b c'.split(' ', 1) }}"));
    assertEquals("['x', 'y']", r("{{ '  x \\n y  '.split() }}"));
  }

  @Test
  void whitespaceControl() {
    assertEquals("AB", r("A\n    {{- 'B' }}"));
    assertEquals("A B", r("A {{ 'B' -}}  \n  "));
    assertEquals("AC", r("A\n  {#- note -#}\n  C"));
    assertEquals("x\ny\n", r("{% if true %}\n  x\n{% endif %}\n".replace("  x", "x")
        + "y\n\n"));
    assertEquals("  1\n", r("{% for i in [1] %}\n  {{ i }}\n{% endfor %}\n"));
    assertEquals("  keep", r("{%+ if true %}  keep{% endif %}"));
    assertEquals("a\n", r("{% if true +%}\na\n{% endif %}").substring(1));
  }

  @Test
  void trailingNewlineIsDroppedOnce() {
    assertEquals("x", r("x\n"));
    assertEquals("x\n", r("x\n\n"));
  }

  @Test
  void pythonPrinting() {
    assertEquals("True False None [1, 'a', None, True, 1.5] {'k': (1, 2)} 1e-05 1e+16 2.5 3",
        r("{{ true }} {{ False }} {{ none }} {{ [1, 'a', None, True, 1.5] }} {{ {'k': (1, 2)} }}"
            + " {{ 1e-5 }} {{ 1e16 }} {{ 10 / 4 }} {{ 7 // 2 }}"));
    assertEquals("[\"it's\"]", r("{{ [\"it's\"] }}"));
  }

  @Test
  void stringsIndexAndEscapes() {
    assertEquals("a c é ü", r("{{ 'abc'[0] }} {{ 'abc'[-1] }} {{ '\\u00e9' }} {{ '\\xfc' }}"));
    assertEquals("😀", r("{{ '😀x'[0] }}"));
  }

  @Test
  void loops() {
    assertEquals("1,3,|2", r("{% for i in [1, 2, 3, 4] if i is odd %}{{ i }},{% endfor %}"
        + "|{{ [1, 2, 3, 4] | select('odd') | list | length }}"));
    assertEquals("12", r("{% for i in [1, 2, 3] %}{% if i == 3 %}{% break %}{% endif %}{{ i }}"
        + "{% endfor %}"));
    assertEquals("13", r("{% for i in [1, 2, 3] %}{% if i == 2 %}{% continue %}{% endif %}{{ i }}"
        + "{% endfor %}"));
    assertEquals("empty", r("{% for i in [] %}x{% else %}empty{% endfor %}"));
    assertEquals("0:True:False:3 1:False:False:3 2:False:True:3 ", r("{% for i in 'abc' %}"
        + "{{ loop.index0 }}:{{ loop.first }}:{{ loop.last }}:{{ loop.length }} {% endfor %}"));
    assertEquals("1110", r("{% set x = 0 %}{% for i in range(3) %}{% set x = x + 1 %}{{ x }}"
        + "{% endfor %}{{ x }}"));
    assertEquals("a=1;b=2;", r("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};"
        + "{% endfor %}"));
  }

  @Test
  void definedAndUndefinedAsSelectTests() {
    // Mistral (Nemo) checks role alternation over `selectattr("tool_calls", "undefined")`.
    var xs = Map.of("xs", List.of(Map.of("n", "a"), Map.of("n", "b", "tool_calls", List.of()),
        Map.of("n", "c")));
    assertEquals("a,c|b|b", r("{{ xs | selectattr('tool_calls', 'undefined') | map(attribute='n')"
        + " | join(',') }}|{{ xs | selectattr('tool_calls', 'defined') | map(attribute='n')"
        + " | join(',') }}|{{ xs | rejectattr('tool_calls', 'undefined') | map(attribute='n')"
        + " | join(',') }}", xs));
    assertEquals("1", r("{{ [none, nope, 1] | select('defined') | select | join(',') }}"));
  }

  @Test
  void filtersAndTests() {
    assertEquals("x", r("{{ '\\u00a0\\u2003 x \\u3000\\n' | trim }}"));
    assertEquals("{\"a\": [1, 2.5, null, true], \"é\": \"\\\"q\\\"\"}",
        r("{{ {'a': [1, 2.5, none, true], 'é': '\"q\"'} | tojson }}"));
    assertEquals("{\n  \"a\": [\n    1\n  ]\n}", r("{{ {'a': [1]} | tojson(indent=2) }}"));
    assertEquals("b,c", r("{{ xs | selectattr('k', 'equalto', 1) | map(attribute='n') | join(',')"
        + " }}", Map.of("xs", List.of(Map.of("k", 2, "n", "a"), Map.of("k", 1, "n", "b"),
            Map.of("k", 1, "n", "c")))));
    assertEquals("True False True True", r("{{ x is string }} {{ x is mapping }}"
        + " {{ x is iterable }} {{ y is not defined }}", Map.of("x", "s")));
    assertEquals("dflt|Hello World|  ab|a\n  b", r("{{ nope | default('dflt') }}|"
        + "{{ 'hello world' | title }}|{{ 'ab' | center(6) | trim | indent(2, true) }}|"
        + "{{ 'a\\nb' | indent(2) }}"));
  }

  @Test
  void macrosAndSetBlocks() {
    assertEquals("[12][13]", r("{% macro f(a, b=2) %}[{{ a }}{{ b }}]{% endmacro %}{{ f(1) }}"
        + "{{ f(1, b=3) }}"));
    assertEquals("<x>", r("{% set s %}<{{ 'x' }}>{% endset %}{{ s }}"));
  }

  @Test
  void raiseExceptionAndStrftime() {
    TemplateException e = fails("{{ raise_exception('Roles must alternate') }}", Map.of());
    assertTrue(e.getMessage().startsWith("t, line 1: raise_exception: Roles must alternate"),
        e.getMessage());
    assertEquals("True 05 Mar 2026", r("{{ strftime_now is defined }} "
        + "{{ strftime_now('%d %b %Y') }}"));
  }

  @Test
  void contentIsDataNeverCode() {
    var m = Map.of("messages", msgs("user", "{{ bos_token }} {% if true %}yes{% endif %} e^{{i\\pi}}"
        + " {# c #} {%- raw %}"), "bos_token", "<s>");
    assertEquals("<s>{{ bos_token }} {% if true %}yes{% endif %} e^{{i\\pi}} {# c #} {%- raw %}",
        r("{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}", m));
  }

  @Test
  void pythonErrorsAreErrors() {
    assertTrue(fails("{{ 'a' + 1 }}", Map.of()).getMessage().contains("unsupported operand"));
    assertTrue(fails("{{ u.foo }}", Map.of()).getMessage().contains("'u' is undefined"));
    assertTrue(fails("\n\n{{ x.append(1) }}", Map.of("x", List.of())).getMessage()
        .startsWith("t, line 3:"));
    assertEquals("", r("{{ x.foo }}", Map.of("x", Map.of())));
  }

  // ----------------------------------------------------------------- issue 21: budgets, reach

  @Test
  void nestedLoopsHitTheIterationBudgetFast() {
    long t0 = System.nanoTime();
    TemplateException e = fails("{% for a in range(1000) %}{% for b in range(1000) %}"
        + "{% for c in range(1000) %}x{% endfor %}{% endfor %}{% endfor %}", Map.of());
    // 1,000,000 iterations in all; on a slow machine the 2 s wall-time budget may come first
    assertTrue(e.getMessage().contains("loop iterations than the budget")
        || e.getMessage().contains("longer than the budget"), e.getMessage());
    assertTrue(e.getMessage().startsWith("t, line 1"), e.getMessage());
    assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos());
  }

  @Test
  void hugeStringsHitTheSizeBudgetBeforeAllocating() {
    assertTrue(fails("{{ 'x' * 300000000 }}", Map.of()).getMessage().contains("budget"));
    assertTrue(fails("{{ 'x' * 3e8 }}", Map.of()).getMessage().contains("unsupported operand"));
    assertTrue(fails("{{ 'x' | center(100000000) }}", Map.of()).getMessage().contains("budget"));
    assertTrue(fails("{{ 'x'.center(100000000) }}", Map.of()).getMessage().contains("budget"));
    assertTrue(fails("{{ 'x'.repeat(100000000) }}", Map.of()).getMessage().contains("t, line 1"));
    assertTrue(fails("{{ range(100000000) | length }}", Map.of()).getMessage()
        .contains("budget"));
    assertTrue(fails("{% set ns = namespace(s='xxxxxxxxxx') %}{% for i in range(100) %}"
        + "{% set ns.s = ns.s ~ ns.s %}{% endfor %}", Map.of()).getMessage().contains("budget"));
  }

  @Test
  void iterationBudgetCountsAllLoopsTogether() {
    Template t = Template.parse("t", "{% for a in range(100) %}{% for b in range(100) %}x"
        + "{% endfor %}{% endfor %}");
    Template.Limits small = new Template.Limits(Duration.ofSeconds(30), 1_000_000, 5_000);
    TemplateException e = assertThrows(TemplateException.class,
        () -> t.render(Map.of(), CLOCK, small));
    assertTrue(e.getMessage().contains("more loop iterations than the budget of 5000"),
        e.getMessage());
    assertEquals(10_000, Template.parse("t", "{% for a in range(100) %}{% for b in range(99) %}x"
        + "{% endfor %}{% endfor %}").render(Map.of(), CLOCK, new Template.Limits(
            Duration.ofSeconds(30), 1_000_000, 10_000)).length() + 100);
  }

  @Test
  void wallTimeBudget() {
    Template t = Template.parse("slow", "{% for a in range(900000) %}{{ a ~ a }}{% endfor %}");
    TemplateException e = assertThrows(TemplateException.class, () -> t.render(Map.of(), CLOCK,
        new Template.Limits(Duration.ofMillis(1), Long.MAX_VALUE, Long.MAX_VALUE)));
    assertTrue(e.getMessage().contains("longer than the budget"), e.getMessage());
  }

  @Test
  void noIncludeImportOrExtends() {
    for (String s : List.of("{% include 'META-INF/MANIFEST.MF' %}", "{% import 'x' as y %}",
        "{% extends 'base' %}", "{% from 'x' import y %}")) {
      TemplateException e = assertThrows(TemplateException.class, () -> Template.parse("t", s));
      assertTrue(e.getMessage().contains("not allowed"), e.getMessage());
    }
  }

  @Test
  void noJavaObjectsFilesOrEnvironment() {
    var m = Map.of("messages", msgs("user", "x"));
    for (String s : List.of("{{ messages.getClass() }}", "{{ ''.getClass().forName('x') }}",
        "{{ range.__globals__ }}", "{{ namespace.__init__.__globals__['os'] }}",
        "{{ System.getenv('HOME') }}", "{{ messages.class.classLoader }}")) {
      try {
        String out = r(s, m);
        assertFalse(out.contains("java") || out.contains("/"), s + " -> " + out);
      } catch (TemplateException e) {
        assertFalse(e.getMessage().contains("java.") || e.getMessage().contains("Exception"),
            e.getMessage());
      }
    }
    assertEquals("", r("{{ ''.__class__ }}{{ messages.__class__ }}", m));
  }

  @Test
  void unsupportedVariableTypesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> r("x", Map.of("v", new Object())));
  }
}
