#!/usr/bin/env bash
# Regenerate the generated corpus folders (corpus/README.md says what each
# holds), byte for byte the same on every run: the generators are
# deterministic and the seed and fork are fixed here.
#   corpus/smoke            every worst-case scenario at 1M gas
#   corpus/worst-case-45M   every worst-case scenario at 45M gas
#   corpus/worst-case       every worst-case scenario at 60M gas
#   corpus/mainnet-like     4 blocks of `pkbench gen mainnet-like`, seed 1, at
#                           its default gas limit (drawn from corpus/mainnet-mix.tsv)
# Worst cases at fork Osaka, seed 0 (the `pkbench gen worst-case` defaults).
#
# Usage: scripts/make-corpus.sh [--check] [--max-file-kb N] [PKBENCH]
#   PKBENCH          the pkbench binary (default: $PKB, else build/pkbench)
#   --max-file-kb N  leave out blocks larger than N KiB (the 24 KiB-contract,
#                    calldata and access-list blocks at 45M and 60M gas run to
#                    1-3 MB each); their names go to DIR/omitted.txt, and the
#                    same command without the option writes them
#   --check          write nothing; regenerate (with the same options) into a
#                    temporary folder and exit 1 if a folder under corpus/
#                    differs from what the generators give now
# Prints each folder's size and names any folder over SIZE_WARN_KB (default
# 2048) and the files in it over 512 KiB, since the folders are committed.
set -euo pipefail
cd "$(dirname "$0")/.."

CHECK=0
MAX_KB=
PKB=${PKB:-build/pkbench}
while [ $# -gt 0 ]; do
  case "$1" in
    --check) CHECK=1; shift ;;
    --max-file-kb)
      [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "make-corpus: --max-file-kb needs a positive integer" >&2; exit 2; }
      MAX_KB=$2; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    -*) echo "make-corpus: unknown option $1" >&2; exit 2 ;;
    *) PKB=$1; shift ;;
  esac
done
[ -x "$PKB" ] || { echo "make-corpus: $PKB is not an executable (run make build)" >&2; exit 2; }
WARN_KB=${SIZE_WARN_KB:-2048}

# folder and gas limit, one line each: the one place these pairs are stated
# ("-" for the mainnet-like sample: the generator's default limit)
SETS="smoke 1000000
worst-case-45M 45000000
worst-case 60000000
mainnet-like -"
MAINNET_COUNT=4
MAINNET_SEED=1

if [ "$CHECK" = 1 ]; then
  ROOT=$(mktemp -d)
  trap 'rm -rf "$ROOT"' EXIT
else
  ROOT=corpus
fi

status=0
while read -r dir gas; do
  out="$ROOT/$dir"
  rm -rf "$out"
  if [ "$dir" = mainnet-like ]; then
    "$PKB" gen mainnet-like --count "$MAINNET_COUNT" --seed "$MAINNET_SEED" --out "$out" >/dev/null
  else
    "$PKB" gen worst-case --gas-limit "$gas" --fork Osaka --seed 0 --out "$out" >/dev/null
  fi
  if [ -n "$MAX_KB" ]; then
    big=$(find "$out" -name '*.blk' -size +"${MAX_KB}"k -printf '%f\n' | LC_ALL=C sort)
    if [ -n "$big" ]; then
      printf '%s\n' "$big" >"$out/omitted.txt"
      while read -r f; do rm -f "$out/$f"; done <<<"$big"
    fi
  fi
  if [ "$CHECK" = 1 ]; then
    if diff -r -q "$out" "corpus/$dir" >/dev/null 2>&1; then
      echo "corpus/$dir: up to date"
    else
      echo "corpus/$dir: differs from what the generators give (run scripts/make-corpus.sh)"
      status=1
    fi
    continue
  fi
  kb=$(du -sk "$out" | cut -f1)
  n=$(find "$out" -name '*.blk' | wc -l)
  if [ "$gas" = - ]; then
    echo "corpus/$dir: $n blocks, ${kb} KiB"
  else
    echo "corpus/$dir: $n blocks at $gas gas, ${kb} KiB"
  fi
  if [ "$kb" -gt "$WARN_KB" ]; then
    echo "  over ${WARN_KB} KiB; the largest files:"
    find "$out" -name '*.blk' -size +512k -printf '    %f %k KiB\n' | sort
  fi
done <<<"$SETS"
exit $status
