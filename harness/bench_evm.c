/* bench_evm: executor throughput (Mgas/s) on a fixed mix of generated blocks:
 * an arithmetic loop, Keccak-heavy, storage-heavy, call-heavy, plain
 * transfers, and mainnet-like blocks (corpus/mainnet-mix.tsv, when found).
 * One thread: the executor runs a block on one core. */
#include <stdlib.h>

#include "bench.h"
#include "evm/evm.h"
#include "gen.h"
#include "gen_mainnet.h"
#include "evm/txsig.h"

/* Give every test-key sender a real signature, so the executor recovers each
 * sender as a client does (a test-key index is otherwise looked up). */
static int sign_all(blk_block *b) {
  for (size_t i = 0; i < b->n_txs; i++) {
    blk_tx *t = &b->txs[i];
    if (t->sender_is_address) continue;
    uint8_t priv[32];
    if (evm_test_key(t->sender_key, priv) != EVM_SIG_OK || evm_test_address(t->sender_key, t->sender.b) != EVM_SIG_OK ||
        evm_tx_sign(t, b->env.chain_id, priv) != EVM_SIG_OK)
      return -1;
    t->sender_is_address = 1;
  }
  return 0;
}

/* Median time of executing b reps times; *gas is the gas it used. */
static int time_block(const blk_block *b, int reps, double *med, uint64_t *gas) {
  double t[5];
  for (int r = 0; r < reps; r++) {
    evm_block_result res;
    double t0 = bench_now_ms();
    int rc = evm_execute_block(b, NULL, &res);
    t[r] = bench_now_ms() - t0;
    *gas = res.gas_used;
    evm_block_result_free(&res);
    if (rc != EVM_OK) return -2;
  }
  *med = bench_median(t, reps);
  return 0;
}

int bench_evm_run(const bench_opts *o, bench_emit_fn emit, void *ctx) {
  if (o->n_files) {
    /* given blocks, every test-key sender signed so that each sender is
     * recovered, as a client (and the ethereumjs comparison) does */
    for (int k = 0; k < o->n_files; k++) {
      blk_block b;
      blk_error e;
      if (blk_read_file(o->files[k], &b, &e) != BLK_OK) return -4;
      if (sign_all(&b)) {
        blk_free(&b);
        return -3;
      }
      double med;
      uint64_t gas = 0;
      int rc = time_block(&b, o->quick ? 1 : 5, &med, &gas);
      blk_free(&b);
      if (rc) return rc;
      bench_result br = {"evm", o->files[k], gas, 1, med, med > 0 ? (double)gas / 1e6 / (med / 1e3) : 0, "mgas", NULL};
      emit(ctx, &br);
    }
    return 0;
  }
  static const char *const mix[] = {"mulmod", "keccak", "sstore_new", "call", "transfers", "jumpdest"};
  gen_params p = {o->quick ? 2000000 : 30000000, BLK_FORK_OSAKA, 0};
  int reps = o->quick ? 1 : 5;
  for (size_t m = 0; m < sizeof mix / sizeof mix[0]; m++) {
    blk_block b;
    if (gen_worst_case(mix[m], &p, &b) != GEN_OK) return -1;
    double med;
    uint64_t gas = 0;
    if (time_block(&b, reps, &med, &gas)) {
      blk_free(&b);
      return -2;
    }
    bench_result br = {"evm", mix[m], gas, 1, med, med > 0 ? (double)gas / 1e6 / (med / 1e3) : 0, "mgas", NULL};
    emit(ctx, &br);
    blk_free(&b);
  }
  /* mainnet-like: a few seeded blocks of the cited mix, every transaction
   * signed so that sender recovery is part of the work */
  genm_mix mx;
  genm_error me;
  if (genm_mix_load("corpus/mainnet-mix.tsv", &mx, &me) == 0) {
    gen_params mp = {o->quick ? 3000000 : 60000000, BLK_FORK_OSAKA, 1};
    double total_ms = 0;
    uint64_t total_gas = 0;
    for (uint64_t k = 0; k < (o->quick ? 1u : 4u); k++) {
      blk_block b;
      uint64_t used;
      if (genm_block(&mx, &mp, k, &b, &used) != 0) return -3;
      if (sign_all(&b)) {
        blk_free(&b);
        return -3;
      }
      double med;
      uint64_t gas = 0;
      int rc = time_block(&b, reps, &med, &gas);
      blk_free(&b);
      if (rc) return rc;
      total_ms += med;
      total_gas += gas;
    }
    bench_result br = {"evm", "mainnet-like", total_gas, 1, total_ms,
                       total_ms > 0 ? (double)total_gas / 1e6 / (total_ms / 1e3) : 0, "mgas", NULL};
    emit(ctx, &br);
  }
  return 0;
}
