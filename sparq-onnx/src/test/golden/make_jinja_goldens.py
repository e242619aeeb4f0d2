#!/usr/bin/env python3
"""Writes jinja-semantics.json: small templates and what Python Jinja2 renders for them, in the
environment transformers builds for chat templates (ImmutableSandboxedEnvironment, trim_blocks,
lstrip_blocks, loopcontrols, transformers' tojson / raise_exception / strftime_now).
TemplateSemanticsGoldenTest renders the same sources with sparq's interpreter.

Usage: pip install transformers jinja2; python3 sparq-onnx/src/test/golden/make_jinja_goldens.py
"""
import datetime
import json
import os

import jinja2
import transformers
from transformers.utils.chat_template_utils import _compile_jinja_template

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "jinja-goldens", "jinja-semantics.json")
FIXED = datetime.datetime(2026, 3, 5, 14, 7, 9)

VARS = {
    "messages": [{"role": "system", "content": " Sys \n"}, {"role": "user", "content": "Hi {{ x }}"},
                 {"role": "assistant", "content": "<think>a</think>b", "tool_calls": [
                     {"function": {"name": "f", "arguments": {"k": [1, 2.5, None, True]}}}]}],
    "s": "  Hello, World. \u00a0", "n": 7, "f": 2.5, "xs": [3, 1, 2], "d": {"b": 1, "a": [1, "x"]},
    "e": "", "z": None, "t": True, "items": [{"k": 1, "n": "a"}, {"k": 2, "n": "b"}, {"k": 1, "n": "c"}],
}

