"""Experiment (issue 15): would a standard ONNX ``Loop`` around the decoder beat the
``com.microsoft.GreedySearch`` wrapper that sparq-onnx's in-graph path builds?

GreedySearch's GPT contract stacks key and value into one ``past_i`` per layer, which costs one
copy of the KV cache per step (the attention reads key and value back out with a ``Gather``).
A ``Loop`` can carry ``past_key_values.{i}.key/value`` separately, so no copy is needed. This
script builds such a Loop wrapper (greedy, prefill as the first iteration, one scan output of
token ids) from the bench model that ``OnnxGenerationBench`` writes, checks that all three ways
give the same tokens, and times:

* ``host``: one ``session.run`` per token from Python, KV cache handed back as OrtValues (what the
  Java loop does);
* ``loop``: the Loop wrapper, one ``session.run`` per batch;
* ``greedysearch``: sparq-onnx's cached GreedySearch wrapper (``model.sparq-gen-*.onnx``, written
  the first time the in-graph path ran on this model, for example by ``GenerationPathBench``).

Run from the repository root after ``GenerationPathBench --models bench`` (needs ``pip install
onnx onnxruntime numpy``)::

    python3 sparq-bench/experiments/onnx-loop/loop_vs_greedysearch.py --batches 1,8,32,64

Results and the decision are in src-docs/models.md and src-docs/benchmarks.md.
"""
import argparse
import glob
import os
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto as T
from onnx import helper as h


