/* Fuzz target: the precompiles' input decoding and arithmetic.
 *
 * The first byte picks the precompile (modulo the list), the second the fork;
 * the rest is the call's input. Invariants, beyond no sanitizer report: the
 * gas of a call is a pure function of its input; a call answers OK, FAIL or
 * (for none) UNSUPPORTED and nothing else; on anything but OK there is no
 * output; the same input gives the same answer twice. And pc_witness, the
 * prover's recomputation of MODEXP, ECADD, ECMUL, ECPAIRING and P256VERIFY
 * (pcw_run, and pcw_run_wide for a MODEXP modulus past 32 bytes), must give
 * the precompile's status and output, and its count-only path the count
 * its reporting path reports (for calls up to 1M gas: the recomputation is
 * slower than the precompile). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evm/precompiles/precompile.h"
#include "trace/pc_witness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t g_reported;
static void count_mul(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t m[32], const uint8_t r[32]) {
  (void)ctx, (void)a, (void)b, (void)m, (void)r;
  g_reported++;
}
static void count_step(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t t[32], const uint8_t c[32]) {
  (void)ctx, (void)a, (void)b, (void)t, (void)c;
  g_reported++;
}

/* pc_witness against the precompile's answer (r, out, n). */
static void witness_agrees(evm_pc_id id, blk_fork fork, const uint8_t *in, size_t len, int r, const uint8_t *out,
                           size_t n) {
  uint16_t a = pcw_address(id);
  if (!a || (r != EVM_PC_OK && r != EVM_PC_FAIL)) return;
  uint8_t *wout = NULL;
  size_t wn = 0;
  uint64_t cnt = 0, cnt0 = 0;
  g_reported = 0;
  int wide = 0;
  int w = pcw_run(a, in, len, fork, count_mul, NULL, &cnt, &wout, &wn);
  if (w == PCW_E_UNSUPPORTED && a == PCW_ADDR_MODEXP) {
    wide = 1;
    w = pcw_run_wide(a, in, len, fork, count_step, NULL, &cnt, &wout, &wn);
  }
  if (w == PCW_E_UNSUPPORTED || w == PCW_E_NOMEM) {
    free(wout);
    return;
  }
  if (w != (r == EVM_PC_OK ? PCW_OK : PCW_FAIL)) abort();
  if (w == PCW_OK && (wn != n || (n && memcmp(wout, out, n) != 0))) abort();
  if (cnt != g_reported) abort();
  int w0 = wide ? pcw_run_wide(a, in, len, fork, NULL, NULL, &cnt0, NULL, NULL)
                : pcw_run(a, in, len, fork, NULL, NULL, &cnt0, NULL, NULL);
  if (w0 != w || cnt0 != cnt) abort();
  free(wout);
}

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
  if (gas <= 1000000) witness_agrees(id, fork, in, len, r1, out1, n1);
  free(out1);
  free(out2);
  return 0;
}
