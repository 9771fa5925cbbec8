/* Interpreter: operand order, exceptional halts (stack, jumps, undefined
 * opcodes), gas of EXP and memory expansion, fork gating (CLZ, Osaka), PUSH
 * and calldata padding, transient storage lifetime and MCOPY. Expected gas
 * figures are derived by hand from the Yellow Paper / EIP formulas in the
 * comments next to them. */
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

/* Run code at C with one call tx; returns the tx result. */
static const evm_tx_result *run1(tu_world *w, blk_fork fork, const char *code, uint64_t gas, const char *data) {
  tu_init(w, fork);
  tu_contract(w, C, code, 0);
  tu_tx(w, C, gas, 0, data);
  assert_int_equal(tu_run(w, NULL), EVM_OK);
  assert_int_equal(w->r.n_txs, 1);
  return &w->r.txs[0];
}

static void test_operand_order(void **s) {
  (void)s;
  tu_world w;
  /* 5 - 3 -> slot 0; 6 / 2 -> slot 1; (0 - 6) sdiv 2 = -3 -> slot 2;
   * 1 << 4 -> slot 3; 7 % 3 -> slot 4; 2 < 3 -> slot 5; 10 exp 2 = 100 -> slot 6 */
  const evm_tx_result *t = run1(&w, BLK_FORK_CANCUN,
                                "6003600503600055"
                                "6002600604600155"
                                "6002600660000305600255"
                                "600160041b600355"
                                "6003600706600455"
                                "6003600210600555"
                                "6002600a0a600655",
                                1000000, "");
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  assert_int_equal(tu_storage64(&w, C, 0), 2);
  assert_int_equal(tu_storage64(&w, C, 1), 3);
  u256 m3 = tu_storage(&w, C, 2), three = u256_from_u64(3), neg;
  u256_neg(&neg, &three);
  assert_true(u256_eq(&m3, &neg));
  assert_int_equal(tu_storage64(&w, C, 3), 16);
  assert_int_equal(tu_storage64(&w, C, 4), 1);
  assert_int_equal(tu_storage64(&w, C, 5), 1);
  assert_int_equal(tu_storage64(&w, C, 6), 100);
  tu_free(&w);
}

static void test_exp_gas(void **s) {
  (void)s;
  tu_world w;
  /* PUSH2 0x0100 (3) PUSH1 2 (3) EXP (10 + 50 * 2 exponent bytes) STOP:
   * 116 on top of the 21000 intrinsic gas. */
  const evm_tx_result *t = run1(&w, BLK_FORK_CANCUN, "6101006002" "0a00", 100000, "");
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  assert_int_equal(t->gas_used, 21000 + 116);
  tu_free(&w);
  /* Exponent 0: 10 + 0 */
  t = run1(&w, BLK_FORK_CANCUN, "600060020a00", 100000, "");
  assert_int_equal(t->gas_used, 21000 + 16);
  tu_free(&w);
}

static void test_memory_gas(void **s) {
  (void)s;
  tu_world w;
  /* MSTORE at 0x400: 33 words, 3*33 + 33*33/512 = 101; plus 3 + 3 + 3. */
  const evm_tx_result *t = run1(&w, BLK_FORK_CANCUN, "600161040052" "00", 100000, "");
  assert_int_equal(t->gas_used, 21000 + 110);
  tu_free(&w);
  /* MSTORE at 0x10000: 2049 words, 6147 + 4198401/512 (8200) = 14347. */
  t = run1(&w, BLK_FORK_CANCUN, "60016201000052" "00", 100000, "");
  assert_int_equal(t->gas_used, 21000 + 9 + 14347);
  tu_free(&w);
  /* MSIZE after MSTORE8 at 0x20: 2 words = 64 bytes -> slot 0. */
  t = run1(&w, BLK_FORK_CANCUN, "600160205359600055", 100000, "");
  assert_int_equal(tu_storage64(&w, C, 0), 64);
  tu_free(&w);
  /* An offset beyond 2^32 is out of gas: all gas used. */
  t = run1(&w, BLK_FORK_CANCUN, "6001640100000000" "52", 100000, "");
  assert_int_equal(t->status, EVM_TX_HALT);
  assert_int_equal(t->gas_used, 100000);
  tu_free(&w);
}

