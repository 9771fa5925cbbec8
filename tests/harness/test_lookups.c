/* Lookups in the block prover (TRACE_OPT_LOOKUPS): the storage table's 26
 * address and key limbs sent on the range bus, the range16 table receiving
 * them, the runner's two-phase proof with shared challenges, and that
 * nothing changes without the option.
 *
 * The block is gen_worst_case("sload_cold") at a small gas limit (a few dozen
 * storage rows, distinct keys), proven with 2^5-row shards so that the cpu
 * and storage tables have several while the range16 table stays one shard
 * of 2^16. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "gen.h"
#include "model.h"
#include "runner.h"
#include "trace/trace_cols.h"

typedef struct {
  blk_block b;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (!f) return -1;
  gen_params p = {120000, BLK_FORK_PRAGUE, 1};
  if (gen_worst_case("sload_cold", &p, &f->b) != GEN_OK) {
    free(f);
    return -1;
  }
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  blk_free(&f->b);
  free(f);
  return 0;
}

static run_opts opts_for(unsigned tables) {
  run_opts o = run_opts_default();
  o.log_shard = 5; /* several storage shards: the challenges are shared across them */
  o.prove_tables = tables;
  o.stark.fri = fri_params_for(1, 24); /* few queries, little grinding: the argument, not the security, is tested */
  return o;
}

/* Execute b into a finished collector with opts. */
static void collect(const blk_block *b, unsigned opts, trace_collector *c) {
  trace_init_opts(c, b->env.fork, opts);
  evm_tracer tr = trace_tracer(c);
  evm_block_result ex;
  assert_int_equal(evm_execute_block(b, &tr, &ex), EVM_OK);
  evm_block_result_free(&ex);
  trace_add_block_witness(c, b);
  assert_int_equal(trace_finish(c), TRACE_OK);
}

