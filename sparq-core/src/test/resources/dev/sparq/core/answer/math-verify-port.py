"""Regenerates math-verify-cases.jsonl from a checkout of huggingface/Math-Verify.

Usage: python3 math-verify-port.py /path/to/Math-Verify > math-verify-cases.jsonl
Reads every pytest parametrize list in tests/ whose parameters include gold and pred and writes one
JSON line per case. Only the literal test data is taken; nothing of Math-Verify is executed.
"""
import ast
import json
import math
import pathlib
import subprocess
import sys

HEADER = """# Final-answer test cases of Math-Verify (https://github.com/huggingface/Math-Verify),
# commit {commit}, folder tests/. Copyright The HuggingFace Team,
# licensed under the Apache License 2.0 (see math-verify-NOTICE.txt). Facts only: each line is one
# (gold, prediction, expected verdict) triple of a pytest parametrize list, with the file, test
# function and source line it came from and the non-default options that test passes.
# Regenerate with sparq-core/src/test/resources/dev/sparq/core/answer/math-verify-port.py."""


def options_of(fn):
    found = {}
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg in ("match_types", "precision"):
                    try:
                        found[kw.arg] = ast.literal_eval(kw.value)
                    except ValueError:
                        pass
    return found


def cases(repo):
    for f in sorted((repo / "tests").glob("test_*.py")):
        tree = ast.parse(f.read_text())
        for fn in tree.body:
            if not isinstance(fn, ast.FunctionDef):
                continue
            call_options = options_of(fn)
            for dec in fn.decorator_list:
                if not (isinstance(dec, ast.Call) and getattr(dec.func, "attr", "") == "parametrize"):
                    continue
                names = [n.strip() for n in ast.literal_eval(dec.args[0]).split(",")]
                if "gold" not in names or "pred" not in names:
                    continue
                for elt in dec.args[1].elts:
                    # Literals and f-strings over math only (one case formats math.sqrt(17)).
                    values = eval(compile(ast.Expression(elt), f.name, "eval"),
                                  {"__builtins__": {}, "math": math})
                    d = dict(zip(names, values))
                    expected = d.get("expected", d.get("result"))
                    options = {k: v for k, v in d.items()
                               if k not in ("gold", "pred", "expected", "result")}
                    options.update({k: v for k, v in call_options.items() if k not in options})
                    yield {"id": f"{f.name}:{elt.lineno}", "test": fn.name, "gold": d["gold"],
                           "pred": d["pred"], "expected": bool(expected), "options": options}


def main():
    repo = pathlib.Path(sys.argv[1])
    commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    print(HEADER.format(commit=commit))
    seen = {}
    for c in cases(repo):
        # Two cases written on one source line get #2, #3, ... so that every id is unique.
        n = seen[c["id"]] = seen.get(c["id"], 0) + 1
        if n > 1:
            c["id"] += "#" + str(n)
        print(json.dumps(c, ensure_ascii=False))


if __name__ == "__main__":
    main()
