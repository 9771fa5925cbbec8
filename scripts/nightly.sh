#!/usr/bin/env bash
# The nightly regression job of a zkVM team: prove the fixed nightly corpus,
# compare the run with the last good run in the database, write the report,
# and exit with compare's status (0 no regression, 1 regression, 2 bad input).
#
# Usage: scripts/nightly.sh [--db FILE] [--corpus DIR] [--out DIR] [--threshold PCT] [--gpus G]
# Defaults: ./pkbench.db, corpus/smoke, reports/nightly, 10, 1.
# "Last good run": the most recent earlier run whose status is done and that
# compare judged as no regression (recorded in DB_DIR/.nightly-good), or else
# the most recent earlier finished run.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=pkbench.db CORPUS=corpus/smoke OUT=reports/nightly THRESHOLD=10 GPUS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --db) DB=$2; shift 2 ;;
    --corpus) CORPUS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --threshold) THRESHOLD=$2; shift 2 ;;
    --gpus) GPUS=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "nightly: unknown option $1" >&2; exit 2 ;;
  esac
done
PKB=${PKB:-build/pkbench}
[ -x "$PKB" ] || make build >/dev/null
GOOD_FILE="$(dirname "$DB")/.nightly-good"

"$PKB" run --db "$DB" --gpus "$GPUS" "$CORPUS"
NEW=$(sqlite3 "$DB" "select max(id) from runs")
BASE=""
[ -f "$GOOD_FILE" ] && BASE=$(cat "$GOOD_FILE")
if [ -z "$BASE" ]; then
  BASE=$(sqlite3 "$DB" "select max(id) from runs where id < $NEW and status = 'done'")
fi
if [ -z "$BASE" ]; then
  echo "nightly: first run ($NEW): nothing to compare with; it becomes the baseline"
  echo "$NEW" > "$GOOD_FILE"
  "$PKB" report --db "$DB" --out "$OUT" "$NEW"
  exit 0
fi
set +e
"$PKB" compare --db "$DB" --threshold "$THRESHOLD" "$BASE" "$NEW"
status=$?
set -e
"$PKB" report --db "$DB" --out "$OUT" "$BASE" "$NEW"
if [ $status -eq 0 ]; then echo "$NEW" > "$GOOD_FILE"; fi
exit $status
