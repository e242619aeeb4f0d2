"""Regenerates the peer-suite case files from checkouts of three public answer checkers.

Usage:
  python3 peer-suites-port.py lighteval   /path/to/lighteval   > lighteval-cases.jsonl
  python3 peer-suites-port.py nemo-skills /path/to/NeMo-Skills > nemo-skills-cases.jsonl
  python3 peer-suites-port.py hendrycks   /path/to/math        > hendrycks-math-cases.jsonl

Only literal test data is read, by parsing the test files with Python's ast module; nothing of the
peer projects is imported or executed. Each output line is one (gold, prediction, expected verdict)
triple with the file, source line and test function it came from and the options that test passes.
See peer-suites-NOTICE.txt for the sources, commits and licences.
"""
import ast
import json
import pathlib
import subprocess
import sys

SUITES = {
    "lighteval": ("huggingface/lighteval", "https://github.com/huggingface/lighteval",
                  "tests/unit/metrics/test_extractive_match.py", "MIT License, Copyright (c) 2024 Hugging Face"),
    "nemo-skills": ("NVIDIA/NeMo-Skills", "https://github.com/NVIDIA/NeMo-Skills",
                    "tests/test_math_equal.py", "Apache License 2.0, Copyright (c) 2024 NVIDIA CORPORATION"),
    "hendrycks": ("hendrycks/math", "https://github.com/hendrycks/math",
                  "modeling/math_equivalence_test.py", "MIT License, Copyright (c) 2021 Dan Hendrycks"),
}


class _Enums(ast.NodeTransformer):
    """Turns an enum member such as Language.CHINESE into its name, so literal_eval accepts it."""

    def visit_Attribute(self, node):
        if isinstance(node.value, ast.Name):
            return ast.copy_location(ast.Constant(node.attr.lower()), node)
        return node


def literal(node):
    return ast.literal_eval(_Enums().visit(ast.fix_missing_locations(node)))


def lighteval_cases(source, path):
    """Every parametrize list of test_extractive_match.py with gold and pred, and every
    compare_strings call written with literal arguments."""
    tree = ast.parse(source)
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        # The options each test passes to compare_strings (match_types, precision, language).
        call = None
        for node in ast.walk(fn):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "compare_strings":
                call = node
                break
        for dec in fn.decorator_list:
            if not (isinstance(dec, ast.Call) and getattr(dec.func, "attr", "") == "parametrize"):
                continue
            names = [n.strip() for n in literal(dec.args[0]).split(",")]
            if "gold" not in names or "pred" not in names:
                continue
            for elt in dec.args[1].elts:
                d = dict(zip(names, literal(elt)))
                options = {}
                positional = ["gold", "pred", "language", "match_types", "precision"]
                for i, arg in enumerate(call.args if call else []):
                    if i >= 2 and isinstance(arg, ast.Name) and arg.id in d:
                        options[positional[i]] = d[arg.id]
                for kw in call.keywords if call else []:
                    options[kw.arg] = d[kw.value.id] if isinstance(kw.value, ast.Name) else literal(kw.value)
                yield {"id": f"{path.name}:{elt.lineno}", "test": fn.name, "gold": d["gold"],
                       "pred": d["pred"], "expected": bool(d["expected"]), "options": options}
        if fn.decorator_list:
            continue
        for node in ast.walk(fn):
            if (isinstance(node, ast.Compare) and isinstance(node.left, ast.Call)
                    and getattr(node.left.func, "id", "") == "compare_strings"):
                args = [literal(a) for a in node.left.args]
                options = {kw.arg: literal(kw.value) for kw in node.left.keywords}
                yield {"id": f"{path.name}:{node.lineno}", "test": fn.name, "gold": args[0],
                       "pred": args[1], "expected": bool(literal(node.comparators[0])), "options": options}


def text(value):
    """A NeMo-Skills case may give a number instead of a string; str() is what the grader sees."""
    return value if isinstance(value, str) else str(value)


def nemo_cases(source, path):
    """test_correct_examples and test_incorrect_examples call math_equal(gt, predicted) in both
    orders; each order is one case ('#swapped' marks the second)."""
    tree = ast.parse(source)
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        expected = {"test_correct_examples": True, "test_incorrect_examples": False}.get(fn.name)
        if expected is None:
            continue
        for dec in fn.decorator_list:
            if not (isinstance(dec, ast.Call) and getattr(dec.func, "attr", "") == "parametrize"):
                continue
            for elt in dec.args[1].elts:
                # One pair computes 5 / 2 in Python; evaluate constant arithmetic, nothing else.
                a, b = eval(compile(ast.Expression(elt), path.name, "eval"), {"__builtins__": {}})
                if a is None or b is None:
                    continue  # (0, None): no answer at all is not a text a checker is given
                yield {"id": f"{path.name}:{elt.lineno}", "test": fn.name, "gold": text(a),
                       "pred": text(b), "expected": expected, "options": {}}
                yield {"id": f"{path.name}:{elt.lineno}#swapped", "test": fn.name, "gold": text(b),
                       "pred": text(a), "expected": expected, "options": {}}


def hendrycks_cases(source, path):
    """Each unittest method assigns test_in and test_out and asserts is_equiv(test_in, test_out)
    true or false. The MATH evaluation calls is_equiv(model_output, answer), so test_out is taken
    as the gold and test_in as the prediction."""
    tree = ast.parse(source)
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef):
            continue
        for fn in cls.body:
            if not isinstance(fn, ast.FunctionDef):
                continue
            values = {}
            for st in fn.body:
                if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name):
                    values[st.targets[0].id] = literal(st.value)
                elif isinstance(st, ast.Expr) and isinstance(st.value, ast.Call):
                    method = getattr(st.value.func, "attr", "")
                    if method in ("assertTrue", "assertFalse"):
                        inner = st.value.args[0]
                        a, b = (values[x.id] for x in inner.args[:2])
                        yield {"id": f"{path.name}:{st.lineno}", "test": fn.name, "gold": b, "pred": a,
                               "expected": method == "assertTrue", "options": {}}


def main():
    suite, repo = sys.argv[1], pathlib.Path(sys.argv[2])
    name, url, rel, licence = SUITES[suite]
    commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    path = repo / rel
    source = path.read_text()
    gen = {"lighteval": lighteval_cases, "nemo-skills": nemo_cases, "hendrycks": hendrycks_cases}[suite]
    print(f"# Test cases of {name} ({url}), commit {commit}, file {rel}.")
    print(f"# {licence} (see peer-suites-NOTICE.txt). Facts only: each line is one (gold, prediction,")
    print("# expected verdict) triple of that test file, with its source line, test function and options.")
    print("# Regenerate with sparq-core/src/test/resources/dev/sparq/core/answer/peer-suites-port.py.")
    seen = {}
    for c in gen(source, path):
        n = seen[c["id"]] = seen.get(c["id"], 0) + 1
        if n > 1:
            c["id"] += "#" + str(n)
        print(json.dumps(c, ensure_ascii=False))


if __name__ == "__main__":
    main()