static void test_halts(void **s) {
  (void)s;
  tu_world w;
  const char *halting[] = {
      "01",                 /* stack underflow */
      "6003565b",           /* jump to pc 3... which is JUMPDEST? no: pc 3 is 5b -> valid, see below */
      "600456605b00",       /* jump into PUSH1 data (the 0x5b at pc 4) */
      "606456",             /* jump past the end */
      "0c",                 /* undefined opcode */
      "fe",                 /* INVALID */
      "1e",                 /* CLZ is not a Cancun instruction */
  };
  for (size_t i = 0; i < sizeof halting / sizeof *halting; i++) {
    const evm_tx_result *t = run1(&w, BLK_FORK_CANCUN, halting[i], 50000, "");
    if (i == 1) {
      assert_int_equal(t->status, EVM_TX_SUCCESS); /* valid JUMPDEST */
    } else {
      assert_int_equal(t->status, EVM_TX_HALT);
      assert_int_equal(t->gas_used, 50000);
    }
    tu_free(&w);
  }
}

static void test_stack_limit(void **s) {
  (void)s;
  tu_world w;
  char code[2 * 1100 + 1];
  /* 1024 PUSH0 fit; 1025 overflow. */
  for (int n = 1024; n <= 1025; n++) {
    for (int i = 0; i < n; i++) memcpy(code + 2 * i, "5f", 2);
    code[2 * n] = 0;
    const evm_tx_result *t = run1(&w, BLK_FORK_CANCUN, code, 100000, "");
    assert_int_equal(t->status, n == 1024 ? EVM_TX_SUCCESS : EVM_TX_HALT);
    tu_free(&w);
  }
}

static void test_clz_osaka(void **s) {
  (void)s;
  tu_world w;
  /* CLZ(1) = 255, CLZ(0) = 256 */
  const evm_tx_result *t = run1(&w, BLK_FORK_OSAKA, "60011e600055" "5f1e600155", 100000, "");
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  assert_int_equal(tu_storage64(&w, C, 0), 255);
  assert_int_equal(tu_storage64(&w, C, 1), 256);
  tu_free(&w);
  t = run1(&w, BLK_FORK_PRAGUE, "60011e600055", 100000, "");
  assert_int_equal(t->status, EVM_TX_HALT);
  tu_free(&w);
}

static void test_calldata_padding(void **s) {
  (void)s;
  tu_world w;
  /* CALLDATALOAD(1) of 0xaabb -> 0xbb followed by 31 zero bytes. */
  const evm_tx_result *t = run1(&w, BLK_FORK_CANCUN, "600135600055" "36600155", 100000, "aabb");
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  u256 v = tu_storage(&w, C, 0);
  assert_int_equal(v.w[3], UINT64_C(0xbb) << 56);
  assert_int_equal(v.w[0] | v.w[1] | v.w[2], 0);
  assert_int_equal(tu_storage64(&w, C, 1), 2);
  tu_free(&w);
  /* PUSH2 with one byte left: 0x01 then one zero byte: 0x0100 (stored via DUP). */
  t = run1(&w, BLK_FORK_CANCUN, "60026000" "55" "61", 100000, "");
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  tu_free(&w);
}

static void test_transient(void **s) {
  (void)s;
  tu_world w;
  /* No calldata: TSTORE(1, 42); SSTORE(0, TLOAD(1)).
   * With calldata: SSTORE(1, TLOAD(1) + 1): 1 when transient storage was
   * cleared between transactions, 43 otherwise. */
  const char *code = "36601057" "602a60015d" "60015c600055" "00" "5b60015c60010160015500";
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C, code, 0);
  tu_tx(&w, C, 100000, 0, "");
  tu_tx(&w, C, 100000, 0, "01");
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
  assert_int_equal(w.r.txs[1].status, EVM_TX_SUCCESS);
  assert_int_equal(tu_storage64(&w, C, 0), 42);
  assert_int_equal(tu_storage64(&w, C, 1), 1);
  tu_free(&w);
}

