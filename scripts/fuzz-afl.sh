#!/usr/bin/env bash
# An AFL++ campaign on the fuzz targets: one main instance (-M) and secondaries
# (-S) on the other cores, synchronised through one output folder, so more
# machines can join by sharing it. The target body is the same as libFuzzer's
# (fuzz/fz_*.c), built with afl-clang-fast in persistent mode through AFL++'s
# libFuzzer driver.
#
# Usage: scripts/fuzz-afl.sh [--target blk] [--minutes M] [--cores N] [--out DIR]
# Defaults: blk, 10 minutes, every core, build-fuzz/afl. Crashes are left in
# DIR/*/crashes; the script ends with a count of them and fails when any.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=blk MINUTES=10 CORES=$(nproc) OUT=build-fuzz/afl
while [ $# -gt 0 ]; do
  case "$1" in
    --target) TARGET=$2; shift 2 ;;
    --minutes) MINUTES=$2; shift 2 ;;
    --cores) CORES=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "fuzz-afl: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v afl-clang-fast >/dev/null || { echo "fuzz-afl: afl-clang-fast not found (scripts/deps.sh installs afl++)" >&2; exit 2; }
declare -A SRCS=( [blk]="harness/blk.c prover/evm/rlp.c" )
declare -A LIBS=( [blk]="-lcrypto" )
[ -n "${SRCS[$TARGET]:-}" ] || { echo "fuzz-afl: unknown target $TARGET" >&2; exit 2; }
mkdir -p "$OUT" build-fuzz
BIN=build-fuzz/afl_$TARGET
# shellcheck disable=SC2086
AFL_QUIET=1 afl-clang-fast -std=c11 -D_GNU_SOURCE -g -O2 -fsanitize=fuzzer -Iprover -Iharness \
  -o "$BIN" "fuzz/fz_$TARGET.c" ${SRCS[$TARGET]} ${LIBS[$TARGET]}
SEEDS=build-fuzz/afl_seeds_$TARGET
mkdir -p "$SEEDS"
find corpus -name '*.blk' -size -64k -exec cp -n {} "$SEEDS/" \; 2>/dev/null || true
[ -n "$(ls -A "$SEEDS")" ] || printf '\xc0' > "$SEEDS/empty"
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
SECS=$(awk -v m="$MINUTES" 'BEGIN { s = int(m * 60); print (s < 1 ? 1 : s) }')
pids=()
afl-fuzz -M main -i "$SEEDS" -o "$OUT" -V "$SECS" -- "$BIN" >"$OUT.main.log" 2>&1 &
pids+=($!)
for i in $(seq 2 "$CORES"); do
  afl-fuzz -S "sec$i" -i "$SEEDS" -o "$OUT" -V "$SECS" -- "$BIN" >"$OUT.sec$i.log" 2>&1 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
crashes=$(find "$OUT" -path '*/crashes/id:*' 2>/dev/null | wc -l)
execs=$(cat "$OUT"/*/fuzzer_stats 2>/dev/null | awk -F: '/^execs_done/ {s += $2} END {print s + 0}')
echo "fuzz-afl: $TARGET: $execs executions on $CORES cores in $MINUTES min, $crashes crashes"
[ "$crashes" -eq 0 ]
