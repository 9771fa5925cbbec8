/* Worst-case generators: every scenario yields a valid block that fits the gas
 * limit and the per-transaction cap, fills it, and is deterministic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blk.h"
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
      cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_bad_params),
  };
  return cmocka_run_group_tests_name("gen", tests, NULL, NULL);
}
