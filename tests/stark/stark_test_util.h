/* stark_test_util: the small proving configuration the STARK tests share:
 * few queries, cheap grinding, a short final polynomial and one thread, so
 * that proofs are quick and deterministic; lb is the log blowup. Only the
 * soundness level differs from stark_config_default(), not the protocol.
 * And the check that two proofs are the same bytes (include cmocka.h
 * first). */
#ifndef PKB_TESTS_STARK_TEST_UTIL_H
#define PKB_TESTS_STARK_TEST_UTIL_H

#include <stdint.h>
#include <stdlib.h>

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

#endif
