/* Storage consistency (TRACE_OPT_LOOKUPS, trace.h): the storage rows replay
 * every slot (value and clock before and after each access, the writes a
 * revert undoes included), the stoinit table holds each slot once, sorted,
 * with its initial and final state, and the storage bus balances in the
 * block prover; a read returning another value, a revert left undone, a
 * forged initial value, a transient access moved to another transaction
 * and a clock limb out of range each leave it unbalanced where the AIRs
 * alone accept them, as does an access that names another instruction or
 * kind, or hides as an undo; a slot listed twice or a transient slot
 * starting above zero is refused by the stoinit AIR.
 *
 * The block: two transactions to one contract (slot 0 = 7 before the block)
 * that reads and rewrites slot 0, writes and reads transient slot 1, calls
 * a callee that writes its storage and transient storage and reverts, then
 * reads both slots again. */
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
  blk_account *a = tu_contract(w, CALLER,
                               "60005450"                                /* SLOAD(0) */
                               "6009600055"                              /* SSTORE(0, 9) */
                               "600460015d"                              /* TSTORE(1, 4) */
                               "60015c50"                                /* TLOAD(1) */
                               "60006000600060006000612000" "5af150"     /* CALL(0x2000) */
                               "60005450"                                /* SLOAD(0) */
                               "60015c50"                                /* TLOAD(1) */
                               "00",
                               0);
  tu_slot(a, 0, 7);
  tu_contract(w, CALLEE, "6003600155" "600560015d" "60006000fd", 0); /* SSTORE(1, 3); TSTORE(1, 5); REVERT */
  tu_tx(w, CALLER, 300000, 0, "");
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
  o.log_shard = 3; /* several storage shards */
  o.prove_tables = tables;
  o.stark.fri = fri_params_for(1, 24);
  o.stark.check_trace = 0; /* the forgeries below are for the verifier to catch */
  return o;
}

enum { SLOT = STO_SLOT_LIMBS, TUPLE = STO_SLOT_LIMBS + 16 + 1 }; /* slot, 16 limbs, clock */

static void tuple(uint32_t *out, const bb_t *row, int limbs, int clock) {
  for (int i = 0; i < SLOT; i++) out[i] = bb_to_u32(row[i]);
  for (int i = 0; i < 16; i++) out[SLOT + i] = bb_to_u32(row[limbs + i]);
  out[SLOT + 16] = clock < 0 ? 0 : bb_to_u32(row[clock]);
}

static int cmp_tuple(const void *a, const void *b) { return memcmp(a, b, TUPLE * sizeof(uint32_t)); }

/* The storage bus as multisets, without LogUp: what the storage and
 * stoinit rows send equals what they receive; the stoinit rows strictly
 * increase; reads keep the value; every clock moves forward. */
static void check_replay(const trace_collector *c) {
  const trace_table *s = &c->t[TRACE_STORAGE], *si = &c->t[TRACE_STOINIT];
  size_t n = s->rows + si->rows;
  uint32_t *sent = malloc(n * TUPLE * sizeof *sent), *recv = malloc(n * TUPLE * sizeof *recv);
  assert_true(sent && recv);
  for (size_t r = 0; r < s->rows; r++) {
    const bb_t *row = s->data + r * STO_WIDTH;
    assert_int_equal(bb_to_u32(row[STO_REAL]), 1);
    tuple(sent + r * TUPLE, row, STO_V, STO_TIME);
    tuple(recv + r * TUPLE, row, STO_P, STO_PT);
    uint32_t t = bb_to_u32(row[STO_TIME]), pt = bb_to_u32(row[STO_PT]);
    assert_int_equal(t, r + 1);
    assert_true(t > pt);
    assert_int_equal(bb_to_u32(row[STO_TLO]) + 65536u * bb_to_u32(row[STO_THI]), t);
    assert_int_equal(bb_to_u32(row[STO_DLO]) + 65536u * bb_to_u32(row[STO_DHI]), t - pt - 1);
    if (!bb_to_u32(row[STO_WRITE])) assert_memory_equal(&row[STO_V], &row[STO_P], 16 * sizeof(bb_t));
    assert_int_equal(bb_to_u32(row[STO_TRANSIENT]), bb_to_u32(row[STO_CTX]) != 0);
  }
  for (size_t r = 0; r < si->rows; r++) {
    const bb_t *row = si->data + r * SI_WIDTH;
    tuple(sent + (s->rows + r) * TUPLE, row, SI_IV, -1);
    tuple(recv + (s->rows + r) * TUPLE, row, SI_FV, SI_FT);
  }
  for (size_t r = 0; r + 1 < si->rows; r++) {
    const bb_t *a = si->data + r * SI_WIDTH, *b = a + SI_WIDTH;
    int i = 0;
    while (i < SLOT && a[i] == b[i]) i++;
    assert_true(i < SLOT && bb_to_u32(a[i]) < bb_to_u32(b[i]));
  }
  qsort(sent, n, TUPLE * sizeof *sent, cmp_tuple);
  qsort(recv, n, TUPLE * sizeof *recv, cmp_tuple);
  assert_memory_equal(sent, recv, n * TUPLE * sizeof *sent);
  free(sent);
  free(recv);
}

