/* stark_test_util: the small proving configuration the STARK tests share:
 * few queries, cheap grinding, a short final polynomial and one thread, so
 * that proofs are quick and deterministic; lb is the log blowup. Only the
 * soundness level differs from stark_config_default(), not the protocol.
 * And the check that two proofs are the same bytes, and that a shard with
 * interactions proves to the same bytes on the CUDA backend (include
 * cmocka.h first). */
#ifndef PKB_TESTS_STARK_TEST_UTIL_H
#define PKB_TESTS_STARK_TEST_UTIL_H

#include <stdint.h>
#include <stdlib.h>

#include "cuda/cu.h"
#include "stark/stark.h"

static inline stark_config test_cfg(unsigned lb) {
  stark_config c = stark_config_default();
  c.fri.log_blowup = lb;
  c.fri.num_queries = 12;
  c.fri.pow_bits = 4;
  c.fri.log_final_len = 2;
  c.threads = 1;
  return c;
}

/* a and b serialise to the same bytes. */
static inline void assert_same_proof_bytes(const stark_proof *a, const stark_proof *b) {
  uint8_t *ba, *bb;
  size_t la, lb;
  assert_int_equal(stark_proof_serialize(a, &ba, &la), STARK_OK);
  assert_int_equal(stark_proof_serialize(b, &bb, &lb), STARK_OK);
  assert_int_equal(la, lb);
  assert_memory_equal(ba, bb, la);
  free(ba);
  free(bb);
}

/* The shard m (2^lg rows) of air with interactions lk (challenges set) and
 * public values pub (NULL: none) committed (stark_commit_main) and proven on
 * the CUDA backend, on the kernels' CPU emulation and, when there is one, on
 * the GPU: the CPU backend's trace root and proof bytes, the quotient made
 * on the device. */
static inline void assert_cuda_same_lookup_proof(const stark_air *air, const stark_lookup *lk, const bb_t *m,
                                                 unsigned lg, const bb_t *pub) {
  stark_config cfg = stark_config_default();
  cfg.fri = fri_params_for(1, 24);
  stark_proof pc;
  assert_int_equal(stark_prove_lookup(air, lk, &cfg, m, lg, pub, &pc, NULL), STARK_OK);
  merkle_digest root;
  assert_int_equal(stark_commit_main(air, &cfg, m, lg, &root), STARK_OK);
  assert_memory_equal(&root, &pc.trace_root, sizeof root);
  for (int emulate = 1; emulate >= 0; emulate--) {
    stark_config gc = cfg;
    gc.backend = STARK_BACKEND_CUDA;
    stark_timings tm;
    stark_proof pg;
    int prev = cu_set_emulation(emulate);
    int rc = stark_prove_lookup(air, lk, &gc, m, lg, pub, &pg, &tm);
    merkle_digest groot;
    int crc = stark_commit_main(air, &gc, m, lg, &groot);
    cu_set_emulation(prev);
    if (rc == STARK_ERR_DEVICE && !emulate) continue; /* no GPU */
    assert_int_equal(rc, STARK_OK);
    assert_int_equal(crc, STARK_OK); /* the early commitment on the device: the same root */
    assert_memory_equal(&groot, &pc.trace_root, sizeof groot);
    assert_true(tm.quotient_device);
    assert_same_proof_bytes(&pc, &pg);
    stark_proof_free(&pg);
  }
  stark_proof_free(&pc);
}

#endif
