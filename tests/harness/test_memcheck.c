/* Memory consistency (TRACE_OPT_LOOKUPS, trace.h): the memory rows replay
 * each frame's memory (value and clock before and after every word
 * accessed), the meminit table holds every word's initial and final state
 * and chains the words, and the memory bus balances in the block prover;
 * forged values, a word started over, a public context count, a clock
 * limb out of range and a memory row counted on another instruction each
 * leave it unbalanced, where the AIRs alone accept them; the cpu AIR
 * refuses memory rows on an instruction that cannot access memory unless
 * it is a frame's first.
 *
 * The block: one contract that writes a byte, copies over it (MCOPY
 * overlapping its source), calls a callee twice (input and output through
 * memory; each call a frame, so a memory context, of its own), reads the
 * returned word, hashes and logs memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"
#include "runner.h"
#include "trace/trace_cols.h"
#include "../evm/evm_test_util.h"
#include "../stark/stark_test_util.h"
#include "../trace/trace_test_util.h"

#define CALLER 0x1000
#define CALLEE 0x2000

static int setup(void **state) {
  tu_world *w = calloc(1, sizeof *w);
  if (!w) return -1;
  tu_init(w, BLK_FORK_PRAGUE);
  tu_contract(w, CALLER,
              "60ab600053"                          /* MSTORE8(0, 0xab) */
              "6020600060015e"                      /* MCOPY(1, 0, 32) */
              "60206040602060006000612000" "5af150" /* CALL(0x2000, in [0, 32), out [64, 96)) */
              "60405150"                            /* MLOAD(64) */
              "604060002050"                        /* KECCAK256(0, 64) */
              "60206010a0"                          /* LOG0(16, 32) */
              "60206080600060006000612000" "5af150" /* CALL(0x2000, no input, out [128, 160)) */
              "00",
              0);
  tu_contract(w, CALLEE, "6077600053" "60005150" "60206000f3", 0); /* MSTORE8(0, 0x77); MLOAD(0); RETURN(0, 32) */
  tu_tx(w, CALLER, 300000, 0, "");
  *state = w;
  return 0;
}

static int teardown(void **state) {
  tu_world *w = *state;
  tu_free(w);
  free(w);
  return 0;
}

static run_opts opts_for(unsigned tables) {
  run_opts o = run_opts_default();
  o.log_shard = 4; /* several memory shards */
  o.prove_tables = tables;
  o.stark.fri = fri_params_for(1, 24);
  o.stark.check_trace = 0; /* the forgeries below are for the verifier to catch */
  return o;
}

enum { TUPLE = 19 }; /* context, word, 16 limbs, clock */

static void tuple(uint32_t *out, const bb_t *row, unsigned ctx, unsigned addr, int limbs, int clock) {
  out[0] = bb_to_u32(row[ctx]);
  out[1] = bb_to_u32(row[addr]);
  for (int i = 0; i < 16; i++) out[2 + i] = limbs < 0 ? 0 : bb_to_u32(row[limbs + i]);
  out[18] = clock < 0 ? 0 : bb_to_u32(row[clock]);
}

static int cmp_tuple(const void *a, const void *b) { return memcmp(a, b, TUPLE * sizeof(uint32_t)); }

/* The memory bus as multisets, without LogUp: what the memory rows and
 * meminit send equals what they receive; the meminit rows run (1, 0), its
 * successors, .. and end before (n_mctx + 1, 0); reads keep the value and
 * every clock moves forward. */
