# Sourced by scripts that run `pip download`: sets the array pip_index_args. Where pip is
# configured with extra (offline) indexes only, they become the indexes: otherwise pip first waits
# minutes on an unreachable default index. Elsewhere the array stays empty (PyPI).
pip_index_args=()
# shellcheck disable=SC2046
set -- $(pip config list 2>/dev/null | sed -n "s/.*extra-index-url='\(.*\)'/\1/p")
if [ $# -gt 0 ]; then
  pip_index_args+=(--index-url "$1")
  shift
  for extra in "$@"; do pip_index_args+=(--extra-index-url "$extra"); done
fi
