#!/usr/bin/env bash
# An AFL++ campaign on one fuzz target: one main instance (-M) and secondaries
# (-S) on the other cores, synchronised through one output folder, so more
# machines can join by sharing it. The target body is the same as libFuzzer's
# (fuzz/fz_*.c), built with afl-clang-fast: import, exec and prove in
# persistent mode with shared-memory test cases (their main, under
# -DPKB_FUZZ_AFL, loops on __AFL_LOOP over __AFL_FUZZ_TESTCASE_BUF); blk and
# precompile through AFL++'s libFuzzer driver (-fsanitize=fuzzer).
# The library is built once with afl-clang-fast in build-fuzz/afl-lib and
# rebuilt incrementally. exec and prove also report the proving-cost buckets
# of fuzz/fz_cost.h as distinct edges, so AFL++ keeps inputs that raise a
# table's cost per gas. The block targets use the dictionary fuzz/evm.dict,
# and the structure-aware mutator (AFL_CUSTOM_MUTATOR_LIBRARY) that
# scripts/build-afl-mutator.sh builds into build-fuzz/afl_mutator.so when that
# script exists (else fuzz/afl_mutator.so when present; set
# AFL_CUSTOM_MUTATOR_ONLY=1 to turn AFL++'s own mutations off).
#
# Usage: scripts/fuzz-afl.sh [--target T] [--minutes M] [--cores N] [--out DIR]
# Targets: blk precompile import exec prove. Defaults: blk, 10 minutes, every
# core, build-fuzz/afl/T. Set AFL_USE_ASAN=1 for a sanitizer build (slower).
# Crashes are left in DIR/*/crashes; the script ends with a count of them and
# fails when any.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=blk MINUTES=10 CORES=$(nproc) OUT=
while [ $# -gt 0 ]; do
  case "$1" in
    --target) TARGET=$2; shift 2 ;;
    --minutes) MINUTES=$2; shift 2 ;;
    --cores) CORES=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "fuzz-afl: unknown option $1" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-build-fuzz/afl/$TARGET}
command -v afl-clang-fast >/dev/null || { echo "fuzz-afl: afl-clang-fast not found (scripts/deps.sh installs afl++)" >&2; exit 2; }
case $TARGET in
  blk|precompile) MODE=driver ;;
  import|exec|prove) MODE=persistent ;;
  *) echo "fuzz-afl: unknown target $TARGET" >&2; exit 2 ;;
esac
mkdir -p "$OUT" build-fuzz
LIB=build-fuzz/afl-lib
LIBS=(-lsqlite3 -lsecp256k1 -lcjson -lcrypto -lgmp -lpthread -lm)
lib_flags="-g -O2${AFL_USE_ASAN:+ -fsanitize=address}"
if [ ! -f "$LIB/CMakeCache.txt" ] || ! grep -qF "CMAKE_C_FLAGS:STRING=$lib_flags" "$LIB/CMakeCache.txt"; then
  CC=afl-clang-fast cmake -S . -B "$LIB" -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="$lib_flags" -DPKB_CUDA=OFF \
    -DPKB_MODULES="field;ntt;hash;commit;fri;stark;evm;trace;harness" >"$LIB.cmake.log" 2>&1 \
    || { echo "fuzz-afl: cmake failed; see $LIB.cmake.log" >&2; exit 1; }
fi
AFL_QUIET=1 cmake --build "$LIB" --target pkb -j"$(nproc)" >"$LIB.build.log" 2>&1 \
  || { echo "fuzz-afl: library build failed; see $LIB.build.log" >&2; exit 1; }

BIN=build-fuzz/afl_$TARGET
extra=()
if [ "$MODE" = driver ]; then
  extra+=(-fsanitize=fuzzer)
else
  extra+=(-DPKB_FUZZ_AFL)
fi
[ "$TARGET" = exec ] && extra+=(-Wl,--wrap=evm_state_set_balance,--wrap=evm_state_add_balance,--wrap=evm_state_sub_balance,--wrap=evm_state_commit_tx)
# shellcheck disable=SC2086
AFL_QUIET=1 afl-clang-fast -std=c11 -D_GNU_SOURCE -g -O2 ${AFL_USE_ASAN:+-fsanitize=address} -Iprover -Iharness -Ifuzz \
  -o "$BIN" "fuzz/fz_$TARGET.c" "${extra[@]}" "$LIB/libpkb.a" "${LIBS[@]}"

SEEDS=build-fuzz/afl_seeds_$TARGET
mkdir -p "$SEEDS"
case $TARGET in
  blk) find corpus -name '*.blk' -size -64k -exec cp -n {} "$SEEDS/" \; 2>/dev/null || true ;;
  exec|prove)
    find corpus/smoke -name '*.blk' -size -64k -exec cp -n {} "$SEEDS/" \; 2>/dev/null || true
    cp -n fuzz/seeds/exec/*.blk "$SEEDS/" 2>/dev/null || true ;;
  import) cp -n fuzz/seeds/import/*.json "$SEEDS/" 2>/dev/null || true ;;
esac
[ -n "$(ls -A "$SEEDS")" ] || printf '\xc0' > "$SEEDS/empty"

opts=(-m none)
case $TARGET in
  blk|exec|prove) opts+=(-x fuzz/evm.dict) ;;
esac
case $TARGET in
  exec|prove) opts+=(-t 20000) ;; # ms per input: a 1M-gas block with precompiles under load
esac
case $TARGET in
  blk|exec|prove)
    MUT=
    if [ -f scripts/build-afl-mutator.sh ]; then
      if bash scripts/build-afl-mutator.sh build-fuzz/afl_mutator.so >"$OUT.mutator.log" 2>&1; then
        MUT=build-fuzz/afl_mutator.so
      else
        echo "fuzz-afl: scripts/build-afl-mutator.sh failed (see $OUT.mutator.log)"
      fi
    fi
    [ -z "$MUT" ] && [ -f fuzz/afl_mutator.so ] && MUT=fuzz/afl_mutator.so
    if [ -n "$MUT" ]; then
      AFL_CUSTOM_MUTATOR_LIBRARY=$(pwd)/$MUT
      export AFL_CUSTOM_MUTATOR_LIBRARY
      echo "fuzz-afl: custom mutator $AFL_CUSTOM_MUTATOR_LIBRARY"
    else
      echo "fuzz-afl: no custom mutator; byte-level mutations only"
    fi ;;
esac

export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
SECS=$(awk -v m="$MINUTES" 'BEGIN { s = int(m * 60); print (s < 1 ? 1 : s) }')
pids=()
afl-fuzz -M main -i "$SEEDS" -o "$OUT" -V "$SECS" "${opts[@]}" -- "$BIN" >"$OUT.main.log" 2>&1 &
pids+=($!)
for i in $(seq 2 "$CORES"); do
  afl-fuzz -S "sec$i" -i "$SEEDS" -o "$OUT" -V "$SECS" "${opts[@]}" -- "$BIN" >"$OUT.sec$i.log" 2>&1 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
crashes=$(find "$OUT" -path '*/crashes/id:*' 2>/dev/null | wc -l)
execs=$(cat "$OUT"/*/fuzzer_stats 2>/dev/null | awk -F: '/^execs_done/ {s += $2} END {print s + 0}')
echo "fuzz-afl: $TARGET: $execs executions on $CORES cores in $MINUTES min, $crashes crashes"
if [ "$execs" -eq 0 ]; then
  echo "fuzz-afl: no executions; see $OUT.main.log" >&2
  tail -20 "$OUT.main.log" >&2
  exit 1
fi
[ "$crashes" -eq 0 ]