/* The nth storage row (from 0) of slot (ctx, address, key), or NULL. */
static bb_t *find_row(trace_collector *c, unsigned ctx, unsigned addr, unsigned key, int nth) {
  trace_table *s = &c->t[TRACE_STORAGE];
  for (size_t r = 0; r < s->rows; r++) {
    bb_t *row = s->data + r * STO_WIDTH;
    if (bb_to_u32(row[STO_CTX]) == ctx && bb_to_u32(row[STO_ADDR + 9]) == addr &&
        bb_to_u32(row[STO_KEY + 15]) == key && nth-- == 0)
      return row;
  }
  fail_msg("no storage row %d for context %u address %x key %u", nth, ctx, addr, key);
  return NULL;
}

/* The stoinit row of slot (ctx, address, key). */
static bb_t *find_init(trace_collector *c, unsigned ctx, unsigned addr, unsigned key) {
  trace_table *si = &c->t[TRACE_STOINIT];
  for (size_t r = 0; r < si->rows; r++) {
    bb_t *row = si->data + r * SI_WIDTH;
    if (bb_to_u32(row[SI_CTX]) == ctx && bb_to_u32(row[SI_ADDR + 9]) == addr && bb_to_u32(row[SI_KEY + 15]) == key)
      return row;
  }
  fail_msg("no stoinit row for context %u address %x key %u", ctx, addr, key);
  return NULL;
}