static void check_replay(const trace_collector *c) {
  const trace_table *m = &c->t[TRACE_MEMORY], *mi = &c->t[TRACE_MEMINIT];
  size_t n = m->rows + mi->rows;
  uint32_t *sent = malloc(n * TUPLE * sizeof *sent), *recv = malloc(n * TUPLE * sizeof *recv);
  assert_true(sent && recv);
  for (size_t r = 0; r < m->rows; r++) {
    const bb_t *row = m->data + r * MEM_WIDTH;
    assert_int_equal(bb_to_u32(row[MEM_REAL]), 1);
    tuple(sent + r * TUPLE, row, MEM_CTX, MEM_ADDR, MEM_V, MEM_TIME);
    tuple(recv + r * TUPLE, row, MEM_CTX, MEM_ADDR, MEM_P, MEM_PT);
    uint32_t t = bb_to_u32(row[MEM_TIME]), pt = bb_to_u32(row[MEM_PT]);
    assert_true(t > pt && t < (1u << TRACE_MEM_CLOCK_BITS));
    assert_int_equal(t & 1, bb_to_u32(row[MEM_WRITE]));
    assert_int_equal(bb_to_u32(row[MEM_TLO]) + 65536u * bb_to_u32(row[MEM_THI]), t);
    assert_int_equal(bb_to_u32(row[MEM_DLO]) + 65536u * bb_to_u32(row[MEM_DHI]), t - pt - 1);
    if (!bb_to_u32(row[MEM_WRITE])) assert_memory_equal(&row[MEM_V], &row[MEM_P], 16 * sizeof(bb_t));
  }
  uint32_t want_ctx = 1, want_addr = 0;
  for (size_t r = 0; r < mi->rows; r++) {
    const bb_t *row = mi->data + r * MI_WIDTH;
    tuple(sent + (m->rows + r) * TUPLE, row, MI_CTX, MI_ADDR, -1, -1);
    tuple(recv + (m->rows + r) * TUPLE, row, MI_CTX, MI_ADDR, MI_FV, MI_FT);
    assert_int_equal(bb_to_u32(row[MI_CTX]), want_ctx);
    assert_int_equal(bb_to_u32(row[MI_ADDR]), want_addr);
    if (bb_to_u32(row[MI_LAST])) {
      want_ctx++;
      want_addr = 0;
    } else {
      want_addr++;
    }
  }
  assert_int_equal(want_ctx, c->n_mctx + 1);
  assert_int_equal(want_addr, 0);
  qsort(sent, n, TUPLE * sizeof *sent, cmp_tuple);
  qsort(recv, n, TUPLE * sizeof *recv, cmp_tuple);
  assert_memory_equal(sent, recv, n * TUPLE * sizeof *sent);
  free(sent);
  free(recv);
}

/* The first memory row of context ctx at word addr with the given kind. */
static bb_t *find_row(trace_collector *c, unsigned ctx, unsigned addr, int write) {
  trace_table *m = &c->t[TRACE_MEMORY];
  for (size_t r = 0; r < m->rows; r++) {
    bb_t *row = m->data + r * MEM_WIDTH;
    if (bb_to_u32(row[MEM_CTX]) == ctx && bb_to_u32(row[MEM_ADDR]) == addr &&
        bb_to_u32(row[MEM_WRITE]) == (unsigned)write)
      return row;
  }
  fail_msg("no memory row for context %u word %u", ctx, addr);
  return NULL;
}

static void test_replay(void **state) {
  tu_world *w = *state;
  trace_collector c;
  trace_collect_block(&w->b, TRACE_OPT_LOOKUPS, &c);
  assert_int_equal(c.n_mctx, 3); /* the caller, then each call's callee */
  /* caller: words 0..4 (the last call's output at [128, 160)); each callee: word 0 */
  assert_int_equal(c.t[TRACE_MEMINIT].rows, 5 + 1 + 1);
  assert_int_equal(c.mctx[0].words + c.mctx[1].words + c.mctx[2].words, 7);
  check_replay(&c);
  /* the caller's MLOAD(64) reads the word the first callee returned: 0x77 then zeros */
  const bb_t *rd = find_row(&c, 1, 2, 0);
  assert_int_equal(bb_to_u32(rd[MEM_V]), 0x7700);
  for (int i = 1; i < 16; i++) assert_int_equal(bb_to_u32(rd[MEM_V + i]), 0);
  /* MCOPY's read of word 0 sees 0xab at byte 0 only; its write leaves 0xab 0xab */
  const bb_t *cp = find_row(&c, 1, 0, 0);
  assert_int_equal(bb_to_u32(cp[MEM_V]), 0xab00);
  const bb_t *wr = find_row(&c, 1, 0, 1); /* MSTORE8 first */
  assert_int_equal(bb_to_u32(wr[MEM_P]), 0);
  assert_int_equal(bb_to_u32(wr[MEM_PT]), 0);
  assert_int_equal(bb_to_u32(wr[MEM_V]), 0xab00);
  /* the final state of word 0: the MCOPY wrote 0xab over byte 1 */
  assert_int_equal(bb_to_u32(c.t[TRACE_MEMINIT].data[MI_FV]), 0xabab);
  bb_t pub[TRACE_PUB_VALUES];
  trace_public_values(&c, pub);
  assert_int_equal(bb_to_u32(pub[TRACE_ROM_ROWS]), 3);

  /* a counting collector with the option counts the same meminit rows;
   * without it there is no meminit table */
  trace_collector q;
  trace_run_recorded(&w->b, TRACE_OPT_LOOKUPS, 1, &q, NULL, NULL, NULL);
  for (int i = 0; i < TRACE_COUNT; i++)
    if (i != TRACE_RANGE16) assert_int_equal(q.t[i].rows, c.t[i].rows);
  trace_free(&q);
  trace_run_recorded(&w->b, 0, 1, &q, NULL, NULL, NULL);
  assert_int_equal(q.t[TRACE_MEMINIT].rows, 0);
  assert_int_equal(q.t[TRACE_MEMORY].rows, c.t[TRACE_MEMORY].rows);
  trace_free(&q);
  trace_free(&c);
}

