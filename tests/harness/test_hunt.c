/* The hunt: every pattern is stack-neutral (its loop runs until gas runs out
 * instead of halting at once), the search is deterministic for a seed and
 * never returns worse than its seeds, and minimising keeps the objective. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evm/evm.h"
#include "hunt.h"

static void test_patterns_loop_until_out_of_gas(void **state) {
  (void)state;
  for (size_t i = 0; i < hunt_pattern_count(); i++) {
    hunt_genome g = {{(uint8_t)i}, 1, 4};
    blk_block b;
    assert_int_equal(hunt_build(&g, 300000, BLK_FORK_OSAKA, &b), HUNT_OK);
    assert_int_equal(blk_validate(&b, NULL), BLK_OK);
    evm_block_result r;
    assert_int_equal(evm_execute_block(&b, NULL, &r), EVM_OK);
    assert_int_equal(r.n_txs, 1);
    /* a loop that halts on a bad stack or a bad jump stops after a few
     * instructions; a stack-neutral one runs until its gas is gone */
    if (r.txs[0].status != EVM_TX_HALT || r.steps < 40)
      fail_msg("pattern %s: status %d after %llu steps", hunt_pattern_name(i), (int)r.txs[0].status,
               (unsigned long long)r.steps);
    assert_int_equal(r.gas_used, 300000);
    evm_block_result_free(&r);
    blk_free(&b);
  }
}

static void test_search_deterministic_and_no_worse_than_seeds(void **state) {
  (void)state;
  hunt_opts o = hunt_opts_default();
  o.eval_gas = 150000;
  o.max_evals = 60;
  o.seed = 5;
  hunt_result a, b;
  assert_int_equal(hunt_run(&o, &a), HUNT_OK);
  assert_int_equal(hunt_run(&o, &b), HUNT_OK);
  assert_int_equal(a.best.n, b.best.n);
  assert_memory_equal(a.best.pat, b.best.pat, a.best.n);
  assert_true(a.best_score.ms_per_mgas == b.best_score.ms_per_mgas);
  for (size_t i = 0; i < hunt_pattern_count(); i++) {
    hunt_genome g = {{(uint8_t)i}, 1, 16};
    hunt_score s;
    assert_int_equal(hunt_eval(&o, &g, &s), HUNT_OK);
    assert_true(a.best_score.ms_per_mgas >= s.ms_per_mgas);
  }
}

static void test_minimise_keeps_objective(void **state) {
  (void)state;
  hunt_opts o = hunt_opts_default();
  o.eval_gas = 150000;
  hunt_genome g = {{0, 9, 11, 9, 2}, 5, 8};
  hunt_score before, after;
  assert_int_equal(hunt_eval(&o, &g, &before), HUNT_OK);
  assert_int_equal(hunt_minimise(&o, &g, &after), HUNT_OK);
  assert_true(g.n >= 1 && g.n <= 5);
  assert_true(after.ms_per_mgas >= 0.99 * before.ms_per_mgas);
}

static void test_bad_genomes(void **state) {
  (void)state;
  blk_block b;
  hunt_genome empty = {{0}, 0, 1};
  assert_int_equal(hunt_build(&empty, 300000, BLK_FORK_OSAKA, &b), HUNT_E_ARG);
  hunt_genome bad = {{250}, 1, 1};
  assert_int_equal(hunt_build(&bad, 300000, BLK_FORK_OSAKA, &b), HUNT_E_ARG);
  hunt_opts o = hunt_opts_default();
  o.population = 2;
  hunt_result r;
  assert_int_equal(hunt_run(&o, &r), HUNT_E_ARG);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_patterns_loop_until_out_of_gas),
      cmocka_unit_test(test_search_deterministic_and_no_worse_than_seeds),
      cmocka_unit_test(test_minimise_keeps_objective),
      cmocka_unit_test(test_bad_genomes),
  };
  return cmocka_run_group_tests_name("hunt", tests, NULL, NULL);
}
