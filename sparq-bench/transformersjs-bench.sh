#!/usr/bin/env bash
# CPU decode comparison of sparq-onnx's Java loop against transformers.js (issue 15), on the SAME
# ONNX files (the Optimum layout written by OnnxGenerationBench under
# sparq-bench/target/onnx-bench/<model>) and the SAME prompts (token ids), greedy:
#   - tokens/s of each side at each batch size (median of --reps runs of one generate call of
#     batch x --tokens new tokens, prefill included) and their ratio;
#   - whether the generated token ids are identical (batch 1, and a left-padded batch).
# Both sides run ONNX Runtime on the CPU with the same intra-op thread count, all graph
# optimisations and spinning off (sparq-onnx's defaults).
#
# Usage: sparq-bench/transformersjs-bench.sh [--model bench|tiny] [--batches 1,8] [--tokens 32]
#                                            [--prompt 32] [--threads 2] [--reps 3]
#                                            [--in-graph true|false]
# The Java side also runs the in-graph path (OnnxOptions generation IN_GRAPH) unless --in-graph
# false, and reports its Java loop's time inside session.run: the tokens/s no loop on the same
# runtime could exceed, as a bound against transformers.js.
# First run installs transformers.js 3 offline-capable from the npm registry into
# sparq-bench/transformersjs/node_modules (gitignored; versions pinned by package-lock.json):
#   (cd sparq-bench/transformersjs && ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm ci)
# Needs node 18+, a JDK 17+; builds sparq-bench/target/benchmarks.jar (offline Maven) if missing.
# Measure on a quiet machine (load average well under the core count): see src-docs/benchmarks.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
jar="$here/target/benchmarks.jar"
java_cmd="${JAVA:-java}"

model=bench batches=1,8 tokens=32 prompt=32 threads=2 reps=3 in_graph=true
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model="$2" ;;
    --batches) batches="$2" ;;
    --tokens) tokens="$2" ;;
    --prompt) prompt="$2" ;;
    --threads) threads="$2" ;;
    --reps) reps="$2" ;;
    --in-graph) in_graph="$2" ;;
    *) echo "transformersjs-bench: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done

if [ ! -f "$jar" ]; then
  echo "transformersjs-bench: building $jar (mvn -o package, tests skipped)"
  (cd "$repo" && mvn -B -o -q -pl sparq-bench -am package -DskipTests)
fi
if [ ! -d "$here/transformersjs/node_modules/@huggingface/transformers" ]; then
  echo "transformersjs-bench: installing transformers.js (npm ci, CUDA binaries skipped)"
  (cd "$here/transformersjs" && ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm ci --no-audit --no-fund)
fi

work="$here/target/transformersjs-run"
mkdir -p "$work"
cd "$repo"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), cpus: $(nproc)"
"$java_cmd" ${JAVA_OPTS:--Xmx4g} -cp "$jar" dev.sparq.bench.onnx.TransformersJsCompare --phase java \
  --work "$work" --model "$model" --batches "$batches" --tokens "$tokens" --prompt "$prompt" \
  --threads "$threads" --reps "$reps" --in-graph "$in_graph"
node "$here/transformersjs/decode-bench.mjs" "$here/target/onnx-bench/$model" "$work/prompts.json" \
  "$work/tjs.json" "$threads" "$reps"
echo "model $model, prompt $prompt tokens, $tokens new tokens per row, greedy, $threads threads"
"$java_cmd" -cp "$jar" dev.sparq.bench.onnx.TransformersJsCompare --phase report --work "$work"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
