#!/usr/bin/env bash
# Installs what is missing, builds, and runs every example workflow on the
# embedded SQLite default (./weft.db), printing each result. The HTTP
# server (`weft serve`) is not built yet; see docs/cli.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
WEFT=build/weft
DB="${WEFT_DB:-./weft.db}"
run() { echo "\$ weft run $*"; "$WEFT" run "$@" --db "$DB" || true; echo; }
run examples/hello.lua --input '{"name":"Ada"}'
run examples/retry.lua
run examples/sleep.lua --input '{"seconds":1}'
run examples/saga.lua --input '{"fail_at":"car"}'
run examples/wait_for_event.lua --input '{"timeout":"1s"}'
echo "Runs are in $DB. Inspect them with:"
echo "  $WEFT runs --db $DB"
echo "  $WEFT history <run id> --db $DB"
