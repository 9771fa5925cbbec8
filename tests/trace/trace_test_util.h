/* trace_test_util: executing a block into a finished collector, also with
 * precompile callbacks a test records on the way (the tables tests that
 * count what the executor reported against what the collector kept). */
#ifndef PKB_TESTS_TRACE_TEST_UTIL_H
#define PKB_TESTS_TRACE_TEST_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "evm/evm.h"
#include "blk.h"
#include "trace/trace.h"
#include "trace/trace_cols.h"

/* Execute b into *c, a fresh collector with opts (count_only: rows only),
 * through the collector's tracer with on_precompile and on_precompile_input
 * replaced by the test's recorders (NULL: the collector's own); *inner (if
 * not NULL) receives the collector's own tracer first, for the recorders to
 * forward to. Then the block witness and, unless counting, trace_finish. */
static inline void trace_run_recorded(const blk_block *b, unsigned opts, int count_only, trace_collector *c,
                                      evm_tracer *inner,
                                      void (*on_pc)(void *, evm_pc_id, uint64_t, const evm_pc_work *),
                                      void (*on_in)(void *, evm_pc_id, const uint8_t *, size_t)) {
  trace_init_opts(c, b->env.fork, opts);
  c->count_only = count_only;
  evm_tracer t = trace_tracer(c);
  assert_non_null(t.on_precompile_input); /* set in every mode: blake2f is sized from it */
  if (inner) *inner = t;
  if (on_pc) t.on_precompile = on_pc;
  if (on_in) t.on_precompile_input = on_in;
  evm_block_result res;
  assert_int_equal(evm_execute_block(b, &t, &res), EVM_OK);
  evm_block_result_free(&res);
  trace_add_block_witness(c, b);
  if (!count_only) assert_int_equal(trace_finish(c), TRACE_OK);
}

/* b executed into *c, a finished collector with opts. */
static inline void trace_collect_block(const blk_block *b, unsigned opts, trace_collector *c) {
  trace_run_recorded(b, opts, 0, c, NULL, NULL, NULL);
}

/* stark_air_check of the collected rows of t, padded with zero rows to a
 * power of two (at least 2); trace_assert_air_accepts: they satisfy its
 * AIR, what a forgery must keep to reach the verifier. */
static inline int trace_air_check(const trace_table *t) {
  int rc = trace_table_air_check(t, NULL, NULL);
  assert_int_not_equal(rc, STARK_ERR_NOMEM);
  return rc;
}

static inline void trace_assert_air_accepts(const trace_table *t) { assert_int_equal(trace_air_check(t), STARK_OK); }

#ifdef PKB_TESTS_STARK_TEST_UTIL_H
/* The first shard (at most 2^log_shard rows) of each table ids[0 .. n) of c,
 * with its interactions and the challenges ch, proves to the CPU backend's
 * bytes on the CUDA backend (the kernels' emulation, and the GPU when there
 * is one). For a test that includes stark_test_util.h first. */
static inline void trace_assert_cuda_same_shards(const trace_collector *c, const trace_table_id *ids, size_t n,
                                                 unsigned log_shard, const ext_t ch[2]) {
  for (size_t i = 0; i < n; i++) {
    const trace_table *t = &c->t[ids[i]];
    stark_lookup lk = *trace_table_lookup(t);
    lk.challenges = ch;
    bb_t *m;
    unsigned lg;
    assert_int_equal(trace_shard(t, log_shard, 0, &m, &lg), TRACE_OK);
    bb_t pub[CPU_PUBLIC];
    unsigned np = trace_shard_public(ids[i], m, lg, pub);
    assert_cuda_same_lookup_proof(trace_table_air(t), &lk, m, lg, np ? pub : NULL);
    free(m);
  }
}

#endif

#endif
