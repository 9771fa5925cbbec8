/* bench_evm: executor throughput (Mgas/s) on a fixed mix of generated blocks:
 * an arithmetic loop, Keccak-heavy, storage-heavy, call-heavy, and plain
 * transfers. One thread: the executor runs a block on one core. */
#include <stdlib.h>

#include "bench.h"
#include "evm/evm.h"
#include "gen.h"

int bench_evm_run(const bench_opts *o, bench_emit_fn emit, void *ctx) {
  static const char *const mix[] = {"mulmod", "keccak", "sstore_new", "call", "transfers", "jumpdest"};
  gen_params p = {o->quick ? 2000000 : 30000000, BLK_FORK_OSAKA, 0};
  int reps = o->quick ? 1 : 5;
  for (size_t m = 0; m < sizeof mix / sizeof mix[0]; m++) {
    blk_block b;
    if (gen_worst_case(mix[m], &p, &b) != GEN_OK) return -1;
    double t[5];
    uint64_t gas = 0;
    for (int r = 0; r < reps; r++) {
      evm_block_result res;
      double t0 = bench_now_ms();
      int rc = evm_execute_block(&b, NULL, &res);
      t[r] = bench_now_ms() - t0;
      gas = res.gas_used;
      evm_block_result_free(&res);
      if (rc != EVM_OK) {
        blk_free(&b);
        return -2;
      }
    }
    double med = bench_median(t, reps);
    bench_result br = {"evm", mix[m], gas, 1, med, med > 0 ? (double)gas / 1e6 / (med / 1e3) : 0, "mgas", NULL};
    emit(ctx, &br);
    blk_free(&b);
  }
  return 0;
}