/* The replay checks each read against the executor's bytes: a read that
 * does not return what the replay holds is an error, never a row. */
static void test_replay_mismatch(void **state) {
  (void)state;
  trace_collector c;
  trace_init_opts(&c, BLK_FORK_PRAGUE, TRACE_OPT_LOOKUPS);
  evm_tracer t = trace_tracer(&c);
  uint8_t word[32] = {1, 2, 3};
  t.on_memory(t.ctx, 7, 0, 32, 1, word);
  assert_int_equal(c.err, 0);
  t.on_memory(t.ctx, 8, 0, 32, 0, (const uint8_t[32]){0}); /* another frame: zero */
  assert_int_equal(c.err, 0);
  word[2] = 4;
  t.on_memory(t.ctx, 7, 2, 1, 0, &word[2]);
  assert_int_equal(c.err, TRACE_E_ARG);
  trace_free(&c);
}

/* The first cpu row running opcode op from index `from` on; its index into *at. */
static bb_t *cpu_op_row(trace_collector *c, uint8_t op, size_t from, size_t *at) {
  trace_table *t = &c->t[TRACE_CPU];
  for (size_t r = from; r < t->rows; r++)
    if (bb_to_u32(t->data[r * CPU_WIDTH + CPU_OP]) == op) {
      if (at) *at = r;
      return t->data + r * CPU_WIDTH;
    }
  fail_msg("no cpu row for opcode 0x%02x", op);
  return NULL;
}

/* Every memory row names its instruction (trace.h): its clock less its
 * write flag is 2 (step + 1), and each cpu row's MEMN is the number of
 * memory rows naming it. The rows are the instruction's own, but for the
 * calls' input (one word, the first call's), counted on the callee's first
 * instruction (a PUSH1: it cannot access memory, so its MEMX is that count),
 * which follows a row that does not continue into it. */
static void test_memory_rows_name_instructions(void **state) {
  tu_world *w = *state;
  trace_collector c;
  trace_collect_block(&w->b, TRACE_OPT_LOOKUPS, &c);
  const trace_table *m = &c.t[TRACE_MEMORY], *cpu = &c.t[TRACE_CPU];
  uint32_t *per = calloc(cpu->rows, sizeof *per);
  assert_non_null(per);
  for (size_t r = 0; r < m->rows; r++) {
    const bb_t *row = m->data + r * MEM_WIDTH;
    uint32_t k = bb_to_u32(row[MEM_TIME]) - bb_to_u32(row[MEM_WRITE]);
    assert_true(k % 2 == 0 && k >= 2 && k / 2 - 1 < cpu->rows);
    per[k / 2 - 1]++;
  }
  unsigned entries = 0;
  for (size_t r = 0; r < cpu->rows; r++) {
    const bb_t *row = cpu->data + r * CPU_WIDTH;
    assert_int_equal(bb_to_u32(row[CPU_STEP]), r); /* one transaction, so steps are rows */
    assert_int_equal(bb_to_u32(row[CPU_MEMN]), per[r]);
    uint32_t x = bb_to_u32(row[CPU_MEMX]);
    assert_int_equal(x, bb_to_u32(row[CPU_MAYMEM]) ? 0 : per[r]);
    if (x) {
      entries++;
      assert_true(r > 0);
      assert_int_equal(bb_to_u32(cpu->data[(r - 1) * CPU_WIDTH + CPU_SEQ]), 0);
      assert_int_equal(bb_to_u32(row[CPU_OP]), 0x60);
      assert_int_equal(bb_to_u32(row[CPU_DEPTH]), 1);
    }
  }
  assert_int_equal(entries, 1); /* the second call has no input */
  /* MCOPY(1, 0, 32): word 0 read, words 0 and 1 written */
  assert_int_equal(bb_to_u32(cpu_op_row(&c, 0x5e, 0, NULL)[CPU_MEMN]), 3);
  trace_assert_air_accepts(cpu);
  free(per);
  trace_free(&c);
}

