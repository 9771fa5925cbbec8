#!/usr/bin/env bash
# Builds the AFL++ custom mutator (fuzz/afl_mutator.c over harness/mutate.c)
# as a shared library, every source compiled with -fPIC, and checks that it
# resolves every symbol and exports the afl_custom_* entry points.
# Usage: scripts/build-afl-mutator.sh [OUT.so]     (default build-fuzz/afl_mutator.so)
# Then: AFL_CUSTOM_MUTATOR_LIBRARY=$PWD/build-fuzz/afl_mutator.so AFL_CUSTOM_MUTATOR_ONLY=1 \
#         afl-fuzz -i SEEDS -o OUT -- build-fuzz/afl_TARGET
# CC picks the compiler (default cc); extra flags go in CFLAGS.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-build-fuzz/afl_mutator.so}
CC=${CC:-cc}
mkdir -p "$(dirname "$OUT")"
# The mutator and what it links: the block codec, the generators (its seed
# block), and the executor's sources (test keys and signing, the gas schedule,
# the blob fee) with the hashes and precompiles they reference.
SRCS=(fuzz/afl_mutator.c harness/mutate.c harness/gen.c harness/blk.c
      prover/evm/*.c prover/evm/precompiles/*.c prover/hash/keccak.c prover/hash/ripemd160.c)
# shellcheck disable=SC2086
"$CC" -std=c11 -D_GNU_SOURCE -O2 -g -fPIC -shared -fvisibility=default -Wall -Wextra ${CFLAGS:-} \
  -Iprover -Iharness -o "$OUT" "${SRCS[@]}" -Wl,--no-undefined \
  -lsecp256k1 -lgmp -lcrypto -lpthread -lm
syms=$(nm -D --defined-only "$OUT")  # whole list first: no early-closing pipe under pipefail
for sym in afl_custom_init afl_custom_fuzz afl_custom_deinit; do
  grep -qw "$sym" <<<"$syms" || { echo "build-afl-mutator: $OUT lacks $sym" >&2; exit 1; }
done
echo "build-afl-mutator: $OUT"
