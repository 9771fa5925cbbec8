#!/usr/bin/env bash
# End-to-end: `pkbench conformance` over the shared state-test fixtures
# (../shared/conformance beside the repository). Exit 77 (skipped) when they
# are absent. Every case must pass: any failed or skipped case, or fewer
# passed than FLOOR (the number of cases the shared set holds), fails the test.
set -u

FLOOR=4665
TRACE_FLOOR=3999 # cases the trace collector can hold (2026-11-26)

bin=${1:?usage: e2e_conformance.sh path/to/pkbench}
root=$(cd "$(dirname "$0")/../.." && pwd)
fixtures="$root/../shared/conformance"
if [ ! -d "$fixtures" ]; then
  echo "skipped: $fixtures not found (the shared conformance fixtures sit beside the repository)"
  exit 77
fi
if [ ! -x "$bin" ]; then
  echo "FAIL: $bin is not an executable"
  exit 1
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$bin" conformance "$fixtures" >"$out" 2>&1
status=$?
last=$(tail -n 1 "$out")
echo "pkbench conformance exit status $status; failures listed:"
grep -E '^FAIL ' "$out" | head -n 40
echo "$last"

if ! [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
  echo "FAIL: the last line is not 'N passed, N failed, N skipped'"
  tail -n 5 "$out"
  exit 1
fi
passed=${BASH_REMATCH[1]}
failed=${BASH_REMATCH[2]}
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
  echo "FAIL: unexpected exit status $status"
  exit 1
fi
if [ "$failed" -eq 0 ] && [ "$status" -ne 0 ]; then
  echo "FAIL: no case failed but the exit status is $status"
  exit 1
fi
if [ "$failed" -gt 0 ] && [ "$status" -ne 1 ]; then
  echo "FAIL: $failed cases failed but the exit status is $status"
  exit 1
fi
if [ "$failed" -ne 0 ] || [ "${BASH_REMATCH[3]}" -ne 0 ]; then
  echo "FAIL: $failed failed and ${BASH_REMATCH[3]} skipped; every case must pass"
  exit 1
fi
if [ "$passed" -lt "$FLOOR" ]; then
  echo "FAIL: $passed cases passed, below the recorded floor of $FLOOR"
  exit 1
fi
echo "ok: $passed passed (floor $FLOOR)"

# The same cases through the prover's trace collector (--trace): its replay
# of every frame's memory must agree with the executor wherever the tables
# can hold the run (a gas counter past the field is a skip there).
"$bin" conformance --trace "$fixtures" >"$out" 2>&1
tstatus=$?
tlast=$(tail -n 1 "$out")
grep -E '^FAIL ' "$out" | head -n 20
if ! [[ $tlast =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]] || [ "$tstatus" -ne 0 ]; then
  echo "FAIL: traced run: exit status $tstatus, last line '$tlast'"
  exit 1
fi
if [ "${BASH_REMATCH[2]}" -ne 0 ] || [ $((BASH_REMATCH[1] + BASH_REMATCH[3])) -ne "$passed" ] ||
  [ "${BASH_REMATCH[1]}" -lt "$TRACE_FLOOR" ]; then
  echo "FAIL: traced run: $tlast (every case passed untraced; at least $TRACE_FLOOR must pass traced)"
  exit 1
fi
echo "ok: traced: $tlast (floor $TRACE_FLOOR)"

# Cases with storage writes undone by reverts, out-of-gas subcalls, a
# self-destruct, and slots set and cleared in turn, imported as blocks and
# proven with the lookup argument (the default): every one verifies (the
# storage bus balances against the block's pre-state), except the one whose
# gas counter is past the field, which is recorded as failed with that
# reason, and the run goes on past it.
T=$(mktemp -d)
trap 'rm -f "$out"; rm -rf "$T"' EXIT
S="$fixtures/state"
"$bin" import --fork Cancun --out "$T/b" "$S/stRevertTest/LoopCallsDepthThenRevert2.json" \
  "$S/stRevertTest/RevertSubCallStorageOOG.json" "$S/stRevertTest/RevertRemoteSubCallStorageOOG.json" \
  "$S/stSStoreTest/sstore_Xto0toXto0.json" "$S/stSStoreTest/sstore_0toXto0toX.json" \
  "$S/stRevertTest/NashatyrevSuicideRevert.json" >/dev/null 2>&1 || { echo "FAIL: import of the storage cases"; exit 1; }
nblk=$(ls "$T/b" | wc -l)
"$bin" run --shard-log 10 --db "$T/r.db" "$T/b" >"$out" 2>&1
rstatus=$?
ok_n=$(sqlite3 "$T/r.db" "select count(*) from results where status='ok'")
big_n=$(sqlite3 "$T/r.db" "select count(*) from results where status='failed' and reason like '%does not fit a field element%'")
all_n=$(sqlite3 "$T/r.db" "select count(*) from results")
if [ "$rstatus" -ne 0 ] || [ "$nblk" -lt 40 ] || [ "$all_n" -ne "$nblk" ] || [ "$big_n" -lt 1 ] ||
  [ $((ok_n + big_n)) -ne "$nblk" ]; then
  echo "FAIL: storage cases proven: exit $rstatus, $nblk blocks, $all_n recorded, $ok_n ok, $big_n past the field"
  tail -n 5 "$out"
  exit 1
fi
echo "ok: storage cases: $ok_n of $nblk blocks proven and verified, $big_n recorded as past the field"
exit 0
