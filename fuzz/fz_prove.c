/* Fuzz target: small blocks through the whole pipeline, execute -> trace -> prove -> verify.
 *
 * Built for libFuzzer by scripts/fuzz.sh and for AFL++ (persistent mode) by
 * scripts/fuzz-afl.sh. Seeds: fuzz/seeds/exec/ and small corpus/smoke blocks.
 * The pipeline is the runner's (harness/runner.c, run_prove_block) cut down
 * so that one input takes well under a second: the block gas limit is
 * clamped to FZ_PROVE_GAS (and each transaction's to the block's), shards
 * hold 2^FZ_PROVE_LOG_SHARD rows, and the FRI parameters are light
 * (FZ_PROVE_BITS conjectured bits: the proofs are checked for completeness
 * here, not soundness). Invariants, beyond no sanitizer report; abort() on
 * any violation:
 *  - the trace builder accepts every block the executor accepts (no
 *    TRACE_E_RANGE at this gas);
 *  - every shard of every table that has an AIR satisfies it
 *    (stark_air_check on the padded shard, with its public values:
 *    trace_shard_public), and the cpu table's shards chain
 *    (trace_cpu_chain_check);
 *  - the first and the last shard of each such table (the last holds the
 *    padding) are proven, serialised, parsed back and verified; the prover
 *    must not refuse and the proof must verify;
 *  - one proof per input, with one byte flipped (position drawn from the
 *    input), must not verify.
 * The table heights feed the cost feedback (fz_cost.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blk.h"
#include "evm/evm.h"
#include "fz_cost.h"
#include "stark/stark.h"
#include "trace/trace.h"
#include "trace/trace_cols.h"

#define FZ_PROVE_GAS 100000u     /* block gas limit clamp */
#define FZ_PROVE_LOG_SHARD 10    /* rows per shard: 2^10 */
#define FZ_PROVE_BITS 24         /* FRI: 6 grinding bits, 18 queries at blowup 2 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- structure-aware mutator --------------------------------------------
 * fuzz/mutator.inc defines LLVMFuzzerCustomMutator (and its crossover) over
 * decoded blocks; scripts/fuzz.sh builds this target with -DPKB_FUZZ_MUTATOR
 * and harness/mutate.c when that file exists. */
#ifdef PKB_FUZZ_MUTATOR
/* mutated blocks are made to fit what one input may cost here */
#define FZ_MUT_OPTS(o) ((o).tx_gas_cap = FZ_PROVE_GAS, (o).max_txs = 8)
#include "mutator.inc"
#endif

static void fit(blk_block *b) {
  if (b->env.gas_limit > FZ_PROVE_GAS) b->env.gas_limit = FZ_PROVE_GAS;
  for (size_t i = 0; i < b->n_txs; i++)
    if (b->txs[i].gas_limit > b->env.gas_limit) b->txs[i].gas_limit = b->env.gas_limit;
}

/* FNV-1a of the input: where the tampering goes. */
static uint64_t input_hash(const uint8_t *data, size_t size) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

/* Prove shard k of t and verify it from its bytes; with tamper, also check
 * that a copy with the byte at tamper_at (mod length) flipped is rejected.
 * The shard's public values go to pub (room for CPU_PUBLIC). */
