#!/usr/bin/env bash
# On a GPU machine with PyTorch (CUDA) and nvcc/CMake, no Maven: builds the native runner with
# CLIP4J_CUDA=ON against that PyTorch's libtorch, makes random weights with open_clip (ViT-B-32, or
# RN50 with CLIP4J_BENCH_ARCH=RN50),
# times clip4j (CUDA graphs on and off) and PyTorch eager on the same weights in one run, and
# checks that their embeddings agree. Needs .gpu-carry from pack-gpu-carry.sh.
#   benchmarks/native/run-gpu.sh OUT_DIR [fp16|bf16|fp32 ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: run-gpu.sh OUT_DIR [precision ...]}
shift
precisions=${*:-fp16 bf16}
batches=${CLIP4J_BENCH_BATCHES:-1,8,64,256}
seconds=${CLIP4J_BENCH_SECONDS:-3}
arch=${CLIP4J_BENCH_ARCH:-ViT-B-32}
mkdir -p "$out"
work=/tmp/clip4j-gpu
mkdir -p "$work/deps"
tar -xJf .gpu-carry/deps.tar.xz -C "$work/deps"
python3 -m pip install -q --no-index --no-deps --no-compile --target "$work/site" .gpu-carry/wheels/*.whl
export PYTHONPATH=$work/site PYTHONUNBUFFERED=1

torch_dir=$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))')
cmake -S . -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DTORCH_INCLUDE_DIR="$torch_dir/include" -DTORCH_LIB_DIR="$torch_dir/lib" \
  -DNATIVE_DEPS="$work/deps" -DOPENCV_DIR="$work/deps/opencv" \
  -DCLIP4J_CUDA=ON -DCLIP4J_NATIVE_BENCH=ON -DCLIP4J_OUTPUT_DIR="$work/out" > "$out/cmake.log"
cmake --build "$work/build" 2>&1 | tail -n 3
# RUNPATH is not transitive: libtorch (and the CUDA libraries it finds itself), OpenCV, OpenBLAS.
export LD_LIBRARY_PATH=$torch_dir/lib:$work/deps/opencv:$work/deps/openblas:${LD_LIBRARY_PATH:-}

python3 benchmarks/native/pytorch_eager.py make --dir "$work/model" --arch "$arch" --check-images 8
{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
} > "$out/environment.txt"
for precision in $precisions; do
  "$work/out/clip4j_native_bench" --weights "$work/model/open_clip_model.safetensors" \
    --arch "$arch" --device cuda --precision "$precision" --batches "$batches" --graphs both \
    --seconds "$seconds" --check-input "$work/model/check-pixels.f32" \
    --check-output "$work/model/clip4j-$precision" | tee -a "$out/results.jsonl"
  python3 benchmarks/native/pytorch_eager.py time --dir "$work/model" --arch "$arch" \
    --precision "$precision" --batches "$batches" --seconds "$seconds" | tee -a "$out/results.jsonl"
  python3 benchmarks/native/pytorch_eager.py compare --dir "$work/model" --arch "$arch" \
    --precision "$precision" --clip4j "$work/model/clip4j-$precision" | tee -a "$out/results.jsonl"
done
python3 benchmarks/native/pytorch_eager.py table --results "$out/results.jsonl" | tee "$out/results.md"
