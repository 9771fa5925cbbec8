/* The fuzz targets' cost feedback (fuzz/fz_cost.h): the bucket of a cost per
 * gas follows its formula at and around its edges, blocks that cost more per
 * gas to prove land in higher buckets of the tables that carry the cost, and
 * the marks are a thermometer: an input only adds marks when it reaches a
 * higher bucket than any before it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../fuzz/fz_cost.h"
#include "evm/evm.h"
#include "gen.h"

/* ms that make ps picoseconds per gas over gas units of gas. */
static double ms_for(double ps, uint64_t gas) { return ps * (double)gas / 1e9; }

static void test_bucket_formula(void **state) {
  (void)state;
  assert_int_equal(fz_cost_bucket(0, 100000), 0);
  assert_int_equal(fz_cost_bucket(-1, 100000), 0);
  assert_int_equal(fz_cost_bucket(ms_for(0.25, 100000), 100000), 1); /* below 1 ps */
  /* 2 buckets per doubling: [2^(k/2), 2^((k+1)/2)) ps is bucket k + 1 */
  for (int k = 0; k < 2 * 30; k++) {
    double lo = pow(2.0, k / 2.0), hi = pow(2.0, (k + 1) / 2.0);
    assert_int_equal(fz_cost_bucket(ms_for(lo * 1.01, 1000000), 1000000), (unsigned)k + 1);
    assert_int_equal(fz_cost_bucket(ms_for(hi * 0.99, 1000000), 1000000), (unsigned)k + 1);
  }
  assert_int_equal(fz_cost_bucket(1e12, 1000000), FZ_COST_BUCKETS - 1); /* clamped */
  /* gas below one transaction's counts as one transaction */
  assert_int_equal(fz_cost_bucket(ms_for(1000, FZ_COST_MIN_GAS), 0), fz_cost_bucket(ms_for(1000, FZ_COST_MIN_GAS), FZ_COST_MIN_GAS));
  assert_int_equal(fz_cost_bucket(ms_for(1000, FZ_COST_MIN_GAS), 5), fz_cost_bucket(ms_for(1000, FZ_COST_MIN_GAS), FZ_COST_MIN_GAS));
}

/* Execute scenario `name` as the fuzz targets do (counting collector) and
 * feed its rows; the buckets go to out. */
static void feed_scenario(const char *name, unsigned out[FZ_COST_SLOTS]) {
  gen_params p = {300000, BLK_FORK_OSAKA, 1};
  blk_block b;
  assert_int_equal(gen_worst_case(name, &p, &b), GEN_OK);
  trace_collector c;
  trace_init_counting(&c, b.env.fork);
  evm_tracer tr = trace_tracer(&c);
  tr.on_step = NULL;
  evm_block_result r;
  assert_int_equal(evm_execute_block(&b, &tr, &r), EVM_OK);
  assert_true(r.gas_used > 0);
  c.t[TRACE_CPU].rows = (size_t)r.steps;
  trace_add_block_witness(&c, &b);
  uint64_t rows[TRACE_COUNT];
  for (int i = 0; i < TRACE_COUNT; i++) rows[i] = c.t[i].rows;
  fz_cost_feed(rows, r.gas_used, out);
  evm_block_result_free(&r);
  trace_free(&c);
  blk_free(&b);
}

static void test_costlier_blocks_reach_higher_buckets(void **state) {
  (void)state;
  unsigned transfers[FZ_COST_SLOTS], keccak[FZ_COST_SLOTS], jumpdest[FZ_COST_SLOTS], ecrecover[FZ_COST_SLOTS];
  fz_cost_reset();
  feed_scenario("transfers", transfers);
  feed_scenario("keccak", keccak);
  feed_scenario("jumpdest", jumpdest);
  feed_scenario("ecrecover", ecrecover);
  /* plain transfers: few rows per gas; no instructions at all */
  assert_int_equal(transfers[TRACE_CPU], 0);
  assert_true(transfers[FZ_COST_TOTAL] > 0);
  assert_true(jumpdest[TRACE_CPU] > keccak[TRACE_CPU]); /* 1 gas per instruction vs 30+ per hash */
  assert_true(keccak[TRACE_KECCAK] > transfers[TRACE_KECCAK]);
  assert_true(ecrecover[TRACE_ECRECOVER] > transfers[TRACE_ECRECOVER]);
  assert_true(jumpdest[FZ_COST_TOTAL] > transfers[FZ_COST_TOTAL]);
  /* the marks hold the highest bucket each slot reached */
  for (unsigned s = 0; s < FZ_COST_SLOTS; s++) {
    unsigned top = transfers[s];
    if (keccak[s] > top) top = keccak[s];
    if (jumpdest[s] > top) top = jumpdest[s];
    if (ecrecover[s] > top) top = ecrecover[s];
    assert_int_equal(fz_cost_marked(s), top);
  }
}

static void test_marks_are_a_thermometer(void **state) {
  (void)state;
  unsigned lo[FZ_COST_SLOTS], hi[FZ_COST_SLOTS];
  fz_cost_reset();
  feed_scenario("transfers", lo);
  for (unsigned k = 1; k <= lo[FZ_COST_TOTAL]; k++) assert_int_equal(fz_cost_marks[FZ_COST_TOTAL * FZ_COST_BUCKETS + k], 1);
  for (unsigned k = lo[FZ_COST_TOTAL] + 1; k < FZ_COST_BUCKETS; k++)
    assert_int_equal(fz_cost_marks[FZ_COST_TOTAL * FZ_COST_BUCKETS + k], 0);
  feed_scenario("jumpdest", hi);
  assert_true(hi[FZ_COST_TOTAL] > lo[FZ_COST_TOTAL]);
  uint8_t snap[sizeof fz_cost_marks];
  memcpy(snap, fz_cost_marks, sizeof snap);
  /* a cheaper block after a costlier one adds no mark: no new coverage */
  feed_scenario("transfers", lo);
  assert_memory_equal(snap, fz_cost_marks, sizeof snap);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bucket_formula),
      cmocka_unit_test(test_costlier_blocks_reach_higher_buckets),
      cmocka_unit_test(test_marks_are_a_thermometer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
