#!/usr/bin/env bash
# Builds the libFuzzer targets under fuzz/ with clang (ASan + UBSan) and runs
# each for SECONDS (default 60) on a seed corpus made from corpus/.
# Usage: scripts/fuzz.sh [SECONDS]      (make fuzz / make fuzz-smoke)
# A crash, leak or sanitizer report makes the script fail and leaves the
# reproducer in build-fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
if ! command -v clang >/dev/null; then
  echo "fuzz: clang not found; skipping fuzz targets (scripts/deps.sh installs it)"
  exit 0
fi
OUT=build-fuzz
mkdir -p "$OUT/artifacts"
CFLAGS=(-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
        -Iprover -Iharness -Wall -Wextra -Werror)

# target name -> sources (besides fuzz/fz_NAME.c) and libraries
declare -A SRCS=( [blk]="harness/blk.c prover/evm/rlp.c" )
declare -A LIBS=( [blk]="-lcrypto" )

status=0
for t in "${!SRCS[@]}"; do
  bin="$OUT/fz_$t"
  # shellcheck disable=SC2086
  clang "${CFLAGS[@]}" -o "$bin" "fuzz/fz_$t.c" ${SRCS[$t]} ${LIBS[$t]}
  corpus="$OUT/corpus_$t"
  mkdir -p "$corpus"
  if [ "$t" = blk ]; then
    find corpus -name '*.blk' -size -1M -exec cp -n {} "$corpus/" \; 2>/dev/null || true
  fi
  echo "fuzz: fz_$t for ${SECONDS_EACH}s"
  if ! "$bin" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -artifact_prefix="$OUT/artifacts/" \
        "$corpus" >"$OUT/fz_$t.log" 2>&1; then
    echo "fuzz: fz_$t FAILED; see $OUT/fz_$t.log"
    tail -30 "$OUT/fz_$t.log"
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$OUT/fz_$t.log" | sed "s/^/fuzz: fz_$t /"
  fi
done
exit $status
