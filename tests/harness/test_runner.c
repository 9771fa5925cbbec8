/* runner: the default options are fully defined (every option not named by
 * run_opts_default is off, whatever the stack held before), the table
 * lists follow the trace options, a block whose tables exceed the
 * collector's budget fails with a reason instead of exhausting memory, and
 * cpu shards that do not chain fail the block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gen.h"
#include "runner.h"
#include "trace/trace_cols.h"
#include "../evm/evm_test_util.h"

/* Leave a poisoned stack frame where the next call's frame will be. */
static __attribute__((noinline)) void poison_stack(void) {
  volatile unsigned char junk[16384];
  for (size_t i = 0; i < sizeof junk; i++) junk[i] = 0xA5;
}

static __attribute__((noinline)) run_opts fresh_defaults(void) {
  poison_stack();
  return run_opts_default();
}

static void test_defaults_are_defined(void **state) {
  (void)state;
  for (int k = 0; k < 4; k++) {
    run_opts o = fresh_defaults();
    assert_int_equal(o.prove_tables, RUN_DEFAULT_TRACE_OPTS); /* the lookup argument */
    assert_int_equal(RUN_DEFAULT_TRACE_OPTS, TRACE_OPT_LOOKUPS);
    assert_int_equal(o.extra_work, 0);
    assert_true(o.timeout_ms == 0);
    assert_int_equal(o.prove, 1);
    assert_int_equal(o.log_shard, 20);
    assert_int_equal(run_trace_opts(&o), TRACE_OPT_LOOKUPS);
    assert_string_equal(run_backend_name(&o), "cpu");
    assert_true(o.trace_max_bytes > 0); /* half of this machine's memory */
  }
}

/* STATICCALLs with 32 KiB inputs: about 8 memory rows per gas. Under a 1 MiB
 * budget the block fails as out of memory, naming the budget, with its rows
 * counted and its estimate as under the default, where it builds its
 * tables. */
static void test_trace_budget(void **state) {
  (void)state;
  gen_params p = {150000, BLK_FORK_OSAKA, 0};
  blk_block b;
  assert_int_equal(gen_worst_case("call_input", &p, &b), GEN_OK);
  run_opts o = run_opts_default();
  o.prove = 0;
  run_block_result r;
  assert_int_equal(run_prove_block(&b, &o, &r), RUN_OK);
  assert_true(r.tables[TRACE_MEMORY].rows > 8 * 100000);
  uint64_t rows = r.tables[TRACE_MEMORY].rows;
  double est = r.estimate.proven_ms;
  run_block_result_free(&r);
  o.trace_max_bytes = (size_t)1 << 20;
  assert_int_equal(run_prove_block(&b, &o, &r), RUN_E_NOMEM);
  assert_non_null(strstr(r.reason, "budget"));
  /* still counted and estimated, without the values */
  assert_int_equal(r.tables[TRACE_MEMORY].rows, rows);
  assert_true(r.estimate.proven_ms == est);
  run_block_result_free(&r);
  blk_free(&b);
}

/* Past the budget a block is proven in passes (runner.h): the same shards
 * and proofs (the same bytes) as when its tables fit, each table proven,
 * more than one execution; with lookups too. Under a budget below a shard
 * of each windowed table it fails as out of memory with the reason. */
typedef struct {
  size_t calls, last_done, last_total;
} shard_seen;

static void on_shard(void *ctx, size_t done, size_t total, const char *table) {
  shard_seen *s = ctx;
  assert_non_null(table);
  assert_int_equal(done, s->last_done + 1); /* one call per shard, in order */
  s->calls++;
  s->last_done = done;
  s->last_total = total;
}

