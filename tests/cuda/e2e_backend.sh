#!/usr/bin/env bash
# End-to-end checks of --backend on the command line: `prove --backend cuda`
# on the CPU emulation of the kernels (PKB_CUDA_EMULATE=1) proves and verifies
# a small block with the same proof sizes, shards and tables as the CPU
# backend (also with the keccak and arith tables proven); without a device and without the emulation `--backend cuda` is a
# one-line error with exit 2 (prove and run), `auto` falls back to cpu, a bad
# name is exit 2, and `bench --backend cuda` is skipped with exit 0 (`bench
# calibrate --backend cuda`, which has nothing to measure, is exit 2). On a
# machine with a GPU the cuda checks run on the device instead.
# Usage: e2e_backend.sh PATH/TO/pkbench   (run from the repository root by ctest;
# exit 77 = skipped, when the binary was not built)
PKB=${1:?usage: e2e_backend.sh PATH/TO/pkbench}
[ -x "$PKB" ] || { echo "skip: $PKB not built"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 not installed"; exit 77; }
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$PKB" gen worst-case --gas-limit 100000 --scenario sstore_new --out "$T/g" >/dev/null || { echo "FAIL: gen"; exit 1; }
B=$(ls "$T"/g/*.blk | head -1)
field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" <<<"$2"; }
block() { sed -n "s/.*\"$1\":\({[^}]*}\).*/\1/p" <<<"$2"; }

has_gpu=0
"$PKB" prove --backend cuda "$B" >/dev/null 2>&1 && has_gpu=1

# cpu vs cuda (emulated unless a GPU is present); shards of 2 rows (log_n = 1)
cpu=$("$PKB" prove --json --backend cpu --shard-log 1 "$B" 2>/dev/null); rc=$?
[ $rc -eq 0 ] && ok || bad "prove --backend cpu exit $rc"
gpu=$(PKB_CUDA_EMULATE=1 "$PKB" prove --json --backend cuda --shard-log 1 "$B" 2>"$T/err"); rc=$?
[ $rc -eq 0 ] && ok || bad "prove --backend cuda (emulated) exit $rc: $(cat "$T/err")"
[ "$(field backend "$cpu")" = '"cpu"' ] && ok || bad "cpu run reports backend $(field backend "$cpu")"
[ "$(field backend "$gpu")" = '"cuda"' ] && ok || bad "cuda run reports backend $(field backend "$gpu")"
[ $has_gpu -eq 1 ] || { grep -q '"device":"cuda emulation' <<<"$gpu" && ok || bad "emulated run names its device"; }
[ "$(field verified "$gpu")" = true ] && ok || bad "cuda proof not verified"
for k in proof_bytes shards; do
  [ -n "$(field $k "$cpu")" ] && [ "$(field $k "$cpu")" = "$(field $k "$gpu")" ] && ok ||
    bad "$k: cpu $(field $k "$cpu") cuda $(field $k "$gpu")"
done
[ "$(block tables "$cpu")" = "$(block tables "$gpu")" ] && ok || bad "tables differ"
[ "$(field shards "$gpu")" -ge 2 ] 2>/dev/null && ok || bad "expected several shards"

# the wide tables (keccak, arith: their quotient kernels) on both backends,
# shards of 64 rows: same proof sizes and shards, verified
cpu=$("$PKB" prove --json --backend cpu --shard-log 6 --prove-keccak --prove-arith "$B" 2>/dev/null); rc=$?
[ $rc -eq 0 ] && ok || bad "prove --prove-keccak --prove-arith --backend cpu exit $rc"
gpu=$(PKB_CUDA_EMULATE=1 "$PKB" prove --json --backend cuda --shard-log 6 --prove-keccak --prove-arith "$B" \
  2>"$T/err"); rc=$?
[ $rc -eq 0 ] && ok || bad "prove --prove-keccak --prove-arith --backend cuda exit $rc: $(cat "$T/err")"
grep -q '"proven_tables":\[[^]]*"keccak"[^]]*"arith"' <<<"$gpu" && ok || bad "keccak and arith not proven: $gpu"
[ "$(field verified "$gpu")" = true ] && ok || bad "cuda proof of the wide tables not verified"
for k in proof_bytes shards; do
  [ -n "$(field $k "$cpu")" ] && [ "$(field $k "$cpu")" = "$(field $k "$gpu")" ] && ok ||
    bad "wide tables, $k: cpu $(field $k "$cpu") cuda $(field $k "$gpu")"
done

# auto: cuda with a device, cpu without (never the emulation)
auto=$(PKB_CUDA_EMULATE=1 "$PKB" prove --json --backend auto --shard-log 1 "$B" 2>/dev/null); rc=$?
[ $rc -eq 0 ] && ok || bad "prove --backend auto exit $rc"
want='"cpu"'; [ $has_gpu -eq 1 ] && want='"cuda"'
[ "$(field backend "$auto")" = "$want" ] && ok || bad "auto chose $(field backend "$auto"), expected $want"

# bad names
"$PKB" prove --backend tpu "$B" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "prove --backend tpu not exit 2"
"$PKB" run --backend tpu --db "$T/x.db" "$B" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "run --backend tpu not exit 2"

# run records the backend; an emulated cuda run proves the block
mkdir -p "$T/c" && cp "$B" "$T/c/"
PKB_CUDA_EMULATE=1 "$PKB" run --backend cuda --shard-log 3 --db "$T/r.db" "$T/c" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && ok || bad "run --backend cuda (emulated) exit $rc: $(cat "$T/err")"
[ "$(sqlite3 "$T/r.db" "select backend from runs")" = cuda ] && ok || bad "runs.backend is not cuda"
[ "$(sqlite3 "$T/r.db" "select count(*) from results where status='ok'")" = 1 ] && ok || bad "emulated block not proven"
sqlite3 "$T/r.db" "select prover_config from runs" | grep -q '"backend":"cuda"' && ok || bad "config lacks the backend"

# a GPU failure (injected: every device allocation fails) is a failed block with
# the CUDA error as its reason, never a proof; prove exits 2 with one line
PKB_CUDA_EMULATE=1 PKB_CUDA_TEST_FAIL_ALLOC=0 "$PKB" run --backend cuda --shard-log 3 --db "$T/f.db" "$T/c" \
  >/dev/null 2>&1; rc=$?
[ $rc -eq 0 ] && ok || bad "run with a failing device: exit $rc"
[ "$(sqlite3 "$T/f.db" "select count(*) from results where status='failed' and reason like '%out of device memory%'")" = 1 ] &&
  ok || bad "GPU failure not recorded as failed with its reason: $(sqlite3 "$T/f.db" "select status, reason from results")"
[ "$(sqlite3 "$T/f.db" "select count(*) from results where status='ok'")" = 0 ] && ok || bad "failed block recorded as proven"
err=$(PKB_CUDA_EMULATE=1 PKB_CUDA_TEST_FAIL_ALLOC=2 "$PKB" prove --json --backend cuda --shard-log 3 "$B" 2>&1 >"$T/p.json"); rc=$?
[ $rc -eq 2 ] && ok || bad "prove with a failing device: exit $rc"
[ "$(wc -l <<<"$err")" -eq 1 ] && grep -q "injected" <<<"$err" && ok || bad "prove error not one line with the CUDA message: $err"
grep -q '"verified":false' "$T/p.json" && ok || bad "failed prove reported verified"

if [ $has_gpu -eq 0 ]; then
  # no device, no emulation: one line, exit 2, nothing recorded as proven
  err=$(env -u PKB_CUDA_EMULATE "$PKB" prove --backend cuda "$B" 2>&1 >/dev/null); rc=$?
  [ $rc -eq 2 ] && ok || bad "prove --backend cuda without a device: exit $rc"
  [ "$(wc -l <<<"$err")" -eq 1 ] && grep -q "cuda" <<<"$err" && ok || bad "not one line naming cuda: $err"
  env -u PKB_CUDA_EMULATE "$PKB" run --backend cuda --db "$T/n.db" "$T/c" >/dev/null 2>&1; rc=$?
  [ $rc -eq 2 ] && ok || bad "run --backend cuda without a device: exit $rc"
  if [ -f "$T/n.db" ]; then
    [ "$(sqlite3 "$T/n.db" "select count(*) from results where status='ok'")" = 0 ] && ok || bad "a block recorded as proven"
  fi
  err=$("$PKB" bench --quick --json --backend cuda prover 2>&1 >"$T/b.out"); rc=$?
  [ $rc -eq 0 ] && ok || bad "bench --backend cuda without a device: exit $rc"
  grep -q "skipped" <<<"$err" && ok || bad "bench skip without a reason: $err"
  [ ! -s "$T/b.out" ] && ok || bad "bench printed figures without a device"
  # a profile is measured on a device or not at all
  err=$("$PKB" bench calibrate --backend cuda --out "$T/gpu.tsv" 2>&1 >/dev/null); rc=$?
  [ $rc -eq 2 ] && ok || bad "bench calibrate --backend cuda without a device: exit $rc"
  [ "$(wc -l <<<"$err")" -eq 1 ] && grep -q "cuda" <<<"$err" && ok || bad "calibrate error not one line naming cuda: $err"
  [ ! -e "$T/gpu.tsv" ] && ok || bad "calibrate wrote a profile without a device"
else
  "$PKB" bench calibrate --quick --backend cuda --out "$T/gpu.tsv" >/dev/null 2>&1; rc=$?
  [ $rc -eq 0 ] && ok || bad "bench calibrate --backend cuda exit $rc"
  "$PKB" prove --no-prove --profile "$T/gpu.tsv" "$B" >/dev/null 2>&1 && ok || bad "the measured GPU profile does not load"
  out=$("$PKB" bench --quick --json --backend cuda prover 2>/dev/null); rc=$?
  [ $rc -eq 0 ] && ok || bad "bench --backend cuda exit $rc"
  grep '"bench":"prove"' <<<"$out" | grep -qv '"device":"cpu"' && ok || bad "no whole-proof figure on the device"
fi

err=$("$PKB" bench calibrate --backend tpu 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && grep -q "tpu" <<<"$err" && ok || bad "calibrate --backend tpu: exit $rc, $err"
# --help and a mistyped option measure nothing and write no profile
out=$("$PKB" bench calibrate --help --out "$T/help.tsv" 2>/dev/null); rc=$?
[ $rc -eq 0 ] && grep -q "bench calibrate" <<<"$out" && [ ! -e "$T/help.tsv" ] && ok || bad "calibrate --help: exit $rc"
err=$("$PKB" bench calibrate --qiuck --out "$T/typo.tsv" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && grep -q "qiuck" <<<"$err" && [ ! -e "$T/typo.tsv" ] && ok ||
  bad "calibrate --qiuck: exit $rc, $err"
err=$("$PKB" bench calibrate --out 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && grep -q -- "--out" <<<"$err" && ok || bad "calibrate --out without a value: exit $rc, $err"

echo "e2e_backend: $passes passed, $fails failed"
[ $fails -eq 0 ]