static void test_replay(void **state) {
  tu_world *w = *state;
  trace_collector c;
  trace_collect_block(&w->b, TRACE_OPT_LOOKUPS, &c);
  /* per transaction: 8 accesses and the callee's 2 writes undone */
  assert_int_equal(c.t[TRACE_STORAGE].rows, 20);
  size_t undo = 0;
  for (size_t r = 0; r < c.t[TRACE_STORAGE].rows; r++) undo += bb_to_u32(c.t[TRACE_STORAGE].data[r * STO_WIDTH + STO_UNDO]);
  assert_int_equal(undo, 4);
  /* storage (C, 0), (callee, 1); each transaction's transient (C, 1), (callee, 1) */
  assert_int_equal(c.t[TRACE_STOINIT].rows, 6);
  check_replay(&c);
  const bb_t *s0 = find_init(&c, 0, CALLER, 0);
  assert_int_equal(bb_to_u32(s0[SI_IV + 15]), 7);
  assert_int_equal(bb_to_u32(s0[SI_FV + 15]), 9);
  assert_int_equal(bb_to_u32(s0[SI_TRANS]), 0);
  const bb_t *s1 = find_init(&c, 0, CALLEE, 1); /* written, and undone, twice */
  assert_int_equal(bb_to_u32(s1[SI_FV + 15]), 0);
  const bb_t *last = find_row(&c, 0, CALLEE, 1, 3);
  assert_int_equal(bb_to_u32(last[STO_UNDO]), 1);
  assert_int_equal(bb_to_u32(last[STO_P + 15]), 3);
  assert_int_equal(bb_to_u32(last[STO_V + 15]), 0);
  assert_int_equal(bb_to_u32(s1[SI_FT]), bb_to_u32(last[STO_TIME]));
  /* the second transaction's transient slot starts at zero again */
  const bb_t *t2 = find_row(&c, 2, CALLER, 1, 0);
  assert_int_equal(bb_to_u32(t2[STO_P + 15]), 0);
  assert_int_equal(bb_to_u32(t2[STO_PT]), 0);
  assert_int_equal(bb_to_u32(t2[STO_V + 15]), 4);
  assert_int_equal(bb_to_u32(find_init(&c, 2, CALLER, 1)[SI_TRANS]), 1);
  /* the second transaction's first read finds the first one's write */
  const bb_t *r2 = find_row(&c, 0, CALLER, 0, 3);
  assert_int_equal(bb_to_u32(r2[STO_WRITE]), 0);
  assert_int_equal(bb_to_u32(r2[STO_V + 15]), 9);
  trace_assert_air_accepts(&c.t[TRACE_STORAGE]);
  trace_assert_air_accepts(&c.t[TRACE_STOINIT]);
  trace_assert_air_accepts(&c.t[TRACE_CPU]);
  /* each access names its instruction: the cpu row of its step, of its
   * kind and transaction, flagged; no other cpu row is */
  const trace_table *cpu = &c.t[TRACE_CPU], *st = &c.t[TRACE_STORAGE];
  size_t flagged = 0;
  for (size_t r = 0; r < cpu->rows; r++) {
    assert_int_equal(bb_to_u32(cpu->data[r * CPU_WIDTH + CPU_STEP]), r);
    flagged += bb_to_u32(cpu->data[r * CPU_WIDTH + CPU_ISSTO]);
  }
  assert_int_equal(flagged, st->rows - undo);
  for (size_t r = 0; r < st->rows; r++) {
    const bb_t *row = st->data + r * STO_WIDTH;
    if (row[STO_UNDO] == BB_ONE) continue;
    const bb_t *ins = cpu->data + bb_to_u32(row[STO_STEP]) * CPU_WIDTH;
    assert_int_equal(bb_to_u32(ins[CPU_ISSTO]), 1);
    assert_int_equal(bb_to_u32(ins[CPU_OP]), 0x54 + bb_to_u32(row[STO_WRITE]) + 8 * bb_to_u32(row[STO_TRANSIENT]));
    assert_int_equal(bb_to_u32(ins[CPU_TX]), bb_to_u32(row[STO_TX]));
  }

  /* a counting collector with the option counts the same rows; without
   * it there is no stoinit table */
  trace_collector q;
  trace_run_recorded(&w->b, TRACE_OPT_LOOKUPS, 1, &q, NULL, NULL, NULL);
  for (int i = 0; i < TRACE_COUNT; i++)
    if (i != TRACE_RANGE16) assert_int_equal(q.t[i].rows, c.t[i].rows);
  trace_free(&q);
  trace_run_recorded(&w->b, 0, 1, &q, NULL, NULL, NULL);
  assert_int_equal(q.t[TRACE_STOINIT].rows, 0);
  assert_int_equal(q.t[TRACE_STORAGE].rows, c.t[TRACE_STORAGE].rows);
  trace_free(&q);
  trace_free(&c);
}

/* The replay checks each access against the executor's values: one that
 * does not find what the replay holds (a change not reported) is an error,
 * never a row; so is a read that changes the value. */
