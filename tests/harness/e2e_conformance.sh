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
exit 0
