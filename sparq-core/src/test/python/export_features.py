#!/usr/bin/env python3
"""Loads SPARQ export files with Hugging Face `datasets` and prints their features.

Usage: export_features.py FILE...   (each FILE is a .jsonl or .parquet data file, or an export
folder, loaded as `load_dataset(folder)` through its README.md dataset card)

Prints one JSON object: file name -> {"rows": n, "features": F, "first": row 0 as loaded}, where
F maps each column to "string"/"int64"/"float64"/..., [F] for a list and {column: F} for a struct. SPARQ's
ExportDatasetsTest compares the output with its golden file; it is also a quick check by hand:
    pip install datasets pyarrow
    python3 export_features.py out/sparq.parquet
"""
import json
import os
import sys

from datasets import Features, List, Sequence, Value, load_dataset

try:  # older datasets releases have LargeList too
    from datasets import LargeList
except ImportError:  # pragma: no cover
    LargeList = ()


def simple(feature):
    if isinstance(feature, (dict, Features)):
        return {k: simple(v) for k, v in feature.items()}
    if isinstance(feature, Value):
        return feature.dtype
    if isinstance(feature, (List, Sequence)) or (LargeList and isinstance(feature, LargeList)):
        return [simple(feature.feature)]
    if isinstance(feature, list):
        return [simple(feature[0])]
    raise TypeError("unexpected feature %r" % (feature,))


def main(files):
    out = {}
    for f in files:
        if os.path.isdir(f):
            # a whole export folder, as a user or the Hub loads it: its README.md (the dataset
            # card) names the data file, so stats.json and dataset_info.json are not read as data
            ds = load_dataset(f, split="train")
            out[os.path.basename(f.rstrip("/")) + "/"] = {
                "rows": ds.num_rows, "features": simple(ds.features)}
            continue
        builder = "parquet" if f.endswith(".parquet") else "json"
        ds = load_dataset(builder, data_files=f, split="train")
        out[os.path.basename(os.path.dirname(f)) + "/" + os.path.basename(f)] = {
            "rows": ds.num_rows, "features": simple(ds.features), "first": ds[0]}
    json.dump(out, sys.stdout, sort_keys=True)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