static void test_replay_mismatch(void **state) {
  (void)state;
  const uint8_t addr[20] = {1}, key[32] = {2}, zero[32] = {0}, one[32] = {[31] = 1}, two[32] = {[31] = 2};
  trace_collector c;
  trace_init_opts(&c, BLK_FORK_PRAGUE, TRACE_OPT_LOOKUPS);
  evm_tracer t = trace_tracer(&c);
  t.on_storage(t.ctx, addr, key, 1, 1, 0, zero, one);
  t.on_storage(t.ctx, addr, key, 0, 0, 1, zero, zero); /* transient: another slot */
  t.on_storage_undo(t.ctx, addr, key, 0, one, two);
  t.on_storage(t.ctx, addr, key, 0, 0, 0, two, two);
  assert_int_equal(c.err, 0);
  t.on_storage(t.ctx, addr, key, 0, 0, 0, one, one); /* the replay holds 2 */
  assert_int_equal(c.err, TRACE_E_ARG);
  trace_free(&c);

  trace_init_opts(&c, BLK_FORK_PRAGUE, TRACE_OPT_LOOKUPS);
  t = trace_tracer(&c);
  t.on_storage(t.ctx, addr, key, 0, 1, 0, zero, one); /* a read that writes */
  assert_int_equal(c.err, TRACE_E_ARG);
  trace_free(&c);
}

enum { FORGE_READ, FORGE_UNDO, FORGE_INIT, FORGE_PRESTATE, FORGE_TX, FORGE_LIMB, FORGE_STEP, FORGE_KIND,
       FORGE_HIDE, FORGE_N };

/* Forgeries the AIRs accept: a read returning another value (its before
 * and after together), an undo that does not restore the value, another
 * initial value for a slot, another initial value with the slot's accesses
 * changed to match (the storage bus balances: the pre-state's does not),
 * the second transaction's transient read moved to the first
 * transaction (its context and transaction), a clock limb split as 2^16 +
 * lo with the high limb one less, an access naming the next instruction, a
 * TLOAD passed off as a TSTORE (the value kept), a warm SSTORE passed off
 * as an undo (no instruction's). */
static void forge(trace_collector *c, int how) {
  bb_t *row;
  switch (how) {
    case FORGE_READ:
      row = find_row(c, 0, CALLER, 0, 3);
      row[STO_V + 15] = row[STO_P + 15] = bb_from_u32(0x1234);
      break;
    case FORGE_UNDO:
      row = find_row(c, 0, CALLEE, 1, 1);
      assert_int_equal(bb_to_u32(row[STO_UNDO]), 1);
      row[STO_V + 15] = bb_from_u32(3);
      break;
    case FORGE_INIT:
      find_init(c, 0, CALLER, 0)[SI_IV + 15] = bb_from_u32(8);
      break;
    case FORGE_PRESTATE: /* slot 0 starts at 8: the first read finds 8, the SSTORE overwrites 8 */
      find_init(c, 0, CALLER, 0)[SI_IV + 15] = bb_from_u32(8);
      row = find_row(c, 0, CALLER, 0, 0);
      row[STO_P + 15] = row[STO_V + 15] = bb_from_u32(8);
      find_row(c, 0, CALLER, 0, 1)[STO_P + 15] = bb_from_u32(8);
      assert_int_equal(trace_check_prestate(c), TRACE_E_ARG);
      break;
    case FORGE_TX:
      row = find_row(c, 2, CALLER, 1, 1);
      row[STO_CTX] = BB_ONE;
      row[STO_TX] = 0;
      break;
    case FORGE_STEP:
      row = find_row(c, 0, CALLER, 0, 2);
      row[STO_STEP] = bb_add(row[STO_STEP], BB_ONE);
      break;
    case FORGE_KIND:
      row = find_row(c, 1, CALLER, 1, 1);
      assert_int_equal(bb_to_u32(row[STO_WRITE]), 0);
      row[STO_WRITE] = BB_ONE;
      break;
    case FORGE_HIDE:
      row = find_row(c, 0, CALLER, 0, 4); /* the second transaction's SSTORE: warm */
      assert_true(row[STO_WRITE] == BB_ONE && row[STO_COLD] == 0);
      row[STO_UNDO] = BB_ONE;
      break;
    case FORGE_LIMB:
      row = find_row(c, 0, CALLER, 0, 0);
      row[STO_TLO] = bb_add(row[STO_TLO], bb_from_u32(65536));
      row[STO_THI] = bb_sub(row[STO_THI], BB_ONE);
      assert_int_equal(trace_range_fill(c), TRACE_OK); /* recounted: that value has no row */
      break;
  }
}

