#!/usr/bin/env bash
# Installs the Debian packages pkbench needs, only when some are missing.
# Idempotent and quiet when everything is present; `apt-get update` runs first
# whenever something has to be installed.
set -euo pipefail

PKGS=(cmake make gcc clang libclang-rt-dev pkg-config afl++ libcmocka-dev libsqlite3-dev sqlite3
      gnuplot-nox libsecp256k1-dev libgmp-dev libssl-dev libcjson-dev)

missing=()
for p in "${PKGS[@]}"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  if [[ $st != *"install ok installed"* ]]; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