enum { FORGE_READ, FORGE_WRITE, FORGE_RESTART, FORGE_COUNT, FORGE_LIMB, FORGE_STEP, FORGE_N };

/* Forgeries the AIRs accept: a read returning another value (its before and
 * after together), a write leaving another value, a word of the caller
 * started over (a second meminit row for word 0, the chain's successor
 * kept consistent), one context more in the public count, a clock limb
 * split as 2^16 + lo with the high limb one less, a memory row counted on
 * the MLOAD instead of the MCOPY that made it (both can access memory). */
static void forge(trace_collector *c, int how) {
  bb_t *row;
  switch (how) {
    case FORGE_READ:
      row = find_row(c, 1, 2, 0);
      row[MEM_V + 3] = row[MEM_P + 3] = bb_from_u32(0x1234);
      break;
    case FORGE_WRITE:
      row = find_row(c, 1, 0, 1);
      row[MEM_V + 5] = bb_from_u32(1);
      break;
    case FORGE_RESTART:
      row = c->t[TRACE_MEMINIT].data + 1 * MI_WIDTH;
      row[MI_ADDR] = 0;
      row[MI_NEXT] = BB_ONE;
      break;
    case FORGE_COUNT: c->n_mctx++; break;
    case FORGE_LIMB:
      row = find_row(c, 1, 2, 0);
      row[MEM_TLO] = bb_add(row[MEM_TLO], bb_from_u32(65536));
      row[MEM_THI] = bb_sub(row[MEM_THI], BB_ONE);
      assert_int_equal(trace_range_fill(c), TRACE_OK); /* recounted: that value has no row */
      break;
    case FORGE_STEP:
      row = cpu_op_row(c, 0x5e, 0, NULL);
      row[CPU_MEMN] = bb_sub(row[CPU_MEMN], BB_ONE);
      row = cpu_op_row(c, 0x51, 0, NULL);
      row[CPU_MEMN] = bb_add(row[CPU_MEMN], BB_ONE);
      break;
  }
}

/* A memory row counted on an instruction that cannot access memory is
 * refused by the cpu AIR where the previous row continues into it (the
 * MLOAD's word moved to the POP after it), and accepted on a frame's first
 * instruction, whose count the memory bus then checks. */
static void test_memory_rows_on_other_instructions(void **state) {
  tu_world *w = *state;
  trace_collector c;
  trace_collect_block(&w->b, TRACE_OPT_LOOKUPS, &c);
  size_t at = 0;
  bb_t *ml = cpu_op_row(&c, 0x51, 0, &at);
  bb_t *pop = c.t[TRACE_CPU].data + (at + 1) * CPU_WIDTH;
  assert_int_equal(bb_to_u32(pop[CPU_OP]), 0x50);
  assert_int_equal(bb_to_u32(ml[CPU_SEQ]), 1);
  ml[CPU_MEMN] = bb_sub(ml[CPU_MEMN], BB_ONE);
  pop[CPU_MEMN] = pop[CPU_MEMX] = BB_ONE;
  assert_int_not_equal(trace_air_check(&c.t[TRACE_CPU]), STARK_OK);
  /* MEMX that is not MEMN (1 - MAYMEM), on any row */
  pop[CPU_MEMN] = pop[CPU_MEMX] = 0;
  ml[CPU_MEMN] = bb_add(ml[CPU_MEMN], BB_ONE);
  ml[CPU_MEMX] = BB_ONE;
  assert_int_not_equal(trace_air_check(&c.t[TRACE_CPU]), STARK_OK);
  ml[CPU_MEMX] = 0;
  trace_assert_air_accepts(&c.t[TRACE_CPU]);
  trace_free(&c);
}