static void test_trace_passes(void **state) {
  (void)state;
  gen_params p = {160000, BLK_FORK_OSAKA, 0};
  blk_block b;
  /* SLOAD of one present slot: storage rows in every window, and one slot
   * (its pre-state value the verifier's), so what every pass keeps whole
   * (the slot replay, the stoinit table) stays small */
  assert_int_equal(gen_worst_case("sload_warm", &p, &b), GEN_OK);
  run_opts o = run_opts_default();
  o.prove_tables = 0; /* without the lookup argument first, then with it */
  o.log_shard = 8;
  o.stark.threads = 1;
  run_block_result whole, parts;
  assert_int_equal(run_prove_block(&b, &o, &whole), RUN_OK);
  assert_int_equal(whole.passes, 1);
  o.trace_max_bytes = (size_t)256 << 10;
  shard_seen seen = {0, 0, 0};
  o.on_shard = on_shard;
  o.on_shard_ctx = &seen;
  assert_int_equal(run_prove_block(&b, &o, &parts), RUN_OK);
  o.on_shard = NULL;
  /* progress: every shard once, out of the block's total */
  assert_int_equal(seen.calls, parts.n_shards);
  assert_int_equal(seen.last_total, parts.n_shards);
  assert_int_equal(parts.shards_total, parts.n_shards);
  assert_true(parts.passes > 2);
  assert_true(parts.verified);
  assert_true(whole.tables[TRACE_CPU].shards > 8 && whole.tables[TRACE_STORAGE].shards > 2);
  assert_int_equal(parts.n_shards, whole.n_shards);
  assert_int_equal(parts.proof_bytes, whole.proof_bytes);
  assert_int_equal(parts.gas_used, whole.gas_used);
  assert_true(parts.estimate.proven_ms == whole.estimate.proven_ms);
  for (int i = 0; i < TRACE_COUNT; i++) {
    assert_int_equal(parts.tables[i].rows, whole.tables[i].rows);
    assert_int_equal(parts.tables[i].shards, whole.tables[i].shards);
    assert_int_equal(parts.tables[i].proven, whole.tables[i].proven);
  }
  /* every shard of the whole run once, in some order */
  for (size_t i = 0; i < whole.n_shards; i++) {
    size_t found = 0;
    for (size_t j = 0; j < parts.n_shards; j++)
      found += parts.shards[j].table == whole.shards[i].table && parts.shards[j].index == whole.shards[i].index &&
               parts.shards[j].rows == whole.shards[i].rows;
    assert_int_equal(found, 1);
  }
  run_block_result_free(&parts);
  run_block_result_free(&whole);
  /* with lookups: the passes run twice (commitments, then proofs), the
   * range16 and opcode counts added up over them; the same proofs and
   * public values, and the buses balance */
  o.prove_tables = TRACE_OPT_LOOKUPS;
  o.trace_max_bytes = run_opts_default().trace_max_bytes;
  assert_int_equal(run_prove_block(&b, &o, &whole), RUN_OK);
  assert_int_equal(whole.passes, 1);
  assert_true(whole.lookups);
  o.trace_max_bytes = (size_t)256 << 10;
  assert_int_equal(run_prove_block(&b, &o, &parts), RUN_OK);
  assert_true(parts.passes > 2 && parts.lookups && parts.verified);
  assert_int_equal(parts.n_shards, whole.n_shards);
  assert_int_equal(parts.proof_bytes, whole.proof_bytes);
  assert_true(parts.tables[TRACE_RANGE16].proven && parts.tables[TRACE_MEMINIT].proven == whole.tables[TRACE_MEMINIT].proven);
  run_block_result_free(&parts);
  run_block_result_free(&whole);
  o.prove_tables = 0;
  o.trace_max_bytes = (size_t)32 << 10;
  assert_int_equal(run_prove_block(&b, &o, &parts), RUN_E_NOMEM);
  assert_non_null(strstr(parts.reason, "a shard of each table"));
  run_block_result_free(&parts);
  blk_free(&b);
}

static void test_table_lists(void **state) {
  (void)state;
  run_opts o = run_opts_default();
  char proven[160], sized[160];
  run_table_list(&o, 1, proven, sizeof proven);
  assert_string_equal(proven, "cpu, memory, storage, range16, meminit, stoinit");
  o.prove_tables = 0; /* without the lookup argument */
  run_table_list(&o, 1, proven, sizeof proven);
  run_table_list(&o, 0, sized, sizeof sized);
  assert_string_equal(proven, "cpu, memory, storage");
  assert_non_null(strstr(sized, "keccak"));
  assert_int_equal(run_log_shard(&o, TRACE_KECCAK), 20);
  o.prove_tables = TRACE_OPT_PROVE_KECCAK;
  run_table_list(&o, 1, proven, sizeof proven);
  run_table_list(&o, 0, sized, sizeof sized);
  assert_string_equal(proven, "cpu, memory, storage, keccak");
  assert_null(strstr(sized, "keccak"));
  assert_int_equal(run_log_shard(&o, TRACE_KECCAK), 14);
  assert_int_equal(run_log_shard(&o, TRACE_ARITH), 20);
  assert_int_equal(run_log_shard(&o, TRACE_CPU), 20);
  /* arith alone, then both */
  o.prove_tables = TRACE_OPT_PROVE_ARITH;
  assert_int_equal(run_trace_opts(&o), TRACE_OPT_PROVE_ARITH);
  run_table_list(&o, 1, proven, sizeof proven);
  run_table_list(&o, 0, sized, sizeof sized);
  assert_string_equal(proven, "cpu, memory, storage, arith");
  assert_string_equal(sized, "keccak, precomp, ecrecover, sha256, blake2f, ripemd160, modmul, bls12");
  assert_int_equal(run_log_shard(&o, TRACE_ARITH), 14);
  assert_int_equal(run_log_shard(&o, TRACE_KECCAK), 20);
  o.prove_tables |= TRACE_OPT_PROVE_KECCAK;
  assert_int_equal(run_trace_opts(&o), TRACE_OPT_PROVE_KECCAK | TRACE_OPT_PROVE_ARITH);
  run_table_list(&o, 1, proven, sizeof proven);
  run_table_list(&o, 0, sized, sizeof sized);
  assert_string_equal(proven, "cpu, memory, storage, keccak, arith");
  assert_string_equal(sized, "precomp, ecrecover, sha256, blake2f, ripemd160, modmul, bls12");
  /* the cap never raises a smaller shard size */
  o.log_shard = 10;
  assert_int_equal(run_log_shard(&o, TRACE_ARITH), 10);
  assert_int_equal(run_log_shard(&o, TRACE_KECCAK), 10);
  assert_int_equal(trace_max_log_shard(TRACE_ARITH, TRACE_OPT_PROVE_ARITH), 14);
  assert_int_equal(trace_max_log_shard(TRACE_KECCAK, TRACE_OPT_PROVE_KECCAK), 14);
  assert_true(trace_max_log_shard(TRACE_ARITH, 0) >= 32);
  assert_true(trace_max_log_shard(TRACE_CPU, TRACE_OPT_PROVE_ARITH | TRACE_OPT_PROVE_KECCAK) >= 32);
}

