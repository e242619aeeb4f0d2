#!/usr/bin/env bash
# GPU check of sparq-onnx (issue 15): one command that, on a machine with an NVIDIA GPU and no
# network, reports in about five minutes
#   - whether ONNX Runtime's CUDA provider loads, and if not why (no GPU, driver too old, only
#     CUDA 13 libraries present, a named CUDA 12 / cuDNN 9 library missing) and what would fix it;
#   - greedy parity GPU vs CPU (one prompt and a left-padded batch of eight);
#   - decode tokens/s at batch 1, 64 and 1,024 for each generation path on each device;
#   - the bytes copied between host and device per decode step, summed from the shapes of the
#     tensors of a real step and by formula.
# On a machine without a GPU it says so and runs the CPU half. See src-docs/models.md.
#
# Usage: sparq-bench/gpu-check.sh [--small] [--tokens N] [--prompt N] [--batches 1,64,1024]
#                                 [--budget-s S] [--threads N] [--dir DIR]
#   --small   the two-layer test model instead of the ~86M bench model (fast on a CPU)
# Environment:
#   ORT_GPU_JAR      the onnxruntime_gpu jar (default: newest in the local Maven repository)
#   SPARQ_CUDA_LIBS  extra folders (colon-separated) holding CUDA 12 / cuDNN 9 libraries
#   JAVA             the java command (default: java); JAVA_OPTS its options (default -Xmx4g)
# Needs a JDK 17+; builds sparq-bench/target/benchmarks.jar (offline Maven) only if it is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
java_cmd="${JAVA:-java}"
jar="$here/target/benchmarks.jar"

if ! command -v "$java_cmd" >/dev/null 2>&1; then
  echo "gpu-check: no java on the PATH (set JAVA=/path/to/java, JDK 17 or newer)" >&2
  exit 2
fi
if [ ! -f "$jar" ]; then
  echo "gpu-check: building $jar (mvn -o package, tests skipped)"
  (cd "$repo" && mvn -B -o -q -pl sparq-bench -am package -DskipTests)
fi

gpu_jar="${ORT_GPU_JAR:-}"
if [ -z "$gpu_jar" ]; then
  m2="${MAVEN_REPO:-$HOME/.m2/repository}"
  gpu_jar="$(ls "$m2"/com/microsoft/onnxruntime/onnxruntime_gpu/*/onnxruntime_gpu-*.jar 2>/dev/null \
    | sort -V | tail -n 1 || true)"
fi
if [ -z "$gpu_jar" ] || [ ! -f "$gpu_jar" ]; then
  echo "gpu-check: onnxruntime_gpu jar not found (set ORT_GPU_JAR); the CPU build will run alone"
  cp="$jar"
else
  echo "gpu-check: ONNX Runtime GPU jar $gpu_jar"
  # First on the class path: its native libraries (with the CUDA provider) win over the CPU
  # build shaded into benchmarks.jar (same version, same classes).
  cp="$gpu_jar:$jar"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# What the machine shows: the driver banner and the CUDA libraries that can be found.
: >"$work/nvidia-smi"
if command -v nvidia-smi >/dev/null 2>&1; then
  timeout 30 nvidia-smi >"$work/nvidia-smi" 2>&1 || true
fi
extra="${SPARQ_CUDA_LIBS:-}"
# CUDA libraries installed as pip wheels (nvidia-*-cu12 / -cu13) live in site-packages/nvidia/*/lib.
if command -v python3 >/dev/null 2>&1; then
  wheel_dirs="$(timeout 30 python3 -c 'import glob, nvidia, os
for p in nvidia.__path__:
    for d in sorted(glob.glob(os.path.join(p, "*", "lib"))):
        print(d)' 2>/dev/null | paste -sd: - || true)"
  if [ -n "$wheel_dirs" ]; then
    extra="${extra:+$extra:}$wheel_dirs"
  fi
fi
{
  ldconfig -p 2>/dev/null || true
  IFS=: read -r -a dirs <<<"${extra:+$extra:}${LD_LIBRARY_PATH:-}"
  for d in "${dirs[@]}" /usr/local/cuda/lib64 /usr/local/nvidia/lib64; do
    [ -n "$d" ] && [ -d "$d" ] && ls "$d" 2>/dev/null
  done
} >"$work/libraries" || true
if [ -n "$extra" ]; then
  export LD_LIBRARY_PATH="$extra${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

cd "$repo"
# A hard stop at 300 s. SIGKILL, not SIGTERM: a JVM that exits normally while ONNX Runtime is
# inside session.run tears the native library down under the running call and crashes with
# SIGSEGV; the rows measured so far are already printed as progress lines.
rc=0
# shellcheck disable=SC2086
timeout -s KILL 300 "$java_cmd" -Xss16m ${JAVA_OPTS:--Xmx4g} -cp "$cp" dev.sparq.bench.onnx.GpuCheck \
  --nvidia-smi "$work/nvidia-smi" --libraries "$work/libraries" "$@" || rc=$?
if [ "$rc" -eq 137 ]; then
  echo "gpu-check: stopped after 300 s (the decode budget, --budget-s, was overrun); the" \
    "[.. s] lines above are what was measured" >&2
fi
exit "$rc"
