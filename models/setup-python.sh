#!/usr/bin/env bash
# Creates models/.pyenv with the Python reference (open_clip 3.3.0, torch 2.13.0 CPU). Only the
# scripts in models/ and the benchmark peers use it; clip4j itself needs no Python.
#   models/setup-python.sh [MORE_REQUIREMENTS.txt...]   (benchmarks/bench adds the peers' ones)
# pip's configured mirror (pip config list) is used as the main index when one is set, so pip
# does not first wait on an unreachable default index.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
venv=$here/.pyenv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
args=()
extra=$(pip config get global.extra-index-url 2>/dev/null || true)
if [ -n "$extra" ] && [ -z "${PIP_INDEX_URL:-}" ]; then
  first=${extra%% *}
  args+=(--index-url "$first")
  for url in ${extra#"$first"}; do args+=(--extra-index-url "$url"); done
fi
requirements=(-r "$here/requirements.txt")
for extra_file in "$@"; do requirements+=(-r "$extra_file"); done
"$venv/bin/pip" install -q "${args[@]}" "${requirements[@]}"
echo "Python reference ready: $venv/bin/python" >&2
