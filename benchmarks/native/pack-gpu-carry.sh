#!/usr/bin/env bash
# Packs what a GPU machine without Maven needs to build and time the native runner into
# .gpu-carry/ (git-ignored, ~15 MB): OpenCV's libraries and headers and OpenBLAS from the JavaCPP
# jars (xz-compressed), and the wheels of open_clip for the PyTorch eager peer. Run after one
# `mvn -B package -DskipTests` here; then send it with the device tool's carry: [".gpu-carry"].
set -euo pipefail
cd "$(dirname "$0")/../.."
deps=target/native-deps/org/bytedeco
blas=$(ls -d target/javacpp-cache/openblas-*/org/bytedeco/openblas/linux-x86_64 | head -n 1)
[ -d "$deps/opencv/linux-x86_64" ] && [ -d "$blas" ] ||
  { echo "run 'mvn -B package -DskipTests' first" >&2; exit 1; }
rm -rf .gpu-carry /tmp/clip4j-gpu-carry
mkdir -p .gpu-carry/wheels /tmp/clip4j-gpu-carry/opencv /tmp/clip4j-gpu-carry/openblas
cp -rL "$deps/opencv/linux-x86_64/include" "$deps"/opencv/linux-x86_64/libopencv_{core,imgproc,imgcodecs}.so.* \
  /tmp/clip4j-gpu-carry/opencv/
cp -L "$blas"/{libopenblas.so.0,libgfortran.so.5,libquadmath.so.0} /tmp/clip4j-gpu-carry/openblas/
tar -cJf .gpu-carry/deps.tar.xz -C /tmp/clip4j-gpu-carry .
# open_clip and the two packages it needs that the GPU machine's image lacks.
. native/scripts/pip-indexes.sh
python3 -m pip download "${pip_index_args[@]}" -q --no-deps --only-binary=:all: -d .gpu-carry/wheels \
  open_clip_torch==3.3.0 ftfy wcwidth
du -sh .gpu-carry
