/* SSTORE gas and refunds (EIP-2200 as amended by EIP-2929 and EIP-3529).
 *
 * The cases are the table of EIP-3529 ("Test cases", London column): code,
 * gas used by the code and refund, for a slot whose original value is 0 or 1
 * and which is already warm. Here the slot is warmed through the transaction's
 * access list (2400 + 1900 intrinsic gas), and the refund is applied by the
 * transaction capped at a fifth of the gas used. Cold slots and the 2300-gas
 * sentry are checked separately. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evm_test_util.h"

#define C 0x1000

typedef struct {
  const char *code;
  uint64_t used, refund, original;
} sstore_case;

static const sstore_case cases[] = {
    {"60006000556000600055", 212, 0, 0},
    {"60006000556001600055", 20112, 0, 0},
    {"60016000556000600055", 20112, 19900, 0},
    {"60016000556002600055", 20112, 0, 0},
    {"60016000556001600055", 20112, 0, 0},
    {"60006000556000600055", 3012, 4800, 1},
    {"60006000556001600055", 3012, 2800, 1},
    {"60006000556002600055", 3012, 0, 1},
    {"60026000556000600055", 3012, 4800, 1},
    {"60026000556003600055", 3012, 0, 1},
    {"60026000556001600055", 3012, 2800, 1},
    {"60026000556002600055", 3012, 0, 1},
    {"60016000556000600055", 3012, 4800, 1},
    {"60016000556002600055", 3012, 0, 1},
    {"60016000556001600055", 212, 0, 1},
    {"600160005560006000556001600055", 40118, 19900, 0},
    {"600060005560016000556000600055", 5918, 7600, 1},
};

static blk_u256 slot0_key; /* zero */

static void test_eip3529_table(void **s) {
  (void)s;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tu_world w;
    tu_init(&w, BLK_FORK_CANCUN);
    blk_account *a = tu_contract(&w, C, cases[i].code, 0);
    if (cases[i].original) tu_slot(a, 0, cases[i].original);
    blk_tx *t = tu_tx(&w, C, 200000, 0, "");
    t->access_list = calloc(1, sizeof *t->access_list);
    tu_addr(t->access_list[0].address.b, C);
    t->access_list[0].keys = &slot0_key;
    t->access_list[0].n_keys = 1;
    t->n_access_list = 1;
    assert_int_equal(tu_run(&w, NULL), EVM_OK);
    const evm_tx_result *r = &w.r.txs[0];
    assert_int_equal(r->status, EVM_TX_SUCCESS);
    uint64_t total = 21000 + 2400 + 1900 + cases[i].used;
    uint64_t refund = cases[i].refund < total / 5 ? cases[i].refund : total / 5;
    assert_int_equal(r->gas_refund, refund);
    assert_int_equal(r->gas_used, total - refund);
    tu_free(&w);
  }
}

static void test_cold_slot(void **s) {
  (void)s;
  tu_world w;
  /* Cold slot, 0 -> 1: 2100 + 20000 plus two pushes. SLOAD of another cold
   * slot: 2100, then warm: 100. */
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C, "6001600055", 0);
  tu_tx(&w, C, 100000, 0, "");
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  assert_int_equal(w.r.txs[0].gas_used, 21000 + 6 + 22100);
  tu_free(&w);
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C, "600554" "600554" "00", 0);
  tu_tx(&w, C, 100000, 0, "");
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  assert_int_equal(w.r.txs[0].gas_used, 21000 + 3 + 2100 + 3 + 100);
  tu_free(&w);
}

static void test_sentry(void **s) {
  (void)s;
  /* With 2300 gas or less left, SSTORE fails even for a no-op store. The
   * intrinsic gas is 21000; give the code 6 + 2300 gas: the two pushes leave
   * exactly 2300. */
  tu_world w;
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C, "6000600055", 0);
  tu_tx(&w, C, 21000 + 6 + 2300, 0, "");
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  assert_int_equal(w.r.txs[0].status, EVM_TX_HALT);
  tu_free(&w);
  /* One more gas: cold no-op store costs 2200 and succeeds. */
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C, "6000600055", 0);
  tu_tx(&w, C, 21000 + 6 + 2301, 0, "");
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
  assert_int_equal(w.r.txs[0].gas_used, 21000 + 6 + 2200);
  tu_free(&w);
}

static void test_original_across_txs(void **s) {
  (void)s;
  /* tx 1 sets slot 0 to 1 (from 0); in tx 2 the original is 1, so a store of
   * 2 is a reset (2900 warm after the 2100 cold), not a set. */
  tu_world w;
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C, "60003560005500", 0); /* SSTORE(0, CALLDATALOAD(0)) */
  tu_tx(&w, C, 100000, 0, "0000000000000000000000000000000000000000000000000000000000000001");
  tu_tx(&w, C, 100000, 0, "0000000000000000000000000000000000000000000000000000000000000002");
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  /* calldata: 31 zero bytes (4 each) + 1 non-zero (16) = 140 */
  uint64_t intrinsic = 21000 + 31 * 4 + 16;
  assert_int_equal(w.r.txs[0].gas_used, intrinsic + 3 + 3 + 3 + 22100);
  assert_int_equal(w.r.txs[1].gas_used, intrinsic + 3 + 3 + 3 + 5000);
  assert_int_equal(tu_storage64(&w, C, 0), 2);
  tu_free(&w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_eip3529_table),
      cmocka_unit_test(test_cold_slot),
      cmocka_unit_test(test_sentry),
      cmocka_unit_test(test_original_across_txs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