def build_loop_wrapper(src, dst):
    m = onnx.load(src, load_external_data=False)
    g = m.graph
    layers = sum(1 for i in g.input if i.name.startswith("past_key_values.") and i.name.endswith(".key"))
    kv = next(i for i in g.input if i.name == "past_key_values.0.key").type.tensor_type
    heads, head_dim = kv.shape.dim[1].dim_value, kv.shape.dim[3].dim_value
    kv_type = kv.elem_type
    prefix = "loopx_"
    rename = {v.name: prefix + v.name for v in list(g.input) + list(g.output)}
    body_nodes = []
    for n in g.node:
        c = onnx.NodeProto()
        c.CopyFrom(n)
        for k, x in enumerate(c.input):
            c.input[k] = rename.get(x, x)
        for k, x in enumerate(c.output):
            c.output[k] = rename.get(x, x)
        body_nodes.append(c)

    def const(name, dtype, dims, vals):
        return h.make_node("Constant", [], [prefix + name], value=h.make_tensor(prefix + name, dtype, dims, vals))

    p = lambda s: prefix + s  # noqa: E731
    body_nodes += [
        const("m1", T.INT64, [1], [-1]),
        const("big", T.INT64, [1], [1 << 62]),
        const("ax1", T.INT64, [1], [1]),
        const("one", T.INT64, [], [1]),
        # greedy token of the last position; no EOS (the bench model has none), so no finished rows
        h.make_node("Slice", [p("logits"), p("m1"), p("big"), p("ax1")], [p("last")]),
        h.make_node("ArgMax", [p("last")], [p("am")], axis=2, keepdims=0),
        h.make_node("Squeeze", [p("am"), p("ax1")], [p("tok")]),
        h.make_node("Unsqueeze", [p("tok"), p("ax1")], [p("ids_out")]),
        h.make_node("Shape", [p("tok")], [p("rows")]),
        h.make_node("ConstantOfShape", [p("rows")], [p("ones")], value=h.make_tensor("o", T.INT64, [1], [1])),
        h.make_node("Unsqueeze", [p("ones"), p("ax1")], [p("mcol")]),
        h.make_node("Concat", [p("attention_mask"), p("mcol")], [p("mask_out")], axis=1),
        h.make_node("Slice", [p("position_ids"), p("m1"), p("big"), p("ax1")], [p("plast")]),
        h.make_node("Add", [p("plast"), p("one")], [p("pos_out")]),
        h.make_node("Identity", [p("cond_in")], [p("cond_out")]),
        h.make_node("Identity", [p("tok")], [p("tok_scan")]),
    ]
    vi = h.make_tensor_value_info
    body_in = [vi("iter", T.INT64, []), vi(p("cond_in"), T.BOOL, []), vi(p("input_ids"), T.INT64, None),
               vi(p("attention_mask"), T.INT64, None), vi(p("position_ids"), T.INT64, None)]
    body_out = [vi(p("cond_out"), T.BOOL, []), vi(p("ids_out"), T.INT64, None), vi(p("mask_out"), T.INT64, None),
                vi(p("pos_out"), T.INT64, None)]
    for i in range(layers):
        for k in ("key", "value"):
            body_in.append(vi(p(f"past_key_values.{i}.{k}"), kv_type, None))
            body_out.append(vi(p(f"present.{i}.{k}"), kv_type, None))
    body_out.append(vi(p("tok_scan"), T.INT64, None))
    body = h.make_graph(body_nodes, "decoder_step", body_in, body_out)

    outer_nodes = [
        h.make_node("Shape", ["input_ids"], ["shape"]),
        const("zero1", T.INT64, [1], [0]),
        h.make_node("Gather", ["shape", p("zero1")], ["batch"]),
        const("kvtail", T.INT64, [3], [heads, 0, head_dim]),
        h.make_node("Concat", ["batch", p("kvtail")], ["kv_shape"], axis=0),
        h.make_node("ConstantOfShape", ["kv_shape"], ["empty_kv"], value=h.make_tensor("z", kv_type, [1], [0])),
        const("true", T.BOOL, [], [True]),
    ]
    loop_in = ["max_new", p("true"), "input_ids", "attention_mask", "position_ids"] + ["empty_kv"] * (2 * layers)
    loop_out = ["last_ids", "last_mask", "last_pos"] + [f"last_kv{j}" for j in range(2 * layers)] + ["tokens"]
    outer_nodes.append(h.make_node("Loop", loop_in, loop_out, body=body))
    outer_in = [vi("input_ids", T.INT64, ["B", "S"]), vi("attention_mask", T.INT64, ["B", "S"]),
                vi("position_ids", T.INT64, ["B", "S"]), vi("max_new", T.INT64, [])]
    outer = h.make_graph(outer_nodes, "loop_generation", outer_in, [vi("tokens", T.INT64, None)],
                         initializer=list(g.initializer))
    onnx.save(h.make_model(outer, opset_imports=m.opset_import, ir_version=m.ir_version), dst)
    return layers, heads, head_dim


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="sparq-bench/target/onnx-bench/bench/onnx")
    ap.add_argument("--batches", default="1,8,32,64")
    ap.add_argument("--prompt", type=int, default=32)
    ap.add_argument("--tokens", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    src = os.path.join(a.dir, "model.onnx")
    wrappers = glob.glob(os.path.join(a.dir, "model.sparq-gen-*.onnx"))
    if not wrappers:
        raise SystemExit("no model.sparq-gen-*.onnx in " + a.dir + ": run GenerationPathBench --models bench first")
    loop_path = os.path.join(a.dir, "model.loopx.onnx")
    layers, heads, head_dim = build_loop_wrapper(src, loop_path)
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    loop = ort.InferenceSession(loop_path, so)
    greedy = ort.InferenceSession(wrappers[0], so)
    dec = ort.InferenceSession(src, so)
    outs = [o.name for o in dec.get_outputs()]
    print(f"onnxruntime {ort.__version__}, {a.threads} threads, prompt {a.prompt}, {a.tokens} new tokens, best of {a.rounds}")
    print("batch  host tok/s  loop tok/s  greedysearch tok/s  loop/host  greedysearch/host  same tokens")
    for b in [int(x) for x in a.batches.split(",")]:
        rng = np.random.default_rng(1)
        ids = rng.integers(3, 260, size=(b, a.prompt)).astype(np.int64)
        mask = np.ones((b, a.prompt), np.int64)
        pos = np.tile(np.arange(a.prompt), (b, 1)).astype(np.int64)

        def run_loop():
            return loop.run(None, {"input_ids": ids, "attention_mask": mask, "position_ids": pos,
                                   "max_new": np.array(a.tokens, np.int64)})[0].T

        def run_greedy():
            return greedy.run(None, {"input_ids": ids.astype(np.int32), "attention_mask": mask.astype(np.int32),
                                     "max_length": np.array([a.prompt + a.tokens], np.int32)})[0][:, a.prompt:]

        def run_host():
            ov = ort.OrtValue.ortvalue_from_numpy
            empty = np.zeros((b, heads, 0, head_dim), np.float32)
            feeds = {"input_ids": ov(ids), "attention_mask": ov(mask), "position_ids": ov(pos)}
            for i in range(layers):
                feeds[f"past_key_values.{i}.key"] = ov(empty)
                feeds[f"past_key_values.{i}.value"] = ov(empty)
            toks, m, p = [], mask, pos[:, -1:]
            for _ in range(a.tokens):
                r = dec.run_with_ort_values(outs, feeds)
                nxt = r[0].numpy()[:, -1, :].argmax(-1)
                toks.append(nxt)
                m = np.concatenate([m, np.ones((b, 1), np.int64)], 1)
                p = p + 1
                feeds = {"input_ids": ov(nxt[:, None].astype(np.int64)), "attention_mask": ov(m), "position_ids": ov(p)}
                for i in range(layers):
                    feeds[f"past_key_values.{i}.key"] = r[1 + 2 * i]
                    feeds[f"past_key_values.{i}.value"] = r[2 + 2 * i]
            return np.stack(toks, 1)

        same = np.array_equal(run_loop(), run_host()) and np.array_equal(run_greedy(), run_host())
        best = {}
        for _ in range(a.rounds):
            for name, f in (("host", run_host), ("loop", run_loop), ("greedysearch", run_greedy)):
                t0 = time.perf_counter()
                f()
                best[name] = min(best.get(name, 1e9), time.perf_counter() - t0)
        tps = {k: b * a.tokens / v for k, v in best.items()}
        print(f"{b:<5}  {tps['host']:<10.1f}  {tps['loop']:<10.1f}  {tps['greedysearch']:<18.1f}  "
              f"{tps['loop'] / tps['host']:<9.2f}  {tps['greedysearch'] / tps['host']:<17.2f}  {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
