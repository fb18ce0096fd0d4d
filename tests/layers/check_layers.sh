#!/usr/bin/env bash
# Checks that Weft's layers point one way: engine/ -> dsl/ -> stdlib/ -> api/,
# each file including project headers only from its own layer or below.
# Prints each wrong-way include as `file:line: includes "x" (layer above)`
# and exits 1; exits 0 when there is none.
#   usage: check_layers.sh [ROOT]   (ROOT: the source tree, default this repo)
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/../.." && pwd)}"
layers=(engine dsl stdlib api)

rank() {
  local i
  for i in "${!layers[@]}"; do
    [[ "${layers[$i]}" == "$1" ]] && { echo "$i"; return; }
  done
  echo -1
}

found=0
for layer in "${layers[@]}"; do
  [[ -d "$root/$layer" ]] || continue
  own=$(rank "$layer")
  while IFS=: read -r file line text; do
    target=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"/]+)\/.*/\1/' <<<"$text")
    included=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/' <<<"$text")
    other=$(rank "$target")
    if (( other > own )); then
      echo "${file#"$root"/}:$line: includes \"$included\" ($target/ is above $layer/)"
      found=1
    fi
  done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"/]+/' "$root/$layer" \
             --include='*.hpp' --include='*.cpp' --include='*.h' || true)
done
exit "$found"
