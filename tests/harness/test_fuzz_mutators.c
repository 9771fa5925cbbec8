/* The fuzzers' entry points over the block mutator: the libFuzzer hooks of
 * fuzz/mutator.inc and the AFL++ library of fuzz/afl_mutator.c, compiled into
 * this test and called as the fuzzers call them. Every output is a block that
 * decodes and executes (EVM_OK); max sizes are respected; the AFL++ stream is
 * deterministic for its init seed; crossover is used when a partner is given.
 * (tests/harness/e2e_afl_mutator.sh loads the built .so with dlopen.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evm/evm.h"
#include "mutate.h"

#define FZ_MUT_OPTS(o) ((o).max_txs = 64)
#include "../../fuzz/afl_mutator.c"
#include "../../fuzz/mutator.inc"

static uint8_t *read_blk(const char *name, size_t *len) {
  char path[256];
  snprintf(path, sizeof path, "corpus/smoke/%s_1M.blk", name);
  uint8_t *p;
  if (blk_read_bytes(path, &p, len) != BLK_OK) fail_msg("cannot read %s", path);
  return p;
}

static void check_block(const uint8_t *p, size_t n) {
  assert_true(n > 0);
  blk_block b;
  assert_int_equal(blk_decode(p, n, &b, NULL), BLK_OK);
  assert_true(blk_total_tx_gas(&b) <= b.env.gas_limit);
  assert_true(b.n_txs <= 64);
  evm_block_result r;
  assert_int_equal(evm_execute_block(&b, NULL, &r), EVM_OK);
  evm_block_result_free(&r);
  blk_free(&b);
}

static void test_libfuzzer_hooks(void **state) {
  (void)state;
  size_t la, lb;
  uint8_t *a = read_blk("sload_cold", &la), *b = read_blk("transfers", &lb);
  size_t max = 1 << 16;
  uint8_t *data = malloc(max), *out = malloc(max);
  assert_non_null(data);
  assert_non_null(out);
  memcpy(data, a, la);
  size_t n = la;
  for (unsigned s = 0; s < 150; s++) {
    n = LLVMFuzzerCustomMutator(data, n, max, s);
    assert_true(n <= max);
    check_block(data, n);
    size_t c = LLVMFuzzerCustomCrossOver(data, n, b, lb, out, max, s);
    assert_true(c <= max);
    check_block(out, c);
  }
  /* garbage in: a valid block out */
  memcpy(data, "not a block", 11);
  n = LLVMFuzzerCustomMutator(data, 11, max, 1);
  check_block(data, n);
  /* nothing fits: the input is left as it was */
  memcpy(data, a, la);
  assert_int_equal(LLVMFuzzerCustomMutator(data, la, 16, 2), la);
  assert_memory_equal(data, a, la);
  free(data);
  free(out);
  free(a);
  free(b);
}

static void test_afl_custom_fuzz(void **state) {
  (void)state;
  size_t la, lb;
  uint8_t *a = read_blk("mulmod", &la), *b = read_blk("call", &lb);
  void *m1 = afl_custom_init(NULL, 7), *m2 = afl_custom_init(NULL, 7);
  assert_non_null(m1);
  assert_non_null(m2);
  uint8_t *cur = malloc(1 << 16);
  assert_non_null(cur);
  memcpy(cur, a, la);
  size_t n = la;
  int crossed = 0;
  for (int k = 0; k < 200; k++) {
    uint8_t *o1, *o2;
    uint8_t *add = k % 2 ? b : NULL;
    size_t add_len = k % 2 ? lb : 0;
    size_t n1 = afl_custom_fuzz(m1, cur, n, &o1, add, add_len, 1 << 16);
    size_t n2 = afl_custom_fuzz(m2, cur, n, &o2, add, add_len, 1 << 16);
    assert_int_equal(n1, n2); /* same init seed, same stream */
    assert_memory_equal(o1, o2, n1);
    check_block(o1, n1);
    /* a child with one of b's contracts (0x..1001, the callee) came from b */
    blk_block c;
    assert_int_equal(blk_decode(o1, n1, &c, NULL), BLK_OK);
    for (size_t i = 0; i < c.n_accounts; i++)
      crossed |= add && c.accounts[i].code_ref && c.accounts[i].address.b[18] == 0x10 && c.accounts[i].address.b[19] == 0x01;
    blk_free(&c);
    memcpy(cur, o1, n1);
    n = n1;
  }
  assert_true(crossed);
  uint8_t *o;
  assert_int_equal(afl_custom_fuzz(m1, a, la, &o, NULL, 0, 8), 0); /* nothing fits 8 bytes */
  afl_custom_deinit(m1);
  afl_custom_deinit(m2);
  afl_custom_deinit(NULL);
  free(cur);
  free(a);
  free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_libfuzzer_hooks),
      cmocka_unit_test(test_afl_custom_fuzz),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
