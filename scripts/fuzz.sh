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
declare -A SRCS=( [blk]="harness/blk.c prover/evm/rlp.c"
                  [precompile]="$(echo prover/evm/precompiles/*.c) prover/evm/txsig.c prover/hash/keccak.c harness/blk.c prover/evm/rlp.c" )
declare -A LIBS=( [blk]="-lcrypto" [precompile]="-lsecp256k1 -lgmp -lcrypto" )

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
  if [ "$t" = precompile ] && [ -d tests/vectors ]; then
    # seeds: the known-answer inputs of the precompile tests, one per precompile id
    i=0
    for v in tests/vectors/bn254_add.txt tests/vectors/bn254_mul.txt tests/vectors/bn254_pairing.txt; do
      id=$((6 + i)); i=$((i + 1))
      awk -F'|' '!/^#/ && n < 5 { print $2; n++ }' "$v" | while read -r hex; do
        perl -e 'print pack("H*", $ARGV[0])' "$(printf '%02x02' $((id - 1)))$hex" > "$corpus/seed_${id}_$(echo "$hex" | md5sum | cut -c1-8)"
      done
    done
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
