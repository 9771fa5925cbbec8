#!/usr/bin/env bash
# Builds the libFuzzer targets under fuzz/ with clang (ASan + UBSan) and runs
# each for SECONDS (default 60), as many at a time as there are cores, each on
# its seed corpus. A crash, leak, timeout or sanitizer report makes the script
# fail and names the reproducer (left in build-fuzz/artifacts/).
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (make fuzz / make fuzz-smoke)
# Targets: blk precompile import exec prove (default: all).
#
# The library is built once with cmake in build-fuzz/lib (clang,
# -fsanitize=fuzzer-no-link,address,undefined) and rebuilt incrementally, so a
# second run with unchanged sources starts fuzzing at once; each target is one
# fuzz/fz_NAME.c linked against it. When fuzz/mutator.inc exists, the targets
# that decode blocks (exec, prove) are built with -DPKB_FUZZ_MUTATOR and
# harness/mutate.c, which brings in the structure-aware mutator.
# Corpora grow in build-fuzz/corpus_NAME across runs; seeds are corpus/ blocks
# under 1 MiB (block targets) and fuzz/seeds/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
shift || true
ALL_TARGETS=(blk precompile import exec prove)
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL_TARGETS[@]}")
if ! command -v clang >/dev/null; then
  echo "fuzz: clang not found; skipping fuzz targets (scripts/deps.sh installs it)"
  exit 0
fi
OUT=build-fuzz
LIB=$OUT/lib
mkdir -p "$OUT/artifacts"
SAN=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
CFLAGS=(-std=c11 -D_GNU_SOURCE -g -O2 -Iprover -Iharness -Ifuzz -Wall -Wextra -Werror)
LIBS=(-lsqlite3 -lsecp256k1 -lcjson -lcrypto -lgmp -lpthread -lm)
# fz_exec checks ether conservation by wrapping the state's balance setters
WRAP_EXEC=-Wl,--wrap=evm_state_set_balance,--wrap=evm_state_add_balance,--wrap=evm_state_sub_balance,--wrap=evm_state_commit_tx

# ---- the library ----
lib_flags="-g -O2 -fsanitize=fuzzer-no-link ${SAN[*]}"
if [ ! -f "$LIB/CMakeCache.txt" ] || ! grep -qF "CMAKE_C_FLAGS:STRING=$lib_flags" "$LIB/CMakeCache.txt"; then
  CC=clang cmake -S . -B "$LIB" -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="$lib_flags" -DPKB_CUDA=OFF \
    -DPKB_MODULES="field;ntt;hash;commit;fri;stark;evm;trace;harness" >"$OUT/cmake.log" 2>&1 \
    || { echo "fuzz: cmake failed; see $OUT/cmake.log"; tail -20 "$OUT/cmake.log"; exit 1; }
fi
echo "fuzz: building the library in $LIB"
cmake --build "$LIB" --target pkb -j"$(nproc)" >"$OUT/build.log" 2>&1 \
  || { echo "fuzz: library build failed; see $OUT/build.log"; grep -m20 -E "error|Error" "$OUT/build.log"; exit 1; }

# ---- the targets ----
build_target() {
  local t=$1 bin=$OUT/fz_$1 extra=()
  [ "$t" = exec ] && extra+=("$WRAP_EXEC")
  if { [ "$t" = exec ] || [ "$t" = prove ]; } && [ -f fuzz/mutator.inc ]; then
    extra+=(-DPKB_FUZZ_MUTATOR harness/mutate.c)
  fi
  local deps=("fuzz/fz_$t.c" fuzz/fz_cost.h "$LIB/libpkb.a" scripts/fuzz.sh)
  [ -f fuzz/mutator.inc ] && deps+=(fuzz/mutator.inc harness/mutate.c)
  local stale=0 d
  [ -x "$bin" ] || stale=1
  for d in "${deps[@]}"; do [ -e "$d" ] && [ "$d" -nt "$bin" ] && stale=1; done
  [ $stale -eq 0 ] && return 0
  clang "${CFLAGS[@]}" -fsanitize=fuzzer "${SAN[@]}" -o "$bin" "fuzz/fz_$t.c" "${extra[@]}" "$LIB/libpkb.a" "${LIBS[@]}"
}

