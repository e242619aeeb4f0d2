#!/usr/bin/env python3
"""Writes the Parquet seed goldens that SPARQ's Java tests read (ParquetSeedsTest).

Usage: make_parquet_seeds.py OUT_DIR
    pip install pyarrow datasets
    python3 sparq-core/src/test/python/make_parquet_seeds.py \
        sparq-core/src/test/resources/dev/sparq/core/seeds/parquet

The files mirror what the Hugging Face Hub ships, written by pyarrow and by `datasets` itself (not by
SPARQ): the GSM8K layout (`main/<split>-00000-of-00001.parquet`: question, answer), the
hendrycks_math layout (`<subject>/<split>-00000-of-00001.parquet`: problem, level, type, solution)
and a generic problem/answer dataset in two shards (`data/train-0000N-of-00002.parquet`). Between
them they use SNAPPY, ZSTD, GZIP and no compression; dictionary and plain encoding; string,
large_string and dictionary<string> columns; nulls; several row groups; data page versions 1 and
2. `broken/` holds files that must be refused, and `manifest.json` lists every row of every good
file, so the Java side can check each decoded value against what Python wrote.
The problems are made up for the tests; no Hub data is copied.
"""
import json
import os
import shutil
import sys

import pyarrow as pa
import pyarrow.parquet as pq

GSM8K_TRAIN = [
    ("Ana buys 3 boxes of 12 pencils and gives away 5 pencils. How many pencils does she keep?",
     "Ana buys 3 * 12 = <<3*12=36>>36 pencils.\nShe keeps 36 - 5 = <<36-5=31>>31 pencils.\n#### 31"),
    ("A train travels 60 km per hour for 2.5 hours. How far does it go?",
     "It goes 60 * 2.5 = <<60*2.5=150>>150 km.\n#### 150"),
    ("Tom has 1,200 stamps and sells a quarter of them. How many are left?",
     "He sells 1200 / 4 = <<1200/4=300>>300 stamps.\n1200 - 300 = <<1200-300=900>>900 are left.\n#### 900"),
    ("Lena reads 14 pages a day for a week. How many pages does she read? \u00dcber-easy.",
     "14 * 7 = <<14*7=98>>98\n#### 98"),
]
GSM8K_TEST = [
    ("Sam has 8 apples and eats 3. How many remain?", "8 - 3 = <<8-3=5>>5\n#### 5"),
]
ALGEBRA_TRAIN = [
    ("Solve for $x$: $2x + 3 = 11$.", "Level 1", "Algebra",
     "Subtract 3: $2x = 8$, so $x = \\boxed{4}$."),
    ("What is the sum of the roots of $x^2 - 5x + 6 = 0$?", "Level 2", "Algebra",
     "By Vieta, the sum is $\\boxed{5}$."),
    ("Simplify $\\frac{6}{8}$.", "Level 1", "Algebra", "$\\frac{6}{8} = \\boxed{\\frac{3}{4}}$."),
]
ALGEBRA_TEST = [
    ("Solve $x - 1 = 0$.", "Level 1", "Algebra", "$x = \\boxed{1}$."),
]
GEOMETRY_TRAIN = [
    ("A square has side 3. What is its area?", "Level 1", "Geometry", "The area is $3^2 = \\boxed{9}$."),
    ("A circle has radius 2. What is its area?", "Level 2", "Geometry", "It is $\\boxed{4\\pi}$."),
]
GENERIC = [
    ("Compute $7 \\cdot 8$.", "56", "arith", 1),
    ("How many primes are below 10?", "4", None, 2),
    ("What is $\\sqrt{49}$?", "7", "arith", None),
    ("Evaluate $2^{10}$.", "1024", "powers", 3),
    ("What is $0.5 + 0.25$?", "0.75", None, 1),
]


def gsm8k_table(rows, string_type=pa.string()):
    return pa.table({"question": pa.array([r[0] for r in rows], string_type),
                     "answer": pa.array([r[1] for r in rows], string_type)})


def math_table(rows):
    return pa.table({"problem": [r[0] for r in rows], "level": [r[1] for r in rows],
                     "type": [r[2] for r in rows], "solution": [r[3] for r in rows]})


