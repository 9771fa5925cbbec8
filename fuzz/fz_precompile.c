/* Fuzz target: the precompiles' input decoding and arithmetic.
 *
 * The first byte picks the precompile (modulo the list), the second the fork;
 * the rest is the call's input. Invariants, beyond no sanitizer report: the
 * gas of a call is a pure function of its input; a call answers OK, FAIL or
 * (for none) UNSUPPORTED and nothing else; on anything but OK there is no
 * output; the same input gives the same answer twice. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evm/precompiles/precompile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  evm_pc_id id = (evm_pc_id)(1 + data[0] % (EVM_PC_COUNT - 1));
  blk_fork fork = (blk_fork)(data[1] % BLK_FORK_COUNT);
  const uint8_t *in = data + 2;
  size_t len = size - 2;
  /* keep a single call cheap: 10M gas is well past every input-size branch of
   * every precompile (a costlier call repeats the same arithmetic: BLAKE2F
   * at 16M rounds took 20 s per call under the sanitizers, close to the
   * fuzzers' 60 s timeout for the two calls below) */
  uint64_t gas = evm_pc_gas(id, fork, in, len);
  if (gas != evm_pc_gas(id, fork, in, len)) abort();
  if (gas > 10000000) return 0;
  uint8_t *out1 = NULL, *out2 = NULL;
  size_t n1 = 0, n2 = 0;
  evm_pc_work w1 = {0}, w2 = {0};
  int r1 = evm_pc_run(id, fork, in, len, &out1, &n1, &w1);
  int r2 = evm_pc_run(id, fork, in, len, &out2, &n2, &w2);
  if (r1 != EVM_PC_OK && r1 != EVM_PC_FAIL && r1 != EVM_PC_UNSUPPORTED && r1 != EVM_PC_NOMEM) abort();
  if (r1 != EVM_PC_OK && (out1 || n1)) abort();
  if (r1 != r2 || n1 != n2 || (n1 && memcmp(out1, out2, n1) != 0)) abort();
  free(out1);
  free(out2);
  return 0;
}
