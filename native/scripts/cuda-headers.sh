#!/usr/bin/env bash
# Unpacks the CUDA runtime headers (cuda_runtime_api.h and what it includes) from NVIDIA's pip
# wheels into $1/include, for the gpu build: libtorch's CUDA headers need them, and the JavaCPP
# jars ship CUDA's libraries but not its headers. Headers of CUDA 13.0 serve the 13.x runtime the
# jars ship. Skipped when CUDA_INCLUDE_DIR names a toolkit's include folder already.
set -euo pipefail
dest=${1:?usage: cuda-headers.sh DEST}
if [ -f "$dest/include/cuda_runtime_api.h" ]; then exit 0; fi
mkdir -p "$dest/wheels" "$dest/include"
. "$(dirname "$0")/pip-indexes.sh"
# nvidia-cuda-runtime has cuda_runtime_api.h; crt/ and the vector types live in cuda-crt and cccl.
python3 -m pip download "${pip_index_args[@]}" --no-deps --only-binary=:all: -d "$dest/wheels" \
  nvidia-cuda-runtime==13.0.96 nvidia-cuda-crt==13.0.88 nvidia-cuda-cccl==13.0.85 >&2
for wheel in "$dest"/wheels/*.whl; do
  unzip -q -o "$wheel" 'nvidia/cu13/include/*' -d "$dest/unpacked"
done
cp -r "$dest"/unpacked/nvidia/cu13/include/. "$dest/include/"
echo "CUDA headers in $dest/include" >&2
