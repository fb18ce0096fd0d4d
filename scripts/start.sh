#!/usr/bin/env bash
# Installs what is missing, builds, and starts `weft serve` with the
# example workflows on the embedded SQLite default (./weft.db). Settings
# (listen address, tokens, ...) as in `build/weft serve --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
LISTEN="${WEFT_LISTEN:-127.0.0.1:8080}"
cat <<EOT

Starting weft serve with the workflows in examples/ on ./weft.db.
Try, from another terminal:
  curl -s -d '{"name":"Ada"}' 'http://$LISTEN/v1/workflows/hello/runs?wait=10s'
  curl -s 'http://$LISTEN/v1/runs?limit=10'
  curl -s http://$LISTEN/v1/workflows
Stop with Ctrl-C (graceful). The API is described in docs/api.md.

EOT
exec build/weft serve --workflows examples --db ./weft.db --listen "$LISTEN"