def generic_table(rows):
    return pa.table({
        "problem": pa.array([r[0] for r in rows], pa.large_string()),
        "answer": pa.array([r[1] for r in rows], pa.large_string()),
        "source": pa.array([r[2] for r in rows], pa.string()).dictionary_encode(),
        "difficulty": pa.array([r[3] for r in rows], pa.int64()),
    })


def write(out, rel, table, **kw):
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pq.write_table(table, path, **kw)
    return path


def main(out):
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    written = {}

    # GSM8K as openai/gsm8k ships it: written by `datasets` (SNAPPY, its own schema metadata)
    from datasets import Dataset
    for split, rows in (("train", GSM8K_TRAIN), ("test", GSM8K_TEST)):
        rel = "gsm8k/main/%s-00000-of-00001.parquet" % split
        os.makedirs(os.path.join(out, "gsm8k/main"), exist_ok=True)
        Dataset.from_dict({"question": [r[0] for r in rows], "answer": [r[1] for r in rows]}) \
            .to_parquet(os.path.join(out, rel))
        written[rel] = gsm8k_table(rows)

    # hendrycks_math: one folder per subject; ZSTD with dictionaries, GZIP plain, an uncompressed test split
    written["hendrycks_math/algebra/train-00000-of-00001.parquet"] = math_table(ALGEBRA_TRAIN)
    write(out, "hendrycks_math/algebra/train-00000-of-00001.parquet", math_table(ALGEBRA_TRAIN),
          compression="zstd", use_dictionary=True, row_group_size=2)
    written["hendrycks_math/geometry/train-00000-of-00001.parquet"] = math_table(GEOMETRY_TRAIN)
    write(out, "hendrycks_math/geometry/train-00000-of-00001.parquet", math_table(GEOMETRY_TRAIN),
          compression="gzip", use_dictionary=False, data_page_version="2.0")
    written["hendrycks_math/algebra/test-00000-of-00001.parquet"] = math_table(ALGEBRA_TEST)
    write(out, "hendrycks_math/algebra/test-00000-of-00001.parquet", math_table(ALGEBRA_TEST),
          compression="none")

    # a generic problem/answer dataset in two shards: large_string, dictionary<string> with nulls,
    # a nullable int64 attribute, row groups of two rows
    first, second = generic_table(GENERIC[:3]), generic_table(GENERIC[3:])
    written["generic/data/train-00000-of-00002.parquet"] = first
    write(out, "generic/data/train-00000-of-00002.parquet", first, compression="none",
          use_dictionary=False, row_group_size=2)
    written["generic/data/train-00001-of-00002.parquet"] = second
    write(out, "generic/data/train-00001-of-00002.parquet", second, compression="snappy",
          row_group_size=1, data_page_version="2.0")

    # broken files
    write(out, "broken/missing_answer.parquet", pa.table({"question": ["What is 1 + 1?"]}))
    write(out, "broken/null_question.parquet", gsm8k_table(
        [GSM8K_TRAIN[0], GSM8K_TRAIN[1], (None, "#### 3")]), row_group_size=2)
    write(out, "broken/int_question.parquet",
          pa.table({"question": pa.array([1, 2], pa.int64()), "answer": ["#### 1", "#### 2"]}))
    write(out, "broken/lz4.parquet", gsm8k_table(GSM8K_TRAIN[:1]), compression="lz4")
    write(out, "broken/brotli.parquet", gsm8k_table(GSM8K_TRAIN[:1]), compression="brotli")
    whole = write(out, "broken/whole.parquet", gsm8k_table(GSM8K_TRAIN), compression="snappy")
    with open(whole, "rb") as f:
        data = f.read()
    os.remove(whole)
    with open(os.path.join(out, "broken/truncated.parquet"), "wb") as f:
        f.write(data[: len(data) // 2])

    manifest = {rel: table.to_pylist() for rel, table in sorted(written.items())}
    for rows in manifest.values():
        for row in rows:
            for k, v in list(row.items()):
                if isinstance(v, pa.Scalar):  # pragma: no cover
                    row[k] = v.as_py()
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
