#!/usr/bin/env bash
# blockchain_test fixtures end to end: blocks are exported with
# `pkbench export --format blockchain_test`, replayed by ethereumjs
# (tests/diff/run_blockchain_test.mjs: block RLP decoded, header checked
# against its parent, vm.runBlock validating stateRoot, receiptTrie,
# logsBloom, gasUsed and requestsHash), then imported back with
# `pkbench import`, which must give the same block bytes. Chains too: the
# three-block chains of tests/vectors/bc_chain (block 0 deploys a contract
# and writes storage, block 1 calls it, block 2 calls it and stores
# BLOCKHASH of block 1) are exported as one fixture each (`pkbench export
# --format blockchain_test B0 B1 B2`), replayed the same way and imported back
# block for block, and so are two-block chains whose first block carries blob
# transactions (the second's excess blob gas derived from it, EIP-4844,
# EIP-7691, EIP-7918); a chain with a block left out must be refused. A fixture
# whose block header states a wrong gasUsed (hash recomputed) must be
# rejected by the replay, so the check is known to bite.
#
# usage: bash tests/harness/e2e_blockchain_test.sh path/to/pkbench   (from the repo root)
#
# Blocks: the smoke corpus and the worst-case scenarios generated for Cancun,
# Prague and Osaka at 300k gas. Exit 0: all agree; 1: a difference; 77:
# skipped (node or npm missing, or the pinned packages cannot be installed
# for lack of network).
set -u
PKB=${1:?usage: e2e_blockchain_test.sh path/to/pkbench}
ROOT=${PKB_SOURCE_DIR:-$(pwd)}
DIFF="$ROOT/tests/diff"