static void test_block_balances_and_forgeries(void **state) {
  tu_world *w = *state;
  run_opts o = opts_for(TRACE_OPT_LOOKUPS);
  run_block_result r;
  trace_collector c;
  trace_collect_block(&w->b, TRACE_OPT_LOOKUPS, &c);
  assert_int_equal(run_prove_collected(&c, &o, &r), RUN_OK);
  assert_true(r.verified && r.lookups);
  assert_true(r.tables[TRACE_MEMORY].shards > 1);
  assert_true(r.tables[TRACE_MEMINIT].proven);
  assert_int_equal(r.tables[TRACE_MEMINIT].width, MI_WIDTH);
  run_block_result_free(&r);
  trace_free(&c);

  for (int how = 0; how < FORGE_N; how++) {
    trace_collect_block(&w->b, TRACE_OPT_LOOKUPS, &c);
    forge(&c, how);
    trace_assert_air_accepts(&c.t[TRACE_MEMORY]);
    trace_assert_air_accepts(&c.t[TRACE_MEMINIT]);
    assert_int_equal(run_prove_collected(&c, &o, &r), RUN_E_VERIFY);
    assert_non_null(strstr(r.reason, "do not balance"));
    assert_false(r.verified);
    run_block_result_free(&r);
    if (how == FORGE_STEP) trace_assert_air_accepts(&c.t[TRACE_CPU]);
    if (how == FORGE_COUNT) c.n_mctx--; /* the contexts the collector holds */
    trace_free(&c);
  }
  /* without lookups nothing binds the values: the forged read proves */
  run_opts o0 = opts_for(0);
  trace_collect_block(&w->b, 0, &c);
  forge(&c, FORGE_READ);
  assert_int_equal(run_prove_collected(&c, &o0, &r), RUN_OK);
  assert_true(r.verified);
  run_block_result_free(&r);
  trace_free(&c);
}

/* The memory and meminit shards prove to the CPU backend's bytes on the
 * CUDA backend (emulation, and the GPU when there is one). */
static void test_cuda_same_proofs(void **state) {
  tu_world *w = *state;
  trace_collector c;
  trace_collect_block(&w->b, TRACE_OPT_LOOKUPS, &c);
  ext_t ch[2] = {{{bb_from_u32(5), bb_from_u32(6), bb_from_u32(7), bb_from_u32(8)}},
                 {{bb_from_u32(9), bb_from_u32(10), bb_from_u32(11), bb_from_u32(12)}}};
  const trace_table_id ids[] = {TRACE_MEMORY, TRACE_MEMINIT};
  trace_assert_cuda_same_shards(&c, ids, sizeof ids / sizeof ids[0], 7, ch);
  trace_free(&c);
}

/* The estimate: with lookups the memory table counts its aux columns and
 * meminit its rows; without, meminit has none. */
static void test_estimate(void **state) {
  (void)state;
  model_profile p = model_profile_default();
  uint64_t rows[TRACE_COUNT] = {0};
  rows[TRACE_MEMORY] = 1000;
  rows[TRACE_MEMINIT] = 300;
  model_estimate e0, e1;
  model_estimate_rows_opts(&p, rows, 20, 0, &e0);
  model_estimate_rows_opts(&p, rows, 20, TRACE_OPT_LOOKUPS, &e1);
  assert_true(e0.table_ms[TRACE_MEMINIT] == 0);
  assert_true(e1.table_ms[TRACE_MEMINIT] > 0);
  assert_true(e1.table_ms[TRACE_RANGE16] > 0); /* the memory rows' clocks are range-checked */
  unsigned aw = stark_lookup_aux_width(trace_air(TRACE_MEMORY), trace_lookup_opts(TRACE_MEMORY, TRACE_OPT_LOOKUPS));
  assert_int_equal(aw, 4 * (5 + 1)); /* 9 interactions, 2 a column */
  double cell = model_aux_cell_ms(&p, TRACE_MEMORY, TRACE_OPT_LOOKUPS);
  assert_true(e1.table_ms[TRACE_MEMORY] - e0.table_ms[TRACE_MEMORY] > 0.99 * cell * 1024 * aw);
  assert_true(e1.table_ms[TRACE_MEMORY] - e0.table_ms[TRACE_MEMORY] < 1.01 * cell * 1024 * aw);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
      cmocka_unit_test(test_replay_mismatch),
      cmocka_unit_test_setup_teardown(test_memory_rows_name_instructions, setup, teardown),
      cmocka_unit_test_setup_teardown(test_memory_rows_on_other_instructions, setup, teardown),
      cmocka_unit_test_setup_teardown(test_block_balances_and_forgeries, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cuda_same_proofs, setup, teardown),
      cmocka_unit_test(test_estimate),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
