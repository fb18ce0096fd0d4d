#!/usr/bin/env bash
# Installs the Debian 12 packages Weft builds with, only those missing.
set -euo pipefail
packages=(build-essential cmake pkg-config liblua5.4-dev libboost-dev nlohmann-json3-dev
          libsqlite3-dev libcurl4-openssl-dev libssl-dev libtomlplusplus-dev catch2 sqlite3 tzdata
          ca-certificates)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