static void test_block_balances_and_forgeries(void **state) {
  tu_world *w = *state;
  run_opts o = opts_for(TRACE_OPT_LOOKUPS);
  run_block_result r;
  trace_collector c;
  trace_collect_block(&w->b, TRACE_OPT_LOOKUPS, &c);
  assert_int_equal(run_prove_collected(&c, &o, &r), RUN_OK);
  assert_true(r.verified && r.lookups);
  assert_true(r.tables[TRACE_STORAGE].shards > 1);
  assert_true(r.tables[TRACE_STOINIT].proven);
  assert_int_equal(r.tables[TRACE_STOINIT].shards, 1); /* one shard, whatever the shard size */
  assert_int_equal(r.tables[TRACE_STOINIT].width, SI_WIDTH);
  run_block_result_free(&r);
  trace_free(&c);

  for (int how = 0; how < FORGE_N; how++) {
    trace_collect_block(&w->b, TRACE_OPT_LOOKUPS, &c);
    forge(&c, how);
    trace_assert_air_accepts(&c.t[TRACE_STORAGE]);
    trace_assert_air_accepts(&c.t[TRACE_STOINIT]);
    assert_int_equal(run_prove_collected(&c, &o, &r), RUN_E_VERIFY);
    assert_non_null(strstr(r.reason, "do not balance"));
    assert_false(r.verified);
    run_block_result_free(&r);
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

/* The verifier reads the pre-state from the block: the proof of a block
 * verifies against it, not against the same block with slot 0 at 6; and a
 * public list that is not one (a length that does not match its count, a
 * limb past 16 bits, slots out of order, no block) cannot be evaluated. */
static void test_prestate(void **state) {
  tu_world *w = *state;
  run_opts o = opts_for(TRACE_OPT_LOOKUPS);
  run_block_result r;
  trace_collector c;
  trace_collect_block(&w->b, TRACE_OPT_LOOKUPS, &c);
  assert_int_equal(trace_check_prestate(&c), TRACE_OK);
  assert_int_equal(trace_public_len(&c), TRACE_PUB_VALUES + 2 * TRACE_PUB_SLOT_LIMBS); /* (C, 0), (callee, 1) */
  blk_account *acc = NULL;
  for (size_t i = 0; i < w->b.n_accounts; i++)
    if (w->b.accounts[i].n_storage) acc = &w->b.accounts[i];
  assert_non_null(acc);
  acc->storage[0].value.b[31] = 6; /* the verifier's block now says 6 */
  assert_int_equal(trace_check_prestate(&c), TRACE_E_ARG);
  assert_int_equal(run_prove_collected(&c, &o, &r), RUN_E_VERIFY);
  assert_non_null(strstr(r.reason, "do not balance"));
  run_block_result_free(&r);
  acc->storage[0].value.b[31] = 7;
  assert_int_equal(run_prove_collected(&c, &o, &r), RUN_OK);
  assert_true(r.verified);
  run_block_result_free(&r);

  size_t n = trace_public_len(&c);
  bb_t *pub = malloc(n * sizeof *pub);
  assert_non_null(pub);
  trace_public_values(&c, pub);
  ext_t ch[2] = {{{bb_from_u32(5), bb_from_u32(6), bb_from_u32(7), bb_from_u32(8)}},
                 {{bb_from_u32(9), bb_from_u32(10), bb_from_u32(11), bb_from_u32(12)}}}, sum;
  assert_int_equal(trace_public_sum(pub, n, &w->b, ch, &sum), STARK_OK);
  assert_int_equal(trace_public_sum(pub, n - 1, &w->b, ch, &sum), STARK_ERR_ARG);
  assert_int_equal(trace_public_sum(pub, n, NULL, ch, &sum), STARK_ERR_ARG);
  bb_t *s0 = pub + TRACE_PUB_VALUES, *s1 = s0 + TRACE_PUB_SLOT_LIMBS;
  bb_t saved = s1[25];
  s1[25] = bb_from_u32(65536);
  assert_int_equal(trace_public_sum(pub, n, &w->b, ch, &sum), STARK_ERR_ARG);
  s1[25] = saved;
  bb_t tmp[TRACE_PUB_SLOT_LIMBS]; /* swapped: out of order */
  memcpy(tmp, s0, sizeof tmp);
  memcpy(s0, s1, sizeof tmp);
  memcpy(s1, tmp, sizeof tmp);
  assert_int_equal(trace_public_sum(pub, n, &w->b, ch, &sum), STARK_ERR_ARG);
  free(pub);
  trace_free(&c);
}

/* What the stoinit AIR refuses: a slot listed twice (the second row's
 * slot made the first's, the selector and difference as the honest rows
 * would have them), the rows out of order, a transient slot starting above
 * zero, a transient slot in context 0, a storage slot in a transaction's
 * context. */
static void test_stoinit_refuses(void **state) {
  tu_world *w = *state;
  trace_collector c;
  trace_collect_block(&w->b, TRACE_OPT_LOOKUPS, &c);
  trace_table *si = &c.t[TRACE_STOINIT];
  assert_int_equal(trace_air_check(si), STARK_OK);
  bb_t *save = malloc(si->rows * SI_WIDTH * sizeof *save);
  assert_non_null(save);
  memcpy(save, si->data, si->rows * SI_WIDTH * sizeof *save);
  for (int how = 0; how < 5; how++) {
    memcpy(si->data, save, si->rows * SI_WIDTH * sizeof *save);
    bb_t *r0 = si->data, *r1 = r0 + SI_WIDTH, *rt = find_init(&c, 1, CALLER, 1);
    switch (how) {
      case 0: memcpy(r1, r0, SLOT * sizeof *r1); break;
      case 1: /* swapped */
        memcpy(r0, save + SI_WIDTH, SI_WIDTH * sizeof *r0);
        memcpy(r1, save, SI_WIDTH * sizeof *r1);
        break;
      case 2: rt[SI_IV + 15] = BB_ONE; break;
      case 3: rt[SI_TRANS] = 0; break;
      case 4: r0[SI_TRANS] = BB_ONE; r0[SI_CTX] = 0; r0[SI_IV + 15] = 0; break;
    }
    if (how == 4) { /* context 0 marked transient: the AIR allows it, the buses do not (CTX - 1 is no 16-bit value) */
      run_opts o = opts_for(TRACE_OPT_LOOKUPS);
      run_block_result r;
      assert_int_equal(trace_air_check(si), STARK_OK);
      assert_int_equal(trace_range_fill(&c), TRACE_OK);
      assert_int_equal(run_prove_collected(&c, &o, &r), RUN_E_VERIFY);
      assert_non_null(strstr(r.reason, "do not balance"));
      run_block_result_free(&r);
      continue;
    }
    assert_int_equal(trace_air_check(si), STARK_ERR_CONSTRAINT);
  }
  free(save);
  trace_free(&c);
}

/* One changed cell in a constrained column of the stoinit table makes its
 * proof (its AIR alone) fail to verify: a slot limb, the selector and the
 * difference of a row followed by another, the flags, a transient slot's
 * initial value, a storage slot's context, a selector before padding. */
static void test_stoinit_cells(void **state) {
  tu_world *w = *state;
  trace_collector c;
  trace_collect_block(&w->b, TRACE_OPT_LOOKUPS, &c);
  const trace_table *si = &c.t[TRACE_STOINIT];
  bb_t *m;
  unsigned lg;
  assert_int_equal(trace_shard(si, 3, 0, &m, &lg), TRACE_OK);
  assert_int_equal(lg, 3); /* 6 slots padded to 8: one shard */
  const stark_air *air = trace_table_air(si);
  stark_config cfg = stark_config_default();
  cfg.check_trace = 0;
  cfg.threads = 1;
  cfg.fri = fri_params_for(1, 24);
  size_t j = 0; /* the limb row 1 differs from row 2 at */
  while (j < SLOT && m[SI_SEL + SI_WIDTH + j] != BB_ONE) j++;
  assert_true(j < SLOT);
  size_t tr = 0; /* a transient slot's row */
  while (m[tr * SI_WIDTH + SI_TRANS] != BB_ONE) tr++;
  /* (a storage slot marked transient passes this AIR: the bus refuses it,
   * test_stoinit_refuses) */
  const size_t cells[][2] = {{1, j}, {1, SI_SEL + j}, {1, SI_D}, {1, SI_REAL}, {0, SI_CTX},
                             {tr, SI_IV + 15}, {tr, SI_TRANS}, {2, SI_SEL + j}, {1, SI_SEL + SLOT - 1},
                             {5, SI_SEL}, {5, SI_D}};
  stark_proof proof;
  assert_int_equal(stark_prove(air, &cfg, m, lg, NULL, &proof, NULL), STARK_OK);
  assert_int_equal(stark_verify(air, &cfg.fri, NULL, &proof), STARK_OK);
  stark_proof_free(&proof);
  for (size_t k = 0; k < sizeof cells / sizeof cells[0]; k++) {
    bb_t *cell = &m[cells[k][0] * SI_WIDTH + cells[k][1]], saved = *cell;
    *cell = bb_add(saved, BB_ONE);
    int rc = stark_prove(air, &cfg, m, lg, NULL, &proof, NULL);
    if (rc == STARK_OK) {
      rc = stark_verify(air, &cfg.fri, NULL, &proof);
      stark_proof_free(&proof);
    }
    if (rc == STARK_OK) fail_msg("stoinit: changing column %zu of row %zu still verifies", cells[k][1], cells[k][0]);
    *cell = saved;
  }
  free(m);
  trace_free(&c);
}

/* The storage and stoinit shards prove to the CPU backend's bytes on the
 * CUDA backend (emulation, and the GPU when there is one). */
static void test_cuda_same_proofs(void **state) {
  tu_world *w = *state;
  trace_collector c;
  trace_collect_block(&w->b, TRACE_OPT_LOOKUPS, &c);
  ext_t ch[2] = {{{bb_from_u32(5), bb_from_u32(6), bb_from_u32(7), bb_from_u32(8)}},
                 {{bb_from_u32(9), bb_from_u32(10), bb_from_u32(11), bb_from_u32(12)}}};
  const trace_table_id ids[] = {TRACE_STORAGE, TRACE_STOINIT};
  trace_assert_cuda_same_shards(&c, ids, sizeof ids / sizeof ids[0], 7, ch);
  trace_free(&c);
}

/* The estimate: with lookups the stoinit table is one shard of its rows
 * padded; without, it has none. */
static void test_estimate(void **state) {
  (void)state;
  model_profile p = model_profile_default();
  uint64_t rows[TRACE_COUNT] = {0};
  rows[TRACE_STORAGE] = 1000;
  rows[TRACE_STOINIT] = 300;
  model_estimate e0, e1;
  model_estimate_rows_opts(&p, rows, 4, 0, &e0);
  model_estimate_rows_opts(&p, rows, 4, TRACE_OPT_LOOKUPS, &e1);
  assert_true(e0.table_ms[TRACE_STOINIT] == 0);
  unsigned aw = stark_lookup_aux_width(trace_air_opts(TRACE_STOINIT, TRACE_OPT_LOOKUPS),
                                       trace_lookup_opts(TRACE_STOINIT, TRACE_OPT_LOOKUPS));
  double want = p.ms_per_shard + 512 * (model_cell_ms(&p, TRACE_STOINIT, TRACE_OPT_LOOKUPS) * SI_WIDTH +
                                        model_aux_cell_ms(&p, TRACE_STOINIT, TRACE_OPT_LOOKUPS) * aw);
  assert_true(e1.table_ms[TRACE_STOINIT] > 0.99 * want && e1.table_ms[TRACE_STOINIT] < 1.01 * want);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
      cmocka_unit_test(test_replay_mismatch),
      cmocka_unit_test_setup_teardown(test_block_balances_and_forgeries, setup, teardown),
      cmocka_unit_test_setup_teardown(test_prestate, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stoinit_refuses, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stoinit_cells, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cuda_same_proofs, setup, teardown),
      cmocka_unit_test(test_estimate),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
