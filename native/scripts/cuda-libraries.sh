#!/usr/bin/env bash
# Makes sure the CUDA libraries libtorch's CUDA build links against, and no Maven Central jar ships
# for JavaCPP 1.5.14 (cuda-redist leaves them out), can be found: cuBLAS, cuDNN, cuSOLVER,
# cuSPARSE and NCCL. Where the system has them all (ldconfig, LD_LIBRARY_PATH, /usr/local/cuda)
# it prints nothing; otherwise it unpacks NVIDIA's pip wheels of them (the ones PyTorch's CUDA 13
# wheels install, about 1.3 GB) into DEST once and prints their folders, colon-separated, for
# LD_LIBRARY_PATH. The driver (libcuda.so.1) is not among them: it comes with the GPU.
#   native/scripts/cuda-libraries.sh DEST
set -euo pipefail
dest=${1:?usage: cuda-libraries.sh DEST}
sonames=(libcublas.so.13 libcublasLt.so.13 libcudnn.so.9 libcusolver.so.12 libcusparse.so.12
  libnccl.so.2)
wheels=(nvidia-cublas==13.1.1.3 nvidia-cudnn-cu13==9.24.0.43 nvidia-cusolver==12.0.4.66
  nvidia-cusparse==12.6.3.3 nvidia-nccl-cu13==2.30.7)
folders=("$dest/nvidia/cu13/lib" "$dest/nvidia/cudnn/lib" "$dest/nvidia/nccl/lib")

findable() {
  ldconfig -p 2>/dev/null | grep -q -F "$1 (" && return 0
  local dir
  IFS=: read -r -a dirs <<< "${LD_LIBRARY_PATH:-}:/usr/local/cuda/lib64"
  for dir in "${dirs[@]}"; do
    [ -n "$dir" ] && [ -e "$dir/$1" ] && return 0
  done
  return 1
}

missing=()
for soname in "${sonames[@]}"; do findable "$soname" || missing+=("$soname"); done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ ! -f "$dest/.complete" ]; then
  echo "clip4j: ${missing[*]} not found; fetching NVIDIA's wheels of them into $dest (once)" >&2
  rm -rf "$dest"
  mkdir -p "$dest/wheels"
  . "$(dirname "$0")/pip-indexes.sh"
  python3 -m pip download "${pip_index_args[@]}" --no-deps --only-binary=:all: \
    -d "$dest/wheels" "${wheels[@]}" >&2
  # Only the libraries, in the wheels' layout. (libnvJitLink, which cuSOLVER and cuSPARSE need,
  # is in the cuda-redist jar and loaded before them.)
  for wheel in "$dest"/wheels/*.whl; do unzip -q -o "$wheel" 'nvidia/*/lib/*' -d "$dest"; done
  rm -rf "$dest/wheels"
  touch "$dest/.complete"
fi
(IFS=:; echo "${folders[*]}")
