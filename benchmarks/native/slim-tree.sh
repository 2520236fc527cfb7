#!/usr/bin/env bash
# The device tool sends the working tree (tracked and untracked-not-ignored files) and takes at
# most 64 MiB; the tracked files are ~73 MB, mostly test fixtures and the bundled demo model, which
# a GPU run does not need. `slim-tree.sh` takes them out of the index and ignores them (the files
# stay on disk); `slim-tree.sh undo` puts them back. Run undo before committing.
set -euo pipefail
cd "$(dirname "$0")/../.."
paths=(models/fixtures java/src/main/resources/io/clip4j/demo java/src/test/resources)
exclude=.git/info/exclude
marker="# slim-tree.sh"
if [ "${1:-}" = undo ]; then
  git reset -q -- "${paths[@]}"
  [ -f "$exclude" ] && sed -i "/^$marker\$/,/^$marker end\$/d" "$exclude"
else
  grep -qx "$marker" "$exclude" 2>/dev/null && { echo "already slim; 'undo' first" >&2; exit 1; }
  git rm -r -q --cached "${paths[@]}"
  { echo "$marker"; printf '/%s/\n' "${paths[@]}"; echo "$marker end"; } >> "$exclude"
fi
git ls-files -z | du -ch --apparent-size --files0-from=- | tail -n 1