static void prove_shard(const trace_table *t, const stark_air *air, const stark_config *cfg, size_t k, int tamper,
                        uint64_t tamper_at, bb_t *pubv) {
  bb_t *m;
  unsigned log_n;
  if (trace_shard(t, FZ_PROVE_LOG_SHARD, k, &m, &log_n) != TRACE_OK) abort();
  const bb_t *pub = trace_shard_public(t->id, m, log_n, pubv) ? pubv : NULL;
  size_t bad_row;
  int bad_con;
  if (stark_air_check(air, m, (size_t)1 << log_n, pub, &bad_row, &bad_con) != 0) abort(); /* AIR violated */
  if (cfg == NULL) { /* check only */
    free(m);
    return;
  }
  stark_proof proof;
  int rc = stark_prove(air, cfg, m, log_n, pub, &proof, NULL);
  free(m);
  if (rc == STARK_ERR_NOMEM) return;
  if (rc != STARK_OK) abort(); /* the prover refused a trace that satisfies the AIR */
  uint8_t *bytes;
  size_t len;
  if (stark_proof_serialize(&proof, &bytes, &len) != STARK_OK) abort();
  stark_proof_free(&proof);
  stark_proof parsed;
  if (stark_proof_deserialize(bytes, len, &parsed) != STARK_OK) abort();
  if (stark_verify(air, &cfg->fri, pub, &parsed) != STARK_OK) abort(); /* an honest proof does not verify */
  stark_proof_free(&parsed);
  if (tamper && len) {
    bytes[tamper_at % len] ^= (uint8_t)(1u << (tamper_at >> 60 & 7));
    if (stark_proof_deserialize(bytes, len, &parsed) == STARK_OK) {
      if (stark_verify(air, &cfg->fri, pub, &parsed) == STARK_OK) abort(); /* a tampered proof verifies */
      stark_proof_free(&parsed);
    }
  }
  free(bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  blk_block b;
  if (blk_decode(data, size, &b, NULL) != BLK_OK) return 0;
  fit(&b);
  trace_collector c;
  trace_init(&c, b.env.fork);
  evm_tracer tr = trace_tracer(&c);
  evm_block_result ex;
  int erc = evm_execute_block(&b, &tr, &ex);
  uint64_t gas = ex.gas_used;
  evm_block_result_free(&ex);
  if (erc != EVM_OK) {
    if (erc == EVM_E_ARG || erc == EVM_E_INTERNAL) abort();
    trace_free(&c);
    blk_free(&b);
    return 0;
  }
  trace_add_block_witness(&c, &b);
  int trc = trace_finish(&c);
  if (trc == TRACE_E_NOMEM) {
    trace_free(&c);
    blk_free(&b);
    return 0;
  }
  if (trc != TRACE_OK) abort();

  uint64_t rows[TRACE_COUNT];
  for (int i = 0; i < TRACE_COUNT; i++) rows[i] = c.t[i].rows;
  fz_cost_feed(rows, gas, NULL);

  stark_config cfg = stark_config_default();
  cfg.fri = fri_params_for(1, FZ_PROVE_BITS);
  cfg.threads = 1;
  cfg.check_trace = 0; /* checked above with the row and constraint at hand */
  uint64_t h = input_hash(data, size);
  int tamper = 1;
  for (int i = 0; i < TRACE_COUNT; i++) {
    const trace_table *t = &c.t[i];
    const stark_air *air = trace_air((trace_table_id)i);
    if (!air || t->rows == 0) continue;
    size_t shards = trace_shard_count(t, FZ_PROVE_LOG_SHARD);
    bb_t *chain = t->id == TRACE_CPU ? malloc(shards * CPU_PUBLIC * sizeof *chain) : NULL;
    if (t->id == TRACE_CPU && !chain) abort();
    for (size_t k = 0; k < shards; k++) {
      int prove = k == 0 || k + 1 == shards;
      bb_t pub[CPU_PUBLIC];
      prove_shard(t, air, prove ? &cfg : NULL, k, prove && tamper, h, pub);
      if (chain) memcpy(chain + k * CPU_PUBLIC, pub, sizeof pub);
      if (prove) tamper = 0;
    }
    if (chain && trace_cpu_chain_check(chain, shards, NULL) != TRACE_OK) abort(); /* an honest block's shards */
    free(chain);
  }
  trace_free(&c);
  blk_free(&b);
  return 0;
}

#ifdef PKB_FUZZ_AFL
/* AFL++ persistent mode: the test case arrives in shared memory and one
 * process runs many of them. */
#include <unistd.h>
__AFL_FUZZ_INIT();
int main(void) {
  __AFL_INIT();
  const uint8_t *buf = __AFL_FUZZ_TESTCASE_BUF;
  while (__AFL_LOOP(10000)) LLVMFuzzerTestOneInput(buf, (size_t)__AFL_FUZZ_TESTCASE_LEN);
  return 0;
}
#endif