/* A block given up before its tables are described (its gas counter past
 * the field: a transaction of 2.1 G gas) is a failed result whose tables
 * are all named, so that the database can record it (e2e_conformance). */
static void test_failed_block_named(void **state) {
  (void)state;
  tu_world w;
  tu_init(&w, BLK_FORK_PRAGUE);
  w.b.env.gas_limit = 2100000000;
  tu_contract(&w, 0x1000, "00", 0);
  tu_tx(&w, 0x1000, 2100000000, 0, "");
  run_opts o = run_opts_default();
  run_block_result r;
  assert_int_equal(run_prove_block(&w.b, &o, &r), RUN_E_TRACE);
  assert_non_null(strstr(r.reason, "does not fit a field element"));
  for (int i = 0; i < TRACE_COUNT; i++) assert_string_equal(r.tables[i].name, trace_table_name((trace_table_id)i));
  run_block_result_free(&r);
  tu_free(&w);
}

/* The block's verifier checks that the cpu shards chain (trace.h): a
 * collector whose second cpu shard has every instruction index moved up by
 * one (each shard's own constraints still hold, and without the lookup
 * argument nothing else refers to the indices) proves every shard and
 * fails the block, naming the shard; the honest collector passes. */
static void test_cpu_chain_checked(void **state) {
  (void)state;
  gen_params p = {100000, BLK_FORK_OSAKA, 0};
  blk_block b;
  assert_int_equal(gen_worst_case("jump", &p, &b), GEN_OK);
  run_opts o = run_opts_default();
  o.prove_tables = 0;
  o.log_shard = 12;
  o.stark.threads = 1;
  trace_collector c;
  trace_init_opts(&c, b.env.fork, 0);
  evm_tracer tr = trace_tracer(&c);
  evm_block_result res;
  assert_int_equal(evm_execute_block(&b, &tr, &res), EVM_OK);
  evm_block_result_free(&res);
  assert_int_equal(trace_finish(&c), TRACE_OK);
  trace_table *t = &c.t[TRACE_CPU];
  assert_true(t->rows > 3 * 4096);
  run_block_result r;
  assert_int_equal(run_prove_collected(&c, &o, &r), RUN_OK);
  run_block_result_free(&r);
  for (size_t i = 4096; i < 8192; i++) t->data[i * CPU_WIDTH + CPU_STEP] = bb_add(t->data[i * CPU_WIDTH + CPU_STEP], BB_ONE);
  assert_int_equal(run_prove_collected(&c, &o, &r), RUN_E_VERIFY);
  assert_non_null(strstr(r.reason, "cpu shard 1 of"));
  assert_int_equal(r.tables[TRACE_CPU].rows, t->rows);
  run_block_result_free(&r);
  trace_free(&c);
  blk_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cpu_chain_checked),
      cmocka_unit_test(test_defaults_are_defined),
      cmocka_unit_test(test_failed_block_named),
      cmocka_unit_test(test_table_lists),
      cmocka_unit_test(test_trace_budget),
      cmocka_unit_test(test_trace_passes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