# Seeds: copied into the corpus folder (never overwriting what it found).
seed_target() {
  local t=$1 corpus=$OUT/corpus_$1
  mkdir -p "$corpus"
  case $t in
    blk) find corpus -name '*.blk' -size -1024k -exec cp -n {} "$corpus/" \; 2>/dev/null || true ;;
    exec|prove)
      find corpus/smoke -name '*.blk' -size -1024k -exec cp -n {} "$corpus/" \; 2>/dev/null || true
      cp -n fuzz/seeds/exec/*.blk "$corpus/" 2>/dev/null || true ;;
    import) cp -n fuzz/seeds/import/*.json "$corpus/" 2>/dev/null || true ;;
    precompile)
      # the known-answer inputs of the precompile tests, one per precompile id
      [ -d tests/vectors ] || return 0
      local i=0 v id hex
      for v in tests/vectors/bn254_add.txt tests/vectors/bn254_mul.txt tests/vectors/bn254_pairing.txt; do
        id=$((6 + i)); i=$((i + 1))
        awk -F'|' '!/^#/ && n < 5 { print $2; n++ }' "$v" | while read -r hex; do
          perl -e 'print pack("H*", $ARGV[0])' "$(printf '%02x02' $((id - 1)))$hex" \
            > "$corpus/seed_${id}_$(echo "$hex" | md5sum | cut -c1-8)"
        done
      done
      # MODEXP (id 5) in Osaka with a 32-byte and a 40-byte modulus (pcw_run, pcw_run_wide)
      local ml
      for ml in 32 40; do
        perl -e 'my ($ml) = @ARGV; print pack("C2", 4, 2), pack("x31C", $ml), pack("x31C", 1), pack("x31C", $ml),
                 pack("C*", map { ($_ * 37 + 11) & 255 } 1 .. $ml), "\x05", pack("C*", 0x80 | 3, map { ($_ * 53 + 7) & 255 } 2 .. $ml)' \
          "$ml" > "$corpus/seed_5_modexp_$ml"
      done ;;
  esac
}

run_target() {
  local t=$1 opts=()
  case $t in exec|prove|blk) opts+=(-dict=fuzz/evm.dict) ;; esac
  if "$OUT/fz_$t" -max_total_time="$SECONDS_EACH" -timeout=60 -print_final_stats=1 \
       -artifact_prefix="$OUT/artifacts/fz_$t-" "${opts[@]}" "$OUT/corpus_$t" >"$OUT/fz_$t.log" 2>&1; then
    echo ok >"$OUT/fz_$t.status"
  else
    echo failed >"$OUT/fz_$t.status"
  fi
}

for t in "${TARGETS[@]}"; do
  [ -f "fuzz/fz_$t.c" ] || { echo "fuzz: unknown target $t"; exit 2; }
  build_target "$t" || { echo "fuzz: fz_$t does not build"; exit 1; }
  seed_target "$t"
done

jobs_max=$(nproc)
running=0
for t in "${TARGETS[@]}"; do
  if [ $running -ge "$jobs_max" ]; then wait -n || true; running=$((running - 1)); fi
  echo "fuzz: fz_$t for ${SECONDS_EACH}s"
  rm -f "$OUT/fz_$t.status"
  run_target "$t" &
  running=$((running + 1))
done
wait || true

status=0
for t in "${TARGETS[@]}"; do
  log=$OUT/fz_$t.log
  if [ "$(cat "$OUT/fz_$t.status" 2>/dev/null)" != ok ]; then
    status=1
    echo "fuzz: fz_$t FAILED; see $log"
    grep -E "^==[0-9]+==ERROR|^SUMMARY|runtime error|deadly signal|Test unit written to" "$log" | head -8 || true
    repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    [ -n "$repro" ] && echo "fuzz: reproduce with $OUT/fz_$t $repro"
  else
    awk -v t="fz_$t" '/^stat::number_of_executed_units/ {n = $NF} /^stat::average_exec_per_sec/ {r = $NF}
      /^stat::peak_rss_mb/ {m = $NF} END {printf "fuzz: %s ok: %s executions, %s/s, peak rss %s MB\n", t, n, r, m}' "$log"
  fi
done
exit $status