static void test_mcopy(void **s) {
  (void)s;
  tu_world w;
  /* MSTORE(0, 0x1122); MCOPY(dst 1, src 0, 32) (overlapping, memmove
   * semantics); MLOAD(1) == 0x1122; MSIZE == 64. */
  const evm_tx_result *t = run1(&w, BLK_FORK_CANCUN, "611122600052" "6020600060015e" "600151600055" "59600155",
                                100000, "");
  assert_int_equal(t->status, EVM_TX_SUCCESS);
  assert_int_equal(tu_storage64(&w, C, 0), 0x1122);
  assert_int_equal(tu_storage64(&w, C, 1), 64);
  tu_free(&w);
}

static void test_env(void **s) {
  (void)s;
  tu_world w;
  /* NUMBER, TIMESTAMP, CHAINID, BASEFEE, GASPRICE, CALLVALUE, CODESIZE,
   * SELFBALANCE into slots 0..7; BLOBBASEFEE (excess 0 -> 1) into slot 8. */
  const char *code = "43600055" "42600155" "46600255" "48600355" "3a600455" "34600555" "38600655" "47600755"
                     "4a600855";
  tu_init(&w, BLK_FORK_CANCUN);
  tu_contract(&w, C, code, 0);
  tu_tx(&w, C, 400000, 9, "");
  assert_int_equal(tu_run(&w, NULL), EVM_OK);
  assert_int_equal(w.r.txs[0].status, EVM_TX_SUCCESS);
  assert_int_equal(tu_storage64(&w, C, 0), 10);
  assert_int_equal(tu_storage64(&w, C, 1), 1000);
  assert_int_equal(tu_storage64(&w, C, 2), 1);
  assert_int_equal(tu_storage64(&w, C, 3), 7);
  assert_int_equal(tu_storage64(&w, C, 4), 8); /* min(10, 7 + 1) */
  assert_int_equal(tu_storage64(&w, C, 5), 9);
  assert_int_equal(tu_storage64(&w, C, 6), strlen(code) / 2);
  assert_int_equal(tu_storage64(&w, C, 7), 9);
  assert_int_equal(tu_storage64(&w, C, 8), 1);
  tu_free(&w);
}

static void test_blob_base_fee(void **s) {
  (void)s;
  uint8_t out[32];
  /* fake_exponential(1, 0, f) = 1; for excess = f the value is floor(e) = 2. */
  evm_blob_base_fee(BLK_FORK_CANCUN, 0, out);
  assert_int_equal(out[31], 1);
  evm_blob_base_fee(BLK_FORK_CANCUN, 3338477, out);
  assert_int_equal(out[31], 2);
  evm_blob_base_fee(BLK_FORK_PRAGUE, 5007716, out);
  assert_int_equal(out[31], 2);
  /* 10 * f: e^10 = 22026.47 -> 22026 (the Taylor sum in integers floors
   * each term, so allow the exact integer result 22026 only). */
  evm_blob_base_fee(BLK_FORK_CANCUN, 33384770, out);
  assert_int_equal((out[30] << 8) | out[31], 22026);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_operand_order), cmocka_unit_test(test_exp_gas),
      cmocka_unit_test(test_memory_gas),    cmocka_unit_test(test_halts),
      cmocka_unit_test(test_stack_limit),   cmocka_unit_test(test_clz_osaka),
      cmocka_unit_test(test_calldata_padding), cmocka_unit_test(test_transient),
      cmocka_unit_test(test_mcopy),         cmocka_unit_test(test_env),
      cmocka_unit_test(test_blob_base_fee),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
