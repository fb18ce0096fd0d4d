#!/usr/bin/env bash
# Shows that check_layers.sh can fail: in a scratch tree, a downward include
# passes and an upward one (engine/ including dsl/) is reported by file,
# line and include.
set -euo pipefail
check="$(dirname "$0")/check_layers.sh"
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/engine" "$tree/dsl" "$tree/api"
printf '#include "engine/run.hpp"\n' >"$tree/dsl/ctx.cpp"
printf '#include "dsl/ctx.hpp"\n#include "engine/run.hpp"\n' >"$tree/api/main.cpp"
printf '#pragma once\n#include <string>\n#include "engine/clock.hpp"\n' >"$tree/engine/run.hpp"

bash "$check" "$tree" || { echo "FAIL: a tree with only downward includes was refused"; exit 1; }

printf '#include "engine/clock.hpp"\n  #include "dsl/lua_state.hpp"\n' >"$tree/engine/worker.cpp"
if output=$(bash "$check" "$tree"); then
  echo "FAIL: engine/worker.cpp including dsl/lua_state.hpp passed"
  exit 1
fi
expected='engine/worker.cpp:2: includes "dsl/lua_state.hpp" (dsl/ is above engine/)'
[[ "$output" == "$expected" ]] || { echo "FAIL: expected '$expected', got '$output'"; exit 1; }

echo "ok: upward include reported as: $output"
