/* CALL family: contexts (CALLER, CALLVALUE, storage of DELEGATECALL), the
 * static-context write protection, revert data, balance failure, the 63/64
 * rule, the value stipend and the new-account surcharge. Gas figures are
 * worked out in the comments from the EIP-150/2929 formulas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evm_test_util.h"

#define B 0x2000 /* stores CALLER -> 0, CALLVALUE -> 1 */
#define B_CODE "33600055" "34600155" "00"
#define B2 0x2100 /* reverts with the word 42 */
#define B2_CODE "602a600052" "60206000fd"
#define B3 0x2200 /* INVALID */

static void world(tu_world *w) {
  tu_init(w, BLK_FORK_CANCUN);
  tu_contract(w, B, B_CODE, 0);
  tu_contract(w, B2, B2_CODE, 0);
  tu_contract(w, B3, "fe", 0);
}

static const evm_tx_result *call_from(tu_world *w, uint64_t a, const char *code, uint64_t bal, uint64_t gas,
                                      uint64_t value) {
  world(w);
  tu_contract(w, a, code, bal);
  tu_tx(w, a, gas, value, "");
  assert_int_equal(tu_run(w, NULL), EVM_OK);
  return &w->r.txs[0];
}

static void test_call_value_context(void **s) {
  (void)s;
  tu_world w;
  /* CALL(gas, B, 5, 0, 0, 0, 0); SSTORE(0, success) */
  const evm_tx_result *t =
      call_from(&w, 0x1000, "60006000600060006005612000" "5af1" "600055" "00", 100, 200000, 0);
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  assert_int_equal(tu_storage64(&w, 0x1000, 0), 1);
  assert_int_equal(tu_storage64(&w, B, 0), 0x1000);
  assert_int_equal(tu_storage64(&w, B, 1), 5);
  uint8_t addr[20], bal[32];
  int ex;
  tu_addr(addr, B);
  evm_state_account(w.r.state, addr, &ex, NULL, bal, NULL, NULL);
  assert_true(ex);
  assert_int_equal(bal[31], 5);
  tu_free(&w);
}

static void test_delegatecall(void **s) {
  (void)s;
  tu_world w;
  /* DELEGATECALL(gas, B, 0, 0, 0, 0): B's code writes the caller's storage
   * with the caller's CALLER (the sender) and CALLVALUE (3). */
  const evm_tx_result *t = call_from(&w, 0x1100, "6000600060006000612000" "5af4" "600255" "00", 0, 200000, 3);
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  u256 caller = tu_storage(&w, 0x1100, 0), want;
  u256_from_addr(&want, w.sender);
  assert_true(u256_eq(&caller, &want));
  assert_int_equal(tu_storage64(&w, 0x1100, 1), 3);
  assert_int_equal(tu_storage64(&w, 0x1100, 2), 1);
  assert_int_equal(tu_storage64(&w, B, 0), 0);
  tu_free(&w);
}

static void test_staticcall_protection(void **s) {
  (void)s;
  tu_world w;
  /* STATICCALL(65535, B, ...) to B (which writes storage) fails and burns
   * its 65535 gas: success + 1 == 1. */
  const evm_tx_result *t = call_from(&w, 0x1200, "6000600060006000612000" "61fffffa" "600101600055" "00", 0, 200000, 0);
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  assert_int_equal(tu_storage64(&w, 0x1200, 0), 1);
  assert_int_equal(tu_storage64(&w, B, 0), 0);
  tu_free(&w);
}

static void test_revert_data(void **s) {
  (void)s;
  tu_world w;
  /* CALL B2; slot 2 = success + 1; slot 0 = RETURNDATASIZE;
   * RETURNDATACOPY(0, 0, 32); slot 1 = MLOAD(0). */
  const evm_tx_result *t = call_from(&w, 0x1300,
                                     "60006000600060006000612100" "5af1" "600101600255" "3d600055"
                                     "602060006000" "3e" "600051600155" "00",
                                     0, 200000, 0);
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  assert_int_equal(tu_storage64(&w, 0x1300, 2), 1);
  assert_int_equal(tu_storage64(&w, 0x1300, 0), 32);
  assert_int_equal(tu_storage64(&w, 0x1300, 1), 42);
  tu_free(&w);
  /* RETURNDATACOPY past the end halts. */
  t = call_from(&w, 0x1300, "60006000600060006000612100" "5af1" "602160006000" "3e" "00", 0, 200000, 0);
  assert_int_equal(t->status, EVM_TX_HALT);
  tu_free(&w);
}

static void test_insufficient_balance(void **s) {
  (void)s;
  tu_world w;
  /* Value 1 from an account with no balance: the call fails, 0 pushed. */
  const evm_tx_result *t = call_from(&w, 0x1400, "60006000600060006001612000" "5af1" "600101600055" "00", 0, 200000, 0);
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  assert_int_equal(tu_storage64(&w, 0x1400, 0), 1);
  tu_free(&w);
}

