#!/usr/bin/env bash
# Executor speed side by side with @ethereumjs/vm (pinned in tests/diff), on
# the same blocks in one run: mainnet-like blocks and a few worst-case loops.
# Each block is exported (`pkbench export`) and replayed in ethereumjs as one
# block (tests/diff/ejs_block.mjs, only the transaction loop timed); pkbench
# times evm_execute_block on the block file (`pkbench bench evm --block`, every
# sender recovered from its signature, as ethereumjs does). A benchmark, not a
# test: it prints figures and exits 0, or says why it cannot run.
#
# usage: tests/bench/evm_vs_ethereumjs.sh [path/to/pkbench]
set -euo pipefail
cd "$(dirname "$0")/../.."
PKB=${1:-build/pkbench}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "evm_vs_ethereumjs: node and npm are needed (not found); nothing measured"
  exit 0
fi
if [ ! -d tests/diff/node_modules ]; then
  (cd tests/diff && npm ci --silent --no-audit --no-fund) || { echo "evm_vs_ethereumjs: npm install failed; nothing measured"; exit 0; }
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$PKB" gen mainnet-like --count 2 --seed 1 --gas-limit 30000000 --out "$T" >/dev/null
for s in mulmod keccak jumpdest call sstore_new; do
  "$PKB" gen worst-case --gas-limit 10000000 --scenario "$s" --out "$T" >/dev/null
done
printf '%-28s %12s %8s %14s %14s %8s\n' block gas txs pkbench_ms ethereumjs_ms ratio
for b in "$T"/*.blk; do
  name=$(basename "$b" .blk)
  "$PKB" export --compact --no-post-state "$b" --out "$T/$name.json" 2>/dev/null || { echo "$name: export failed"; continue; }
  ejs=$(node tests/diff/ejs_block.mjs "$T/$name.json") || { echo "$name: ethereumjs disagrees: $ejs"; continue; }
  pk=$("$PKB" bench evm --json --block "$b")
  ejs_ms=$(sed -E 's/.*"ms":([0-9.e+-]+).*/\1/' <<<"$ejs")
  txs=$(sed -E 's/.*"txs":([0-9]+).*/\1/' <<<"$ejs")
  gas=$(sed -E 's/.*"size":([0-9]+).*/\1/' <<<"$pk")
  pk_ms=$(sed -E 's/.*"median_ms":([0-9.e+-]+).*/\1/' <<<"$pk")
  awk -v n="$name" -v g="$gas" -v t="$txs" -v a="$pk_ms" -v e="$ejs_ms" \
    'BEGIN { printf "%-28s %12d %8d %14.2f %14.2f %7.1fx\n", n, g, t, a, e, e / a }'
done
