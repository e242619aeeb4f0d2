"""Checks the citations of pyribs-archive-cases.json against a checkout of icaros-usc/pyribs.

The cases were transcribed BY HAND from pyribs' tests (nothing here extracts them automatically):
every case of the JSON names the file under tests/archives/, the test function(s) and the first and
last source line of the scenario at the pinned commit. This script re-reads those files and checks,
for every case, that the file exists, that each named test function is defined inside the cited
line range (or, for a fixture-only citation, that the range is inside the file), and that the
checkout is at the pinned commit. It reports the number of cases per file.

Usage: python3 pyribs-port.py /path/to/pyribs            (a work tree)
       python3 pyribs-port.py /path/to/pyribs.git        (a bare repository: read with git show)
Exit status 0 when every citation holds.
"""
import json
import pathlib
import re
import subprocess
import sys
from collections import Counter

COMMIT = "cac4d9d541f84f3004d7222c79d7f3646b3fa901"
HERE = pathlib.Path(__file__).resolve().parent


def read(repo, path):
    if (repo / "tests").is_dir():
        return (repo / path).read_text()
    return subprocess.run(["git", "--git-dir", str(repo), "show", f"{COMMIT}:{path}"],
                          check=True, capture_output=True, text=True).stdout


def head(repo):
    git_dir = ["--git-dir", str(repo)] if not (repo / "tests").is_dir() else ["-C", str(repo)]
    return subprocess.run(["git", *git_dir, "rev-parse", "HEAD"],
                          capture_output=True, text=True).stdout.strip()


def check(tests, lines, first, last):
    """Mismatches between the test names of a case and the functions at lines first..last."""
    defined = set()
    # the function whose body contains the first line counts (a range may start inside a test)
    for line in reversed(lines[:first]):
        m = re.match(r"def (test_\w+)\(", line)
        if m:
            defined.add(m.group(1))
            break
        if line.startswith("def ") or line.startswith("class "):
            break
    for line in lines[first - 1:last]:
        m = re.match(r"def (test_\w+)\(", line)
        if m:
            defined.add(m.group(1))
    out = []
    for name in re.findall(r"test_\w+\*?", tests):
        if name.endswith("*"):  # a prefix such as test_retrieve_single_*
            if not any(d.startswith(name[:-1]) for d in defined):
                out.append(f"no function {name}")
        elif name not in defined:
            out.append(f"{name} is not defined there")
    return out


def main():
    repo = pathlib.Path(sys.argv[1])
    data = json.loads((HERE / "pyribs-archive-cases.json").read_text())
    problems = []
    if head(repo) != COMMIT:
        print(f"note: checkout is at {head(repo) or '?'}, cases cite {COMMIT}; reading {COMMIT} where possible")
    per_file = Counter()
    for case in data["cases"]:
        path = "tests/archives/" + case["file"]
        lines = read(repo, path).splitlines()
        first, last = case["lines"]
        per_file[case["file"]] += 1
        if not (1 <= first <= last <= len(lines)):
            problems.append(f"{case['id']}: lines {first}-{last} outside {path} ({len(lines)} lines)")
            continue
        problems += [f"{case['id']}: {m} ({path}:{first}-{last})" for m in check(case["test"], lines, first, last)]
    for f, n in sorted(per_file.items()):
        print(f"{n:3d} cases from tests/archives/{f}")
    print(f"{len(data['cases'])} cases, {len(data['differences'])} recorded differences")
    for p in problems:
        print("MISMATCH", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
