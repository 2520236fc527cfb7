#!/usr/bin/env bash
# On a GPU machine with PyTorch (CUDA) and nvcc/CMake, no Maven: builds the native runner with
# CLIP4J_CUDA=ON against that PyTorch's libtorch, makes random weights with open_clip (ViT-B-32, or
# RN50 with CLIP4J_BENCH_ARCH=RN50),
# times clip4j (CUDA graphs on and off) and PyTorch eager on the same weights in one run, and
# checks that their embeddings agree. Needs .gpu-carry from pack-gpu-carry.sh.
#   benchmarks/native/run-gpu.sh OUT_DIR [fp16|bf16|fp32 ...]
# Writes four files to OUT_DIR (the device tool brings back at most eight): environment.txt,
# log.txt (build and errors), results.jsonl and results.md. A precision that fails is logged and
# the others still run (a device lease is too short to lose to one failure); the exit status
# says whether any step failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: run-gpu.sh OUT_DIR [precision ...]}
shift
precisions=${*:-fp16 bf16}
batches=${CLIP4J_BENCH_BATCHES:-1,8,64,256}
seconds=${CLIP4J_BENCH_SECONDS:-3}
arch=${CLIP4J_BENCH_ARCH:-ViT-B-32}
# Seconds one step may take before it is stopped (a hung capture must not eat the lease).
step_limit=${CLIP4J_BENCH_STEP_LIMIT:-240}
mkdir -p "$out"
log=$out/log.txt
failed=0
step() {  # step NAME COMMAND...: runs it with a time limit, its stdout to results.jsonl
  echo "== $1 ($(date +%T))" >> "$log"
  local name=$1
  shift
  if ! timeout "$step_limit" "$@" 2>> "$log" | tee -a "$out/results.jsonl"; then
    echo "!! $name failed (see log.txt)" | tee -a "$log"
    failed=1
  fi
}

work=/tmp/clip4j-gpu
mkdir -p "$work/deps"
tar -xJf .gpu-carry/deps.tar.xz -C "$work/deps"
python3 -m pip install -q --no-index --no-deps --no-compile --target "$work/site" .gpu-carry/wheels/*.whl \
  >> "$log" 2>&1
export PYTHONPATH=$work/site PYTHONUNBUFFERED=1

[ -x /usr/local/cuda/bin/nvcc ] && export PATH=$PATH:/usr/local/cuda/bin  # for CMake's CUDAToolkit
torch_dir=$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))')
{
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $(nproc) cores"
  echo "arch $arch, batches $batches, $seconds s a case"
} > "$out/environment.txt"
# CLIP4J_WERROR=OFF: this machine's compiler and PyTorch headers are not the ones CI builds with.
echo "== build ($(date +%T))" >> "$log"
if ! { cmake -S . -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DTORCH_INCLUDE_DIR="$torch_dir/include" -DTORCH_LIB_DIR="$torch_dir/lib" \
  -DNATIVE_DEPS="$work/deps" -DOPENCV_DIR="$work/deps/opencv" -DCLIP4J_WERROR=OFF \
  -DCLIP4J_CUDA=ON -DCLIP4J_NATIVE_BENCH=ON -DCLIP4J_OUTPUT_DIR="$work/out" &&
  cmake --build "$work/build"; } >> "$log" 2>&1; then
  echo "!! build failed" | tee -a "$log"
  grep -m 20 -B2 -A6 'error' "$log"
  exit 1
fi
# RUNPATH is not transitive: libtorch, OpenCV, OpenBLAS, and the CUDA runtime that
# libclip4j_cuda names itself (libtorch finds its own through its RPATH; the pip wheels' copy
# first, so the process holds one).
cuda_runtime_dirs=$(python3 -c 'import glob, os, torch
site = os.path.dirname(os.path.dirname(torch.__file__))
found = glob.glob(site + "/nvidia/**/libcudart.so*", recursive=True)
print(":".join(sorted({os.path.dirname(p) for p in found})))')
export LD_LIBRARY_PATH=$torch_dir/lib:$cuda_runtime_dirs:/usr/local/cuda/lib64:$work/deps/opencv:$work/deps/openblas:${LD_LIBRARY_PATH:-}
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" >> "$log"

