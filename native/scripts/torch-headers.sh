#!/usr/bin/env bash
# Unpacks the libtorch 2.13.0 headers (torch/include) from the torch 2.13.0 wheel into $1.
# The wheel is looked for in $TORCH_WHEEL, then in pip's find-links folders, then downloaded with
# `pip download` (any platform's CPU wheel of 2.13.0 has the same headers).
set -euo pipefail
dest=${1:?usage: torch-headers.sh DEST}
version=2.13.0
if [ -f "$dest/torch/include/ATen/ATen.h" ]; then exit 0; fi

wheel=${TORCH_WHEEL:-}
if [ -z "$wheel" ] && command -v pip >/dev/null 2>&1; then
  for dir in $(pip config list 2>/dev/null | sed -n "s/.*find-links='\(.*\)'/\1/p"); do
    for candidate in "$dir"/torch-"$version"*.whl; do
      [ -f "$candidate" ] && wheel=$candidate && break 2
    done
  done
fi
if [ -z "$wheel" ]; then
  mkdir -p "$dest/wheel"
  python3 -m pip download --no-deps --only-binary=:all: -d "$dest/wheel" "torch==$version" >&2
  wheel=$(ls "$dest"/wheel/torch-"$version"*.whl | head -n 1)
fi
echo "torch headers from $wheel" >&2
mkdir -p "$dest"
unzip -q -o "$wheel" 'torch/include/*' -d "$dest"
