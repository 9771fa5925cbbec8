/* Worst-case generators: every scenario yields a valid block that fits the gas
 * limit and the per-transaction cap, fills it, is deterministic, and executes:
 * every transaction valid, every loop running until it is out of gas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blk.h"
#include "evm/evm.h"
#include "gen.h"

static void test_every_scenario_valid_and_fits(void **state) {
  (void)state;
  const uint64_t limits[] = {1000000, 45000000, 60000000};
  for (size_t li = 0; li < 3; li++) {
    for (int f = 0; f < BLK_FORK_COUNT; f++) {
      gen_params p = {limits[li], (blk_fork)f, 0};
      for (size_t i = 0; i < gen_scenario_count(); i++) {
        const char *name = gen_scenario_name(i);
        blk_block b;
        assert_int_equal(gen_worst_case(name, &p, &b), GEN_OK);
        assert_int_equal(blk_validate(&b, NULL), BLK_OK);
        uint64_t total = blk_total_tx_gas(&b);
        assert_true(total <= p.gas_limit);
        for (size_t t = 0; t < b.n_txs; t++) assert_true(b.txs[t].gas_limit <= GEN_TX_GAS_CAP);
        if (strcmp(name, "empty") == 0) {
          assert_int_equal(b.n_txs, 0);
        } else {
          assert_true(b.n_txs > 0);
          /* filled: what is left could not hold one more transaction of the
           * scenario's size (capped). */
          uint64_t per = b.txs[0].gas_limit;
          assert_true(p.gas_limit - total < per);
        }
        assert_int_equal(b.env.gas_limit, p.gas_limit);
        assert_int_equal(b.env.fork, f);
        blk_free(&b);
      }
    }
  }
}

/* Every scenario at 1M gas on every fork executes with all transactions valid
 * and no precompile missing; a transaction calling a loop runs out of gas
 * (an exceptional halt, all its gas used) rather than stopping or reverting
 * (the precompile loops revert when a call fails), and the others succeed. */
static void test_every_scenario_executes(void **state) {
  (void)state;
  static const uint8_t loop_contract[20] = {[18] = 0x10, [19] = 0x00};
  for (int f = 0; f < BLK_FORK_COUNT; f++) {
    gen_params p = {1000000, (blk_fork)f, 0};
    for (size_t i = 0; i < gen_scenario_count(); i++) {
      const char *name = gen_scenario_name(i);
      blk_block b;
      evm_block_result r;
      assert_int_equal(gen_worst_case(name, &p, &b), GEN_OK);
      int rc = evm_execute_block(&b, NULL, &r);
      if (rc != EVM_OK) print_error("%s on %s: %s\n", name, blk_fork_name((blk_fork)f), evm_strerror(rc));
      assert_int_equal(rc, EVM_OK);
      assert_int_equal(r.n_txs, b.n_txs);
      for (size_t t = 0; t < b.n_txs; t++) {
        const evm_tx_result *x = &r.txs[t];
        if (x->status == EVM_TX_INVALID)
          print_error("%s on %s: tx %zu invalid (%s)\n", name, blk_fork_name((blk_fork)f), t,
                      evm_invalid_name(x->invalid));
        assert_int_not_equal(x->status, EVM_TX_INVALID);
        if (memcmp(b.txs[t].to.b, loop_contract, 20) == 0) {
          if (x->status != EVM_TX_HALT) print_error("%s on %s: tx %zu status %d\n", name, blk_fork_name((blk_fork)f), t, (int)x->status);
          assert_int_equal(x->status, EVM_TX_HALT);
          assert_int_equal(x->gas_used, b.txs[t].gas_limit);
        } else {
          assert_int_equal(x->status, EVM_TX_SUCCESS);
        }
      }
      if (strcmp(name, "point_evaluation") == 0) {
        /* its loop is unchecked: a valid proof makes each call cost 50000
         * gas, about 19 calls of 9 steps in 1M gas; a rejected one would eat
         * 63/64 of the gas left per call and end after a handful of steps */
        assert_true(r.steps >= 150);
      }
      evm_block_result_free(&r);
      blk_free(&b);
    }
  }
}

static void test_deterministic(void **state) {
  (void)state;
  gen_params p = {30000000, BLK_FORK_OSAKA, 7};
  for (size_t i = 0; i < gen_scenario_count(); i++) {
    blk_block a, b;
    char ha[65], hb[65];
    assert_int_equal(gen_worst_case(gen_scenario_name(i), &p, &a), GEN_OK);
    assert_int_equal(gen_worst_case(gen_scenario_name(i), &p, &b), GEN_OK);
    assert_int_equal(blk_content_hash(&a, ha), BLK_OK);
    assert_int_equal(blk_content_hash(&b, hb), BLK_OK);
    assert_string_equal(ha, hb);
    blk_free(&a);
    blk_free(&b);
  }
}

static void test_bad_params(void **state) {
  (void)state;
  blk_block b;
  gen_params p = {20999, BLK_FORK_OSAKA, 0};
  assert_int_equal(gen_worst_case("keccak", &p, &b), GEN_E_PARAM);
  p.gas_limit = 30000000;
  assert_int_equal(gen_worst_case("no-such-scenario", &p, &b), GEN_E_UNKNOWN);
  p.fork = BLK_FORK_COUNT;
  assert_int_equal(gen_worst_case("keccak", &p, &b), GEN_E_PARAM);
  assert_null(gen_scenario_name(gen_scenario_count()));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_scenario_valid_and_fits),
      cmocka_unit_test(test_every_scenario_executes),
      cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_bad_params),
  };
  return cmocka_run_group_tests_name("gen", tests, NULL, NULL);
}