model=$work/model-$arch
if ! python3 benchmarks/native/pytorch_eager.py make --dir "$model" --arch "$arch" \
  --check-images 8 >> "$log" 2>&1; then
  echo "!! making the weights failed" | tee -a "$log"
  tail -n 20 "$log"
  exit 1
fi
# clip4j's bench on these weights, on the GPU; and the precision the extra steps below use.
bench=("$work/out/clip4j_native_bench" --weights "$model/open_clip_model.safetensors"
  --arch "$arch" --device cuda)
first_precision=${precisions%% *}
for precision in $precisions; do
  # Input in ordinary memory and in memory pinned for clip4j (PyTorch's protocol), case by case.
  step "clip4j $precision" "${bench[@]}" --precision "$precision" --batches "$batches" --graphs both \
    --input both --seconds "$seconds" --check-input "$model/check-pixels.f32" \
    --check-output "$model/clip4j-$precision"
  step "eager $precision" python3 benchmarks/native/pytorch_eager.py time --dir "$model" --arch "$arch" \
    --precision "$precision" --batches "$batches" --seconds "$seconds"
  step "parity $precision" python3 benchmarks/native/pytorch_eager.py compare --dir "$model" \
    --arch "$arch" --precision "$precision" --clip4j "$model/clip4j-$precision"
done
if [ -n "${CLIP4J_BENCH_CALLERS:-}" ]; then
  # Several callers at the largest batch in the first precision: one caller's copy in, forward
  # and copy out run one after another; callers overlap them (staging is double-buffered).
  for callers in $CLIP4J_BENCH_CALLERS; do
    step "$callers callers $first_precision" "${bench[@]}" --precision "$first_precision" \
      --batches "${batches##*,}" --graphs on --input both --seconds "$seconds" --callers "$callers"
  done
fi
if [ -n "${CLIP4J_BENCH_PROMPT_TOKENS:-}" ]; then
  # The text tower in the first precision given (no graphs, no eager peer), and its parity on
  # prompts of 3 to 77 tokens.
  step "text $first_precision" "${bench[@]}" --precision "$first_precision" --batches "$batches" \
    --graphs off --seconds "$seconds" --prompt-tokens "$CLIP4J_BENCH_PROMPT_TOKENS" \
    --check-input "$model/check-tokens.i64" --check-output "$model/clip4j-text-$first_precision"
  step "text parity $first_precision" python3 benchmarks/native/pytorch_eager.py compare \
    --dir "$model" --arch "$arch" --precision "$first_precision" \
    --clip4j "$model/clip4j-text-$first_precision" --tower text
fi
if [ -n "${CLIP4J_BENCH_NCU:-}" ]; then
  # Which kernels make up one batch-1 forward, and how long each runs (Nsight Compute, clocks and
  # caches left as they are): eager, so that each graph node is a launch ncu can see; summed per
  # kernel name over 2 warm-up and at least 10 timed calls. A fifth file: with RN50's four in a
  # second folder that is one more than the device tool brings back.
  ncu=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2> /dev/null | tail -n 1)
  echo "== ncu $first_precision ($(date +%T)) $ncu" >> "$log"
  if [ -z "$ncu" ] || ! timeout "$step_limit" "$ncu" --clock-control none --cache-control none \
    --metrics gpu__time_duration.sum --print-summary per-kernel --csv \
    "${bench[@]}" --precision "$first_precision" --batches 1 --graphs off --seconds 0 --warmup 2 \
    > "$out/kernels.csv" 2>> "$log"; then
    echo "!! ncu failed (see log.txt)" | tee -a "$log"
    failed=1
  fi
fi
python3 benchmarks/native/pytorch_eager.py table --results "$out/results.jsonl" | tee "$out/results.md"
[ "$failed" = 0 ] || echo "!! some steps failed: $out/log.txt"
exit "$failed"