static void test_callee_failure_gas(void **s) {
  (void)s;
  tu_world w;
  /* CALL(1000, B3, 0, ...) where B3 halts: 5 pushes (15) + PUSH2 (3) +
   * PUSH2 (3) + cold CALL 2600 + the 1000 given away, then PUSH1, ADD,
   * PUSH1 (9) and a cold 0 -> 1 SSTORE (22100). */
  const evm_tx_result *t =
      call_from(&w, 0x1500, "60006000600060006000612200" "6103e8" "f1" "600101600055" "00", 0, 200000, 0);
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  assert_int_equal(tu_storage64(&w, 0x1500, 0), 1);
  assert_int_equal(t->gas_used, 21000 + 15 + 3 + 3 + 2600 + 1000 + 9 + 22100);
  tu_free(&w);
}

static void test_63_64(void **s) {
  (void)s;
  tu_world w;
  /* gas 100000: 79000 after the intrinsic cost; 5 pushes, PUSH2, GAS (20)
   * leave 78980; the cold CALL costs 2600 -> 76380; the callee gets
   * 76380 - floor(76380 / 64) = 75187 and burns it; 1193 remain. */
  const evm_tx_result *t = call_from(&w, 0x1600, "60006000600060006000612200" "5a" "f1" "00", 0, 100000, 0);
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  assert_int_equal(t->gas_used, 100000 - 1193);
  tu_free(&w);
}

static void test_new_account_and_stipend(void **s) {
  (void)s;
  tu_world w;
  /* CALL(0, 0x3333, 1, ...): cold 2600 + value 9000 + new account 25000;
   * the callee gets the 2300 stipend (not taken from the caller), has no
   * code and returns it, so the caller ends 2300 up. */
  const evm_tx_result *t = call_from(&w, 0x1700, "60006000600060006001613333" "6000" "f1" "00", 100, 200000, 0);
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  assert_int_equal(t->gas_used, 21000 + 15 + 3 + 3 + 2600 + 9000 + 25000 - 2300);
  uint8_t addr[20], bal[32];
  int ex;
  tu_addr(addr, 0x3333);
  evm_state_account(w.r.state, addr, &ex, NULL, bal, NULL, NULL);
  assert_true(ex);
  assert_int_equal(bal[31], 1);
  tu_free(&w);
  /* Zero-value call to an absent account leaves it absent (EIP-161). */
  t = call_from(&w, 0x1700, "60006000600060006000613333" "6000" "f1" "00", 100, 200000, 0);
  tu_addr(addr, 0x3333);
  evm_state_account(w.r.state, addr, &ex, NULL, bal, NULL, NULL);
  assert_false(ex);
  tu_free(&w);
}

static void test_unsupported_precompile(void **s) {
  (void)s;
  /* Whichever precompile this build lacks (if any) must stop the block with
   * EVM_E_UNSUPPORTED_PRECOMPILE instead of producing a result. */
  for (int id = 1; id < EVM_PC_COUNT; id++) {
    uint8_t *out = NULL;
    size_t out_len = 0;
    evm_pc_work wk;
    memset(&wk, 0, sizeof wk);
    int rc = evm_pc_run((evm_pc_id)id, BLK_FORK_OSAKA, NULL, 0, &out, &out_len, &wk);
    free(out);
    if (rc != EVM_PC_UNSUPPORTED) continue;
    uint8_t pa[20];
    evm_pc_address((evm_pc_id)id, pa);
    tu_world w;
    tu_init(&w, BLK_FORK_OSAKA);
    tu_contract(&w, 0x1000, "00", 0);
    tu_tx(&w, 0x1000, 100000, 0, "");
    blk_tx *t = tu_tx(&w, 0x1000, 5000000, 0, "");
    memcpy(t->to.b, pa, 20);
    assert_int_equal(tu_run(&w, NULL), EVM_E_UNSUPPORTED_PRECOMPILE);
    assert_int_equal(w.r.status, EVM_E_UNSUPPORTED_PRECOMPILE);
    assert_int_equal(w.r.n_txs, 1); /* the first transaction completed */
    tu_free(&w);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_call_value_context), cmocka_unit_test(test_delegatecall),
      cmocka_unit_test(test_staticcall_protection), cmocka_unit_test(test_revert_data),
      cmocka_unit_test(test_insufficient_balance), cmocka_unit_test(test_callee_failure_gas),
      cmocka_unit_test(test_63_64),              cmocka_unit_test(test_new_account_and_stipend),
      cmocka_unit_test(test_unsupported_precompile),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
