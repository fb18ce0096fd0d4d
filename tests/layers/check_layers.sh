#!/usr/bin/env bash
# Checks that Weft's layers point one way: engine/ -> dsl/ -> stdlib/ -> api/,
# each file including project headers only from its own layer or below.
# Prints each wrong-way include as `file:line: includes "x" (layer above)`
# and exits 1; exits 0 when there is none.
#   usage: check_layers.sh [ROOT [PENDING]]
# ROOT: the source tree (default: this repo). PENDING: a list of wrong-way
# includes still being moved (`file includes "x"`, one per line; default:
# tests/layers/pending.txt under ROOT): those are tolerated, and one that no
# longer occurs fails too, so the list only shrinks.
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/../.." && pwd)}"
pending_file="${2:-$root/tests/layers/pending.txt}"
layers=(engine dsl stdlib api)
declare -A pending=() seen=()
if [[ -f "$pending_file" ]]; then
  while IFS= read -r entry; do
    [[ -z "$entry" || "$entry" == \#* ]] || pending["$entry"]=1
  done <"$pending_file"
fi

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
      key="${file#"$root"/} includes \"$included\""
      if [[ -n "${pending[$key]:-}" ]]; then
        seen["$key"]=1
        continue
      fi
      echo "${file#"$root"/}:$line: includes \"$included\" ($target/ is above $layer/)"
      found=1
    fi
  done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"/]+/' "$root/$layer" \
             --include='*.hpp' --include='*.cpp' --include='*.h' || true)
done
for key in "${!pending[@]}"; do
  if [[ -z "${seen[$key]:-}" ]]; then
    echo "$pending_file: '$key' no longer occurs: remove it from the list"
    found=1
  fi
done
exit "$found"