skip() { echo "skipped: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ -x "$PKB" ] || fail "$PKB is not an executable"
# node, npm and the pinned packages (installed here when missing)
# shellcheck source=../diff/ensure_packages.sh
. "$DIFF/ensure_packages.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/blk" "$tmp/json" "$tmp/back"

for f in "$ROOT"/corpus/smoke/*.blk; do
  cp "$f" "$tmp/blk/smoke_$(basename "$f")"
done
for fork in Cancun Prague Osaka; do
  "$PKB" gen worst-case --gas-limit 300000 --fork "$fork" --out "$tmp/gen_$fork" >/dev/null ||
    fail "pkbench gen worst-case --fork $fork failed"
  for f in "$tmp/gen_$fork"/*.blk; do
    cp "$f" "$tmp/blk/gen_${fork}_$(basename "$f")"
  done
done

blocks=0
for f in "$tmp"/blk/*.blk; do
  name=$(basename "$f" .blk)
  blocks=$((blocks + 1))
  err=$("$PKB" export --format blockchain_test --compact --name "$name" "$f" --out "$tmp/json/$name.json" 2>&1) ||
    fail "export of $name: $err"
done
echo "exported $blocks blocks as blockchain tests"

out="$tmp/ejs.txt"
node "$DIFF/run_blockchain_test.mjs" --quiet "$tmp"/json/*.json >"$out" 2>&1
rc=$?
grep '^FAIL' "$out" | head -20
tail -1 "$out"
[ "$rc" -eq 0 ] || fail "ethereumjs disagrees with pkbench (see the FAIL lines above)"

# import back: one block per fixture, byte for byte the block exported
# (in batches: import takes at most 256 files per call)
find "$tmp/json" -name '*.json' -print0 | sort -z |
  xargs -0 -n 200 "$PKB" import --out "$tmp/back" >"$tmp/import.txt" 2>&1 || {
  cat "$tmp/import.txt"
  fail "pkbench import of the blockchain tests failed"
}
same=0
for f in "$tmp"/blk/*.blk; do
  name=$(basename "$f" .blk)
  net=$(grep -o '"network":"[A-Za-z]*"' "$tmp/json/$name.json" | head -1 | cut -d'"' -f4)
  cmp -s "$f" "$tmp/back/${name}_${net}_b0.blk" || fail "$name: the imported block differs from the exported one"
  same=$((same + 1))
done
echo "imported back $same of $blocks blocks, byte for byte"

# chains of several blocks, each on the state the one before left
mkdir -p "$tmp/chain" "$tmp/chain_back"
for fork in Cancun Prague Osaka; do
  v="$ROOT/tests/vectors/bc_chain/$fork"
  err=$("$PKB" export --format blockchain_test --compact --name "chain_$fork" "${v}_b0.blk" "${v}_b1.blk" \
    "${v}_b2.blk" --out "$tmp/chain/chain_$fork.json" 2>&1) || fail "export of the $fork chain: $err"
  err=$("$PKB" export --format blockchain_test --compact --name "pair_$fork" "${v}_b0.blk" "${v}_b1.blk" \
    --out "$tmp/chain/pair_$fork.json" 2>&1) || fail "export of the $fork pair: $err"
  # blob transactions in block 0: block 1's excess blob gas from its parent
  err=$("$PKB" export --format blockchain_test --compact --name "blob_$fork" "${v}_blob_b0.blk" \
    "${v}_blob_b1.blk" --out "$tmp/chain/blob_$fork.json" 2>&1) || fail "export of the $fork blob chain: $err"
done
node "$DIFF/run_blockchain_test.mjs" "$tmp"/chain/*.json >"$tmp/chain.txt" 2>&1
rc=$?
grep '^FAIL' "$tmp/chain.txt" | head -20
[ "$rc" -eq 0 ] || fail "ethereumjs disagrees with pkbench on a chain (see the FAIL lines above)"
[ "$(grep -c '^PASS chain_[A-Za-z]* blocks=3 ' "$tmp/chain.txt")" -eq 3 ] || {
  cat "$tmp/chain.txt"
  fail "the three chains were not replayed as three blocks each"
}
"$PKB" import --out "$tmp/chain_back" "$tmp"/chain/chain_*.json "$tmp"/chain/blob_*.json \
  >"$tmp/chain_import.txt" 2>&1 || {
  cat "$tmp/chain_import.txt"
  fail "pkbench import of the chains failed"
}
for fork in Cancun Prague Osaka; do
  for k in 0 1 2; do
    cmp -s "$ROOT/tests/vectors/bc_chain/${fork}_b$k.blk" "$tmp/chain_back/chain_${fork}_${fork}_b$k.blk" ||
      fail "$fork chain: block $k imported differs from the block exported"
  done
  for k in 0 1; do
    cmp -s "$ROOT/tests/vectors/bc_chain/${fork}_blob_b$k.blk" "$tmp/chain_back/blob_${fork}_${fork}_b$k.blk" ||
      fail "$fork blob chain: block $k imported differs from the block exported"
  done
done
[ "$(grep -c '^PASS blob_[A-Za-z]* blocks=2 ' "$tmp/chain.txt")" -eq 3 ] || {
  cat "$tmp/chain.txt"
  fail "the three blob chains were not replayed as two blocks each"
}
echo "3 chains of 3 blocks (and 6 of 2, 3 with blobs) agree with ethereumjs and import back block for block"
v="$ROOT/tests/vectors/bc_chain/Cancun"
if "$PKB" export --format blockchain_test "${v}_b0.blk" "${v}_b2.blk" >"$tmp/gap.txt" 2>&1; then
  fail "a chain with a block left out was exported"
fi
grep -q 'block 1: env.number 12 does not follow block 0' "$tmp/gap.txt" || {
  cat "$tmp/gap.txt"
  fail "the refusal of a chain with a gap does not name the block and the reason"
}
echo "a chain with a block left out is refused"

# a header with a wrong gasUsed (and a hash that fits it) must be rejected
first=$(ls "$tmp"/json/gen_Cancun_*.json | head -1)
(cd "$DIFF" && node --input-type=module -e '
import { readFileSync, writeFileSync } from "node:fs"
import { RLP } from "@ethereumjs/rlp"
import { bytesToHex, hexToBytes, bigIntToUnpaddedBytes, bytesToBigInt } from "@ethereumjs/util"
import { keccak_256 } from "@noble/hashes/sha3.js"
const [src, dst] = process.argv.slice(1)
const doc = JSON.parse(readFileSync(src, "utf8"))
const t = Object.values(doc)[0]
const blk = RLP.decode(hexToBytes(t.blocks[0].rlp))
blk[0][10] = bigIntToUnpaddedBytes(bytesToBigInt(blk[0][10]) + 1n)
const hash = bytesToHex(keccak_256(RLP.encode(blk[0])))
t.blocks[0].rlp = bytesToHex(RLP.encode(blk))
t.blocks[0].blockHeader.hash = hash
t.lastblockhash = hash
writeFileSync(dst, JSON.stringify(doc))
' "$first" "$tmp/tampered.json") || fail "could not build the tampered fixture"
if node "$DIFF/run_blockchain_test.mjs" "$tmp/tampered.json" >"$tmp/tampered.txt" 2>&1; then
  fail "ethereumjs accepted a block whose header states a wrong gasUsed"
fi
grep -q 'gasUsed' "$tmp/tampered.txt" || {
  cat "$tmp/tampered.txt"
  fail "the tampered fixture failed for another reason than its gasUsed"
}
echo "a wrong gasUsed is rejected"
echo "ok"