SOURCES = [
    # printing
    "{{ t }} {{ z }} {{ xs }} {{ d }} {{ f }} {{ n / 2 }} {{ n // 2 }} {{ -n // 2 }} {{ n % 3 }} {{ 2 ** 8 }}",
    "{{ (1, 2) }} {{ (1,) }} {{ [] }} {{ {} }} {{ 1.0 }} {{ 1e20 }} {{ 0.000012 }} {{ 3 * 'ab' }} {{ [1] * 2 }}",
    "{{ 'it\\'s' }} {{ ['it\\'s', \"q\\\"\"] }} {{ '\\u00e9\\x41\\n' }}",
    "{{ messages[2].tool_calls[0].function.arguments }}",
    # whitespace
    "a\n  {%- if true %}\n  b\n  {%- endif %}\nc",
    "{% for m in messages %}\n    {{- m.role }}\n{% endfor %}\nend\n",
    "x  {#- c -#}  y\n{# c #}\nz",
    "  {% if true %}\n    in\n  {% endif %}\n",
    "{%- set a = 1 -%}\n\n  {{ a }}  \n\n",
    "line\n{%+ if true %}kept{% endif %}\n",
    "{% raw %}{{ not parsed }}{% endraw %}|{%- raw -%}  {{ x }}  {%- endraw -%}|",
    # strings
    "{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ s.strip(' H.\u00a0') }}|{{ s | trim }}",
    "{{ 'a.b.c'.split('.') }} {{ 'a b  c'.split() }} {{ 'a.b.c'.split('.', 1) }} {{ 'a.b.c'.rsplit('.', 1) }}",
    "{{ s.startswith('  He') }} {{ s.endswith(('x', '\u00a0')) }} {{ s.replace('l', 'L') }} {{ s.replace('l', 'L', 1) }}",
    "{{ s.upper() }}|{{ s.lower() }}|{{ s.title() }}|{{ 'hELLO wORLD'.capitalize() }}|{{ s | capitalize }}",
    "{{ s.find('o') }} {{ s.count('l') }} {{ ', '.join(['a', 'b']) }} {{ 'ab'[::-1] }} {{ 'abcdef'[1:5:2] }} {{ 'abc'[-2:] }}",
    "{{ '{} and {}'.format('x', 1) }} {{ '%s=%d' % ('k', 3) }} {{ 'x' ~ 1 ~ none }}",
    "{{ 'a' in 'cat' }} {{ 'z' not in 'cat' }} {{ 1 in xs }} {{ 'b' in d }}",
    # lists, dicts, slices
    "{{ xs[::-1] }} {{ xs[1:] }} {{ xs[:-1] }} {{ xs[-1] }} {{ xs[5] }}|{{ xs | length }} {{ xs | first }} {{ xs | last }}",
    "{{ xs | sort }} {{ xs | sort(reverse=true) }} {{ xs | max }} {{ xs | min }} {{ xs | sum }} {{ xs | reverse | list }}",
    "{{ d.items() | list }} {{ d | dictsort }} {{ d.keys() | list }} {{ d.get('b') }} {{ d.get('q', 'dflt') }} {{ d['a'][1] }}",
    "{% for k, v in d | dictsort %}{{ k }}={{ v }};{% endfor %}",
    "{{ items | selectattr('k', 'equalto', 1) | map(attribute='n') | join(',') }}|{{ items | rejectattr('k', 'eq', 1) | list }}",
    "{{ items | map(attribute='k') | unique | list }} {{ xs | select('odd') | list }} {{ xs | reject('even') | list }}",
    # case_sensitive (default false) of unique, sort, dictsort, min/max; unique by attribute; dictsort by value
    "{{ ['b', 'A', 'a', 'B'] | unique | list }} {{ ['b', 'A', 'a', 'B'] | unique(true) | list }} "
    "{{ items | unique(attribute='k') | map(attribute='n') | list }} {{ ['b', 'A', 'a', 'B'] | sort }} "
    "{{ ['b', 'A', 'a', 'B'] | sort(case_sensitive=true) }} {{ {'b': 1, 'A': 2, 'a': 3} | dictsort }} "
    "{{ {'b': 1, 'A': 2} | dictsort(true) }} {{ {'b': 1, 'a': 0, 'c': 2} | dictsort(by='value', reverse=true) }} "
    "{{ ['a', 'B'] | max }} {{ ['a', 'B'] | max(case_sensitive=true) }} {{ ['a', 'B'] | min(true) }} "
    "{{ ['b', 'A', 'a', 'B'] | sort(reverse=true) }} {{ {'b': 1, 'a': 1, 'c': 0} | dictsort(false, 'value', true) }}",
    "{{ items | selectattr('n') | list | length }} {{ items | sort(attribute='n', reverse=true) | map(attribute='n') | list }}",
    "{{ [1, 2] + [3] }} {{ xs | join('-') }} {{ xs | map('string') | join }}",
    # tests
    "{{ z is none }} {{ s is string }} {{ n is number }} {{ n is integer }} {{ f is float }} {{ d is mapping }} {{ xs is iterable }} {{ s is iterable }}",
    "{{ t is true }} {{ t is false }} {{ t is boolean }} {{ n is odd }} {{ n is even }} {{ n is divisibleby 7 }} {{ q is defined }} {{ q is undefined }}",
    "{{ xs is sequence }} {{ d is sequence }} {{ n is sameas 7 }} {{ n is eq 7 }} {{ n is ne 7 }} {{ n is lt 8 }} {{ n is gt 8 }} {{ 'A' is upper }}",
    # filters
    "{{ d | tojson }}|{{ messages[2] | tojson }}|{{ xs | tojson(indent=2) }}|{{ '\u00e9\"' | tojson }}|{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }}",
    "{{ q | default('d') }} {{ e | default('d') }} {{ e | default('d', true) }} {{ z | default('d') }} {{ n | string }} {{ '12' | int + 1 }} {{ 'x' | int }} {{ '1.5' | float }}",
    "{{ 'a\nb\n\nc' | indent(2) }}|{{ 'a\nb' | indent(2, true) }}|{{ 'ab' | center(7) }}|{{ -3 | abs }}|{{ 2.567 | round(1) }}",
    "{{ s | length }} {{ d | length }} {{ s | wordcount }} {{ 'a<b>' | safe }} {{ s | upper }} {{ s | lower }} {{ s | title }} {{ 'x' | list }}",
    # loops
    "{% for i in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}{{ loop.last }}{{ loop.length }},{% endfor %}",
    "{% for i in xs if i > 1 %}{{ i }}:{{ loop.length }},{% else %}none{% endfor %}|{% for i in [] %}x{% else %}empty{% endfor %}",
    "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}",
    "{% for i in range(1, 10, 3) %}{{ i }}{% endfor %}|{% for i in range(5, 0, -2) %}{{ i }}{% endfor %}",
    "{% for i in xs %}{{ loop.previtem }}-{{ loop.nextitem }} {{ loop.cycle('a', 'b') }};{% endfor %}",
    "{% set x = 0 %}{% for i in xs %}{% set x = x + i %}{{ x }}{% endfor %}|{{ x }}",
    "{% set ns = namespace(total=0, seen=[]) %}{% for i in xs %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }}",
    "{% set ns = namespace(last=messages|length - 1) %}{% for m in messages[::-1] %}{% set idx = (messages|length - 1) - loop.index0 %}{% if m.role == 'user' %}{% set ns.last = idx %}{% break %}{% endif %}{% endfor %}{{ ns.last }}",
    "{% for m in messages %}{% if m.content is string %}{{ m.content.split('</think>')[-1].lstrip('\\n') }}{% endif %}|{% endfor %}",
    # set, macro, conditional
    "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c %}[{{ a + b }}]{% endset %}{{ c }}",
    "{% macro m(x, y='d') %}<{{ x }}{{ y }}>{% endmacro %}{{ m(1) }}{{ m(1, 'y') }}{{ m(x=2, y=3) }}",
    "{{ 'yes' if t else 'no' }} {{ 'yes' if z else 'no' }} {{ 'x' if z }}|{{ t and 'a' or 'b' }} {{ z or 'fallback' }} {{ not z }}",
    "{% if n > 5 and (s or z) %}A{% elif n > 1 %}B{% else %}C{% endif %}{% if 1 < n < 10 %}D{% endif %}",
    "{{ strftime_now('%Y-%m-%d %H:%M:%S %A %B %j %I%p') }} {{ strftime_now is defined }}",
    "{% if messages[0].role == 'system' %}{{ messages[0]['content'] | trim }}{% endif %}{{ messages[1].content }}",
    "{% generation %}gen{% endgeneration %}",
    "{% filter upper %}shout {{ n }}{% endfilter %}",
    "{{ dict(a=1, b='x') }} {{ namespace(a=1).a }}",
    # undefined values
    "{{ q }}|{{ q | length }}|{{ q | list }}|{{ q | join(',') }}|{{ q | trim }}|{{ q | upper }}|{{ 'a' in q }}|{{ not q }}|{{ q == q }}|{{ q is none }}",
    "{% for i in q %}x{% else %}none{% endfor %}|{% if q %}y{% else %}n{% endif %}|{{ q | default(1) }}|{{ q | first }}|{{ q ~ 'x' }}|{{ d.nope }}",
    "{{ messages[0].nope is defined }} {{ messages[5] is defined }} {{ d['nope'] is undefined }} {{ (q or 'o') }} {{ z.strip is defined }}",
    # errors (Python raises; the Java side must raise too)
    "{{ q | tojson }}",
    "{{ q + 1 }}",
    "{{ q.attr }}",
    "{{ z.strip() }}",
    "{{ 'x' < 1 }}",
    "{{ raise_exception('custom failure') }}",
    "{{ 'a' + 1 }}",
    "{{ nope.attr }}",
    "{{ xs.append(4) }}",
    "{% for i in 5 %}{% endfor %}",
    "{{ 1 / 0 }}",
    "{% if %}",
    "{{ d | items | list }}",
]


def main():
    tmpl_vars = dict(VARS)
    tmpl_vars["strftime_now"] = lambda fmt: FIXED.strftime(fmt)
    cases = []
    for src in SOURCES:
        case = {"source": src}
        try:
            case["expected"] = _compile_jinja_template(src).render(**tmpl_vars)
        except Exception as e:
            case["expected_error"] = f"{type(e).__name__}: {e}"
        cases.append(case)
    doc = {"generated_with": {"transformers": transformers.__version__, "jinja2": jinja2.__version__},
           "fixed_now": FIXED.isoformat(), "variables": VARS, "cases": cases}
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