static void test_flag_and_descriptors(void **state) {
  (void)state;
  unsigned o = 0;
  assert_true(cli_prove_flag("--lookups", &o));
  assert_int_equal(o, TRACE_OPT_LOOKUPS);
  o = 0;
  assert_true(cli_prove_flag("--prove-all", &o));
  assert_false(o & TRACE_OPT_LOOKUPS);
  for (int i = 0; i < TRACE_COUNT; i++) {
    assert_null(trace_lookup_opts((trace_table_id)i, 0));
    assert_null(trace_lookup_opts((trace_table_id)i, TRACE_OPT_PROVE_KECCAK | TRACE_OPT_PROVE_ARITH |
                                                         TRACE_OPT_PROVE_ECRECOVER | TRACE_OPT_PROVE_PRECOMPILES));
  }
  assert_false(trace_table_proven(TRACE_RANGE16, 0));
  assert_true(trace_table_proven(TRACE_RANGE16, TRACE_OPT_LOOKUPS));
  assert_string_equal(trace_table_name(TRACE_RANGE16), "range16");
  const stark_lookup *s = trace_lookup_opts(TRACE_STORAGE, TRACE_OPT_LOOKUPS);
  const stark_lookup *r = trace_lookup_opts(TRACE_RANGE16, TRACE_OPT_LOOKUPS);
  assert_non_null(s);
  assert_non_null(r);
  assert_null(trace_lookup_opts(TRACE_CPU, TRACE_OPT_LOOKUPS));
  /* 26 sends of one limb column each, multiplicity STO_REAL; one receive */
  assert_int_equal(s->num_interactions, 26);
  for (unsigned i = 0; i < 26; i++) {
    const stark_interaction *in = &s->interactions[i];
    assert_int_equal(in->bus, TRACE_BUS_RANGE16);
    assert_int_equal(in->direction, STARK_SEND);
    assert_int_equal(in->num_fields, 1);
    assert_int_equal(in->fields[0].num_terms, 1);
    assert_int_equal(in->fields[0].terms[0].col, i);
    assert_int_equal(in->fields[0].terms[0].coeff, 1);
    assert_int_equal(in->multiplicity.num_terms, 1);
    assert_int_equal(in->multiplicity.terms[0].col, STO_REAL);
  }
  assert_int_equal(r->num_interactions, 1);
  assert_int_equal(r->interactions[0].direction, STARK_RECEIVE);
  assert_int_equal(r->interactions[0].multiplicity.terms[0].col, R16_M);
  assert_int_equal(r->interactions[0].fields[0].terms[0].col, R16_V);
  /* the range AIR accepts 0..2^16-1 and nothing shifted */
  const stark_air *air = trace_air_opts(TRACE_RANGE16, TRACE_OPT_LOOKUPS);
  assert_non_null(air);
  bb_t *m = calloc(TRACE_RANGE16_ROWS * R16_WIDTH, sizeof *m);
  assert_non_null(m);
  for (size_t i = 0; i < TRACE_RANGE16_ROWS; i++) m[i * R16_WIDTH + R16_V] = bb_from_u32((uint32_t)i);
  assert_int_equal(stark_air_check(air, m, TRACE_RANGE16_ROWS, NULL, NULL, NULL), STARK_OK);
  m[5 * R16_WIDTH + R16_V] = bb_from_u32(6);
  assert_int_equal(stark_air_check(air, m, TRACE_RANGE16_ROWS, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  for (size_t i = 0; i < TRACE_RANGE16_ROWS; i++) m[i * R16_WIDTH + R16_V] = bb_from_u32((uint32_t)i + 1);
  assert_int_equal(stark_air_check(air, m, TRACE_RANGE16_ROWS, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  free(m);
}

/* The range16 multiplicities against a count made here from the storage
 * rows' address and key bytes limb by limb. */
static void test_range_counts(void **state) {
  fixture *f = *state;
  trace_collector c;
  collect(&f->b, TRACE_OPT_LOOKUPS, &c);
  const trace_table *st = &c.t[TRACE_STORAGE], *rt = &c.t[TRACE_RANGE16];
  assert_true(st->rows >= 20);
  assert_int_equal(rt->rows, TRACE_RANGE16_ROWS);
  assert_int_equal(trace_shard_count(rt, 10), 1);
  assert_int_equal(trace_shard_count(rt, 20), 1);
  uint32_t *count = calloc(TRACE_RANGE16_ROWS, sizeof *count);
  assert_non_null(count);
  for (size_t r = 0; r < st->rows; r++)
    for (int l = 0; l < 26; l++) count[bb_to_u32(st->data[r * STO_WIDTH + l])]++;
  uint64_t total = 0;
  for (size_t v = 0; v < TRACE_RANGE16_ROWS; v++) {
    assert_int_equal(bb_to_u32(rt->data[v * R16_WIDTH + R16_V]), v);
    assert_int_equal(bb_to_u32(rt->data[v * R16_WIDTH + R16_M]), count[v]);
    total += count[v];
  }
  assert_int_equal(total, 26 * st->rows);
  assert_true(count[0] > 0); /* the address's leading zero limbs at least */
  free(count);
  /* the shard is the whole table, whatever the shard size */
  bb_t *m;
  unsigned lg;
  assert_int_equal(trace_shard(rt, 4, 0, &m, &lg), TRACE_OK);
  assert_int_equal(lg, 16);
  assert_memory_equal(m, rt->data, TRACE_RANGE16_ROWS * R16_WIDTH * sizeof *m);
  free(m);
  assert_int_equal(trace_shard(rt, 4, 1, &m, &lg), TRACE_E_ARG);
  trace_free(&c);
}

static void test_block_balances(void **state) {
  fixture *f = *state;
  run_opts o = opts_for(TRACE_OPT_LOOKUPS);
  run_block_result r;
  assert_int_equal(run_prove_block(&f->b, &o, &r), RUN_OK);
  assert_true(r.verified);
  assert_true(r.lookups);
  assert_true(r.tables[TRACE_STORAGE].proven);
  assert_true(r.tables[TRACE_RANGE16].proven);
  assert_int_equal(r.tables[TRACE_RANGE16].rows, TRACE_RANGE16_ROWS);
  assert_int_equal(r.tables[TRACE_RANGE16].shards, 1);
  assert_int_equal(r.tables[TRACE_RANGE16].width, R16_WIDTH);
  size_t range_shards = 0;
  for (size_t i = 0; i < r.n_shards; i++)
    if (r.shards[i].table == TRACE_RANGE16) {
      range_shards++;
      assert_int_equal(r.shards[i].rows, TRACE_RANGE16_ROWS);
    }
  assert_int_equal(range_shards, 1);
  assert_true(r.tables[TRACE_CPU].shards > 1);
  assert_true(r.tables[TRACE_STORAGE].shards > 1);
  run_block_result_free(&r);
}

/* A limb of 2^16 passes the storage AIR (the limbs are not constrained
 * there): without the option the tampered block proves; with it the range
 * table has no row for the value and the buses do not balance. */
static void tamper(trace_collector *c) {
  trace_table *st = &c->t[TRACE_STORAGE];
  st->data[3 * STO_WIDTH + STO_KEY + 15] = bb_from_u32(65536);
}

static void test_tampered_limb(void **state) {
  fixture *f = *state;
  run_block_result r;
  trace_collector c;

  run_opts o = opts_for(TRACE_OPT_LOOKUPS);
  o.stark.check_trace = 0;
  collect(&f->b, TRACE_OPT_LOOKUPS, &c);
  tamper(&c);
  assert_int_equal(trace_range_fill(&c), TRACE_OK); /* recounted: 2^16 has no row */
  assert_int_equal(run_prove_collected(&c, &o, &r), RUN_E_VERIFY);
  assert_non_null(strstr(r.reason, "do not balance"));
  assert_false(r.verified);
  run_block_result_free(&r);
  trace_free(&c);

  run_opts o0 = opts_for(0);
  o0.stark.check_trace = 0;
  collect(&f->b, 0, &c);
  tamper(&c);
  assert_int_equal(run_prove_collected(&c, &o0, &r), RUN_OK);
  assert_false(r.lookups);
  run_block_result_free(&r);
  trace_free(&c);
}

/* Without the option: no range16 rows, no interactions, proofs of the
 * version without a lookup argument; the tables' rows are the same with the
 * option, and a table's proof bytes are the same whichever collector built
 * its shard. */
static void test_no_option_unchanged(void **state) {
  fixture *f = *state;
  trace_collector c0, c1;
  collect(&f->b, 0, &c0);
  collect(&f->b, TRACE_OPT_LOOKUPS, &c1);
  for (int i = 0; i < TRACE_COUNT; i++) {
    assert_null(c0.t[i].lookup);
    if (i == TRACE_RANGE16) continue;
    assert_int_equal(c0.t[i].rows, c1.t[i].rows);
    assert_int_equal(c0.t[i].width, c1.t[i].width);
    if (c0.t[i].data) assert_memory_equal(c0.t[i].data, c1.t[i].data, c0.t[i].rows * c0.t[i].width * sizeof(bb_t));
  }
  assert_int_equal(c0.t[TRACE_RANGE16].rows, 0);
  assert_null(c0.t[TRACE_RANGE16].data);
  assert_null(c0.t[TRACE_RANGE16].air);

  stark_config cfg = stark_config_default();
  cfg.fri = fri_params_for(1, 24);
  bb_t *m0, *m1;
  unsigned l0, l1;
  assert_int_equal(trace_shard(&c0.t[TRACE_STORAGE], 10, 0, &m0, &l0), TRACE_OK);
  assert_int_equal(trace_shard(&c1.t[TRACE_STORAGE], 10, 0, &m1, &l1), TRACE_OK);
  assert_int_equal(l0, l1);
  stark_proof p0, p1;
  assert_int_equal(stark_prove(trace_table_air(&c0.t[TRACE_STORAGE]), &cfg, m0, l0, NULL, &p0, NULL), STARK_OK);
  assert_int_equal(stark_prove(trace_table_air(&c1.t[TRACE_STORAGE]), &cfg, m1, l1, NULL, &p1, NULL), STARK_OK);
  uint8_t *b0, *b1;
  size_t n0, n1;
  assert_int_equal(stark_proof_serialize(&p0, &b0, &n0), STARK_OK);
  assert_int_equal(stark_proof_serialize(&p1, &b1, &n1), STARK_OK);
  assert_int_equal(n0, n1);
  assert_memory_equal(b0, b1, n0);
  free(b0);
  free(b1);
  stark_proof_free(&p0);
  stark_proof_free(&p1);
  free(m0);
  free(m1);

  /* the runner: every proof of the plain version */
  run_opts o = opts_for(0);
  run_block_result r;
  assert_int_equal(run_prove_collected(&c0, &o, &r), RUN_OK);
  assert_false(r.lookups);
  assert_false(r.tables[TRACE_RANGE16].proven);
  assert_int_equal(r.tables[TRACE_RANGE16].rows, 0);
  uint64_t bytes = 0;
  for (size_t i = 0; i < r.n_shards; i++) {
    assert_int_not_equal(r.shards[i].table, TRACE_RANGE16);
    unsigned lg = 0;
    while (((uint64_t)1 << lg) < r.shards[i].rows) lg++;
    bytes += stark_proof_size_for(trace_air(r.shards[i].table), &o.stark.fri, lg);
  }
  assert_int_equal(bytes, r.proof_bytes);
  assert_true(r.lookup_commit_ms == 0 && r.aux_ms == 0);
  run_block_result_free(&r);
  trace_free(&c0);
  trace_free(&c1);
}

/* The estimate: unchanged without the option; with it the storage table
 * counts its aux columns and the range16 table its 2^16 rows. */
static void test_estimate(void **state) {
  (void)state;
  model_profile p = model_profile_default();
  uint64_t rows[TRACE_COUNT] = {0};
  rows[TRACE_CPU] = 5000;
  rows[TRACE_STORAGE] = 300;
  model_estimate e0, e1;
  model_estimate_rows_opts(&p, rows, 20, 0, &e0);
  model_estimate_rows_opts(&p, rows, 20, TRACE_OPT_LOOKUPS, &e1);
  assert_true(e0.table_ms[TRACE_RANGE16] == 0);
  assert_true(e1.table_ms[TRACE_RANGE16] > 0);
  assert_true(e1.table_ms[TRACE_CPU] == e0.table_ms[TRACE_CPU]);
  /* storage: 300 rows pad to 512, at 31 + aux columns instead of 31 */
  unsigned aw = stark_lookup_aux_width(trace_air(TRACE_STORAGE), trace_lookup_opts(TRACE_STORAGE, TRACE_OPT_LOOKUPS));
  assert_int_equal(aw, 4 * (13 + 1)); /* 26 sends, 2 a column (max_degree 3) */
  double cell = model_cell_ms(&p, TRACE_STORAGE, 0);
  assert_true(e1.table_ms[TRACE_STORAGE] - e0.table_ms[TRACE_STORAGE] > 0.99 * cell * 512 * aw);
  assert_true(e1.table_ms[TRACE_STORAGE] - e0.table_ms[TRACE_STORAGE] < 1.01 * cell * 512 * aw);
  assert_int_equal(e1.shards, e0.shards + 1);
  /* no storage rows, no range table */
  rows[TRACE_STORAGE] = 0;
  model_estimate_rows_opts(&p, rows, 20, TRACE_OPT_LOOKUPS, &e1);
  assert_true(e1.table_ms[TRACE_RANGE16] == 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_flag_and_descriptors),
      cmocka_unit_test(test_estimate),
      cmocka_unit_test_setup_teardown(test_range_counts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_block_balances, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tampered_limb, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_option_unchanged, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
