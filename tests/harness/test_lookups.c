/* Lookups in the block prover (TRACE_OPT_LOOKUPS): the storage table's
 * clock limbs and the stoinit table's slot limbs sent on the range bus, the
 * range16 table receiving them, the cpu rows' opcode facts sent to the
 * public opcode ROM, the runner's two-phase proof with shared challenges,
 * and that nothing changes without the option (storage consistency itself:
 * test_stocheck).
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
#include "cuda/cu.h"
#include "gen.h"
#include "model.h"
#include "runner.h"
#include "trace/trace_cols.h"
#include "../stark/stark_test_util.h"
#include "../trace/trace_test_util.h"

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
static void collect(const blk_block *b, unsigned opts, trace_collector *c) { trace_collect_block(b, opts, c); }

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
  /* the cpu table: one send of its opcode facts, multiplicity CPU_REAL, one
   * of 2 step + 2 to the memory rows, multiplicity CPU_MEMN, and
   * one of (step, transaction, opcode) to the storage rows, multiplicity
   * CPU_ISSTO */
  const stark_lookup *cl = trace_lookup_opts(TRACE_CPU, TRACE_OPT_LOOKUPS);
  assert_non_null(cl);
  assert_int_equal(cl->num_interactions, 3);
  assert_int_equal(cl->interactions[2].bus, TRACE_BUS_MEMSTEP);
  assert_int_equal(cl->interactions[2].multiplicity.terms[0].col, CPU_MEMN);
  assert_int_equal(cl->interactions[2].fields[0].terms[0].col, CPU_STEP);
  assert_int_equal(cl->interactions[2].fields[0].terms[0].coeff, 2);
  assert_int_equal(cl->interactions[2].fields[0].constant, 2);
  assert_int_equal(cl->interactions[1].bus, TRACE_BUS_STOSTEP);
  assert_int_equal(cl->interactions[1].multiplicity.terms[0].col, CPU_ISSTO);
  assert_int_equal(cl->interactions[1].fields[0].terms[0].col, CPU_STEP);
  const stark_interaction *ci = &cl->interactions[0];
  assert_int_equal(ci->bus, TRACE_BUS_OPCODE);
  assert_int_equal(ci->direction, STARK_SEND);
  assert_int_equal(ci->multiplicity.num_terms, 1);
  assert_int_equal(ci->multiplicity.terms[0].col, CPU_REAL);
  assert_int_equal(ci->num_fields, TRACE_ROM_FIELDS);
  const unsigned cols[TRACE_ROM_FIELDS] = {CPU_OP, CPU_STATIC, CPU_IN, CPU_OUT, CPU_PUSHLEN, CPU_ISPUSH, CPU_MAYMEM};
  for (unsigned j = 0; j < TRACE_ROM_FIELDS; j++) {
    assert_int_equal(ci->fields[j].num_terms, 1);
    assert_int_equal(ci->fields[j].terms[0].col, cols[j]);
    assert_int_equal(ci->fields[j].terms[0].coeff, 1);
    assert_int_equal(ci->fields[j].constant, 0);
  }
  const stark_interaction *ri = trace_opcode_receive();
  assert_int_equal(ri->bus, TRACE_BUS_OPCODE);
  assert_int_equal(ri->direction, STARK_RECEIVE);
  assert_int_equal(ri->num_fields, TRACE_ROM_FIELDS);
  assert_int_equal(ri->multiplicity.terms[0].col, TRACE_ROM_FIELDS);
  /* storage: its slot's state received and sent (slot limbs, value limbs,
   * clock), its instruction received (accesses: REAL - UNDO), then 6 clock
   * range checks on real rows and CTX - 1 on transient ones */
  assert_int_equal(s->num_interactions, 10);
  const stark_interaction *st = &s->interactions[2];
  assert_int_equal(st->bus, TRACE_BUS_STOSTEP);
  assert_int_equal(st->direction, STARK_RECEIVE);
  assert_int_equal(st->fields[2].constant, 0x54);
  assert_int_equal(st->multiplicity.terms[1].col, STO_UNDO);
  const unsigned before[3] = {STO_P, STO_PT, STARK_RECEIVE}, after[3] = {STO_V, STO_TIME, STARK_SEND};
  for (unsigned i = 0; i < 2; i++) {
    const stark_interaction *in = &s->interactions[i];
    const unsigned *w = i ? after : before;
    assert_int_equal(in->bus, TRACE_BUS_STORAGE);
    assert_int_equal(in->direction, (int)w[2]);
    assert_int_equal(in->num_fields, STO_SLOT_LIMBS + 16 + 1);
    for (unsigned j = 0; j < STO_SLOT_LIMBS; j++) assert_int_equal(in->fields[j].terms[0].col, j);
    for (unsigned j = 0; j < 16; j++) assert_int_equal(in->fields[STO_SLOT_LIMBS + j].terms[0].col, w[0] + j);
    assert_int_equal(in->fields[STO_SLOT_LIMBS + 16].terms[0].col, w[1]);
    assert_int_equal(in->multiplicity.terms[0].col, STO_REAL);
  }
  for (unsigned i = 3; i < 10; i++) {
    const stark_interaction *in = &s->interactions[i];
    assert_int_equal(in->bus, TRACE_BUS_RANGE16);
    assert_int_equal(in->direction, STARK_SEND);
    assert_int_equal(in->num_fields, 1);
    assert_int_equal(in->multiplicity.terms[0].col, i < 9 ? STO_REAL : STO_TRANSIENT);
  }
  assert_int_equal(s->interactions[9].fields[0].terms[0].col, STO_CTX);
  assert_int_equal(s->interactions[9].fields[0].constant, BB_P - 1);
  /* stoinit: initial state sent (clock 0), final received, (slot, initial
   * value) received from the verifier's pre-state on storage slots (REAL -
   * TRANS), each slot limb and D range-checked, CTX - 1 on transient slots */
  const stark_lookup *si = trace_lookup_opts(TRACE_STOINIT, TRACE_OPT_LOOKUPS);
  assert_non_null(si);
  assert_int_equal(si->num_interactions, 3 + STO_SLOT_LIMBS + 2);
  assert_int_equal(si->interactions[0].direction, STARK_SEND);
  assert_int_equal(si->interactions[0].fields[STO_SLOT_LIMBS + 16].num_terms, 0);
  assert_int_equal(si->interactions[0].fields[STO_SLOT_LIMBS + 16].constant, 0);
  assert_int_equal(si->interactions[1].direction, STARK_RECEIVE);
  const stark_interaction *pre = &si->interactions[2];
  assert_int_equal(pre->bus, TRACE_BUS_PRESTATE);
  assert_int_equal(pre->direction, STARK_RECEIVE);
  assert_int_equal(pre->num_fields, STO_SLOT_LIMBS + 16);
  assert_int_equal(pre->fields[STO_SLOT_LIMBS].terms[0].col, SI_IV);
  assert_int_equal(pre->multiplicity.num_terms, 2);
  assert_int_equal(pre->multiplicity.terms[1].col, SI_TRANS);
  assert_int_equal(pre->multiplicity.terms[1].coeff, BB_P - 1);
  for (unsigned i = 0; i < STO_SLOT_LIMBS; i++) {
    const stark_interaction *in = &si->interactions[3 + i];
    assert_int_equal(in->bus, TRACE_BUS_RANGE16);
    assert_int_equal(in->fields[0].terms[0].col, i);
    assert_int_equal(in->multiplicity.terms[0].col, SI_REAL);
  }
  assert_int_equal(si->interactions[3 + STO_SLOT_LIMBS].fields[0].terms[0].col, SI_D);
  assert_int_equal(si->interactions[4 + STO_SLOT_LIMBS].multiplicity.terms[0].col, SI_TRANS);
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
 * rows' clock limbs and the stoinit rows' slot limbs. */
static void test_range_counts(void **state) {
  fixture *f = *state;
  trace_collector c;
  collect(&f->b, TRACE_OPT_LOOKUPS, &c);
  const trace_table *st = &c.t[TRACE_STORAGE], *si = &c.t[TRACE_STOINIT], *rt = &c.t[TRACE_RANGE16];
  assert_true(st->rows >= 20);
  assert_int_equal(si->rows, st->rows); /* sload_cold: every key once */
  assert_int_equal(rt->rows, TRACE_RANGE16_ROWS);
  assert_int_equal(trace_shard_count(rt, 10), 1);
  assert_int_equal(trace_shard_count(rt, 20), 1);
  uint32_t *count = calloc(TRACE_RANGE16_ROWS, sizeof *count);
  assert_non_null(count);
  uint64_t sent = 0;
  for (size_t r = 0; r < st->rows; r++) {
    const bb_t *row = st->data + r * STO_WIDTH;
    const unsigned cols[4] = {STO_TLO, STO_THI, STO_DLO, STO_DHI};
    for (int l = 0; l < 4; l++) count[bb_to_u32(row[cols[l]])]++;
    count[16 * bb_to_u32(row[STO_THI])]++;
    count[16 * bb_to_u32(row[STO_DHI])]++;
    sent += 6;
    assert_int_equal(bb_to_u32(row[STO_TRANSIENT]), 0);
  }
  for (size_t r = 0; r < si->rows; r++) {
    const bb_t *row = si->data + r * SI_WIDTH;
    for (unsigned l = 0; l < STO_SLOT_LIMBS; l++) count[bb_to_u32(row[l])]++;
    count[bb_to_u32(row[SI_D])]++;
    sent += STO_SLOT_LIMBS + 1;
  }
  uint64_t total = 0;
  for (size_t v = 0; v < TRACE_RANGE16_ROWS; v++) {
    assert_int_equal(bb_to_u32(rt->data[v * R16_WIDTH + R16_V]), v);
    assert_int_equal(bb_to_u32(rt->data[v * R16_WIDTH + R16_M]), count[v]);
    total += count[v];
  }
  assert_int_equal(total, sent);
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

/* The opcode ROM against the cpu rows an executed block wrote (every real
 * row's facts are its opcode's ROM row), its fixed facts for every opcode,
 * and the multiplicities against a count made here. */
static void test_opcode_rom(void **state) {
  fixture *f = *state;
  bb_t rom[TRACE_ROM_ROWS * TRACE_ROM_WIDTH];
  trace_opcode_rom(NULL, rom);
  for (unsigned op = 0; op < TRACE_ROM_ROWS; op++) {
    const bb_t *row = rom + op * TRACE_ROM_WIDTH;
    assert_int_equal(bb_to_u32(row[0]), op);
    int push = op >= 0x60 && op <= 0x7f;
    assert_int_equal(bb_to_u32(row[4]), push ? op - 0x5f : 0);
    assert_int_equal(bb_to_u32(row[5]), push);
    assert_int_equal(bb_to_u32(row[TRACE_ROM_FIELDS]), 0);
  }
  /* a few facts of the opcode list: ADD 3 gas 2 -> 1, SWAP16 17 -> 17,
   * JUMPDEST 1 gas, PUSH0 2 gas 0 -> 1 and no immediate */
  const bb_t *add = rom + 0x01 * TRACE_ROM_WIDTH, *swap16 = rom + 0x9f * TRACE_ROM_WIDTH;
  const bb_t *jd = rom + 0x5b * TRACE_ROM_WIDTH, *push0 = rom + 0x5f * TRACE_ROM_WIDTH;
  assert_int_equal(bb_to_u32(add[1]), 3);
  assert_int_equal(bb_to_u32(add[2]), 2);
  assert_int_equal(bb_to_u32(add[3]), 1);
  assert_int_equal(bb_to_u32(swap16[2]), 17);
  assert_int_equal(bb_to_u32(swap16[3]), 17);
  assert_int_equal(bb_to_u32(jd[1]), 1);
  assert_int_equal(bb_to_u32(push0[1]), 2);
  assert_int_equal(bb_to_u32(push0[3]), 1);
  assert_int_equal(bb_to_u32(push0[4]), 0);

  trace_collector c;
  collect(&f->b, TRACE_OPT_LOOKUPS, &c);
  const trace_table *cpu = &c.t[TRACE_CPU];
  assert_true(cpu->rows > 100);
  assert_true(c.op_bus);
  uint32_t count[TRACE_ROM_ROWS] = {0};
  const unsigned cols[TRACE_ROM_FIELDS] = {CPU_OP, CPU_STATIC, CPU_IN, CPU_OUT, CPU_PUSHLEN, CPU_ISPUSH, CPU_MAYMEM};
  unsigned distinct = 0;
  for (size_t r = 0; r < cpu->rows; r++) {
    const bb_t *row = cpu->data + r * CPU_WIDTH;
    assert_int_equal(bb_to_u32(row[CPU_REAL]), 1);
    uint32_t op = bb_to_u32(row[CPU_OP]);
    assert_true(op < TRACE_ROM_ROWS);
    for (unsigned j = 0; j < TRACE_ROM_FIELDS; j++) assert_int_equal(row[cols[j]], rom[op * TRACE_ROM_WIDTH + j]);
    distinct += count[op]++ == 0;
  }
  assert_true(distinct >= 5);
  for (unsigned op = 0; op < TRACE_ROM_ROWS; op++) assert_int_equal(bb_to_u32(c.op_count[op]), count[op]);
  trace_free(&c);

  /* without the option nothing is counted */
  collect(&f->b, 0, &c);
  assert_false(c.op_bus);
  for (unsigned op = 0; op < TRACE_ROM_ROWS; op++) assert_int_equal(c.op_count[op], 0);
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

/* A clock limb of 2^16 or more passes the storage AIR (TIME = TLO + 2^16
 * THI holds with TLO + 2^16 and THI - 1): without the option the tampered
 * block proves; with it the range table has no row for the value and the
 * buses do not balance. */
static void tamper(trace_collector *c) {
  bb_t *row = c->t[TRACE_STORAGE].data + 3 * STO_WIDTH;
  assert_true(bb_to_u32(row[STO_THI]) == 0);
  row[STO_TLO] = bb_add(row[STO_TLO], bb_from_u32(65536));
  row[STO_THI] = bb_sub(row[STO_THI], BB_ONE);
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

/* Cpu rows whose opcode facts are not their opcode's but still satisfy the
 * cpu AIR (its constraints relate them to gas, stack pointer and pc only):
 * the middle cpu row gets its static gas raised by one and its dynamic gas
 * lowered by one (the cost is unchanged), or
 * pops and pushes one item more (the stack pointer's change is unchanged).
 * Without lookups such a block proves; with them the cpu row's tuple has no
 * row in the ROM and the buses do not balance. A public multiplicity
 * changed after the count fails too. */
enum { FORGE_STATIC, FORGE_STACK, FORGE_COUNT };

static void forge(trace_collector *c, int how) {
  trace_table *cpu = &c->t[TRACE_CPU];
  size_t k = cpu->rows / 2;
  bb_t *row = cpu->data + k * CPU_WIDTH;
  if (how == FORGE_STATIC) {
    row[CPU_STATIC] = bb_add(row[CPU_STATIC], BB_ONE);
    row[CPU_DYN] = bb_sub(row[CPU_DYN], BB_ONE);
  } else if (how == FORGE_STACK) {
    row[CPU_IN] = bb_add(row[CPU_IN], BB_ONE);
    row[CPU_OUT] = bb_add(row[CPU_OUT], BB_ONE);
  }
}

static void test_forged_opcode_facts(void **state) {
  fixture *f = *state;
  for (int how = FORGE_STATIC; how <= FORGE_COUNT; how++) {
    run_block_result r;
    trace_collector c;
    run_opts o = opts_for(TRACE_OPT_LOOKUPS);
    o.stark.check_trace = 0;
    collect(&f->b, TRACE_OPT_LOOKUPS, &c);
    forge(&c, how);
    trace_assert_air_accepts(&c.t[TRACE_CPU]); /* the cpu AIR alone accepts the forged rows */
    assert_int_equal(trace_opcode_fill(&c), TRACE_OK); /* recounted from the forged rows */
    if (how == FORGE_COUNT) c.op_count[0x5b] = bb_add(c.op_count[0x5b], BB_ONE);
    assert_int_equal(run_prove_collected(&c, &o, &r), RUN_E_VERIFY);
    assert_non_null(strstr(r.reason, "do not balance"));
    assert_false(r.verified);
    run_block_result_free(&r);
    trace_free(&c);
    if (how == FORGE_COUNT) continue;

    run_opts o0 = opts_for(0);
    o0.stark.check_trace = 0;
    collect(&f->b, 0, &c);
    forge(&c, how);
    assert_int_equal(run_prove_collected(&c, &o0, &r), RUN_OK);
    assert_true(r.verified);
    run_block_result_free(&r);
    trace_free(&c);
  }
}

/* The CUDA backend commits (stark_commit_main) and proves a shard with
 * interactions to the CPU backend's root and bytes: the cpu table's first shard (its AIR's kernel and the lookup's, one
 * send in a group of two) and the storage table's (10 interactions in 5 columns,
 * the DEEP quotient's one-row-per-block kernel), on the kernels' CPU
 * emulation and, when there is one, on the GPU. */
static void test_cuda_same_proofs(void **state) {
  fixture *f = *state;
  trace_collector c;
  collect(&f->b, TRACE_OPT_LOOKUPS, &c);
  ext_t ch[2] = {{{bb_from_u32(11), bb_from_u32(12), bb_from_u32(13), bb_from_u32(14)}},
                 {{bb_from_u32(21), bb_from_u32(22), bb_from_u32(23), bb_from_u32(24)}}};
  const trace_table_id ids[] = {TRACE_CPU, TRACE_STORAGE};
  trace_assert_cuda_same_shards(&c, ids, sizeof ids / sizeof ids[0], 7, ch);
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
    if (!trace_table_exists((trace_table_id)i, 0)) continue;
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
  /* cpu: 5000 rows pad to 8192, with the aux columns of its sends at the
   * cpu table's aux cost */
  unsigned caw = stark_lookup_aux_width(trace_air(TRACE_CPU), trace_lookup_opts(TRACE_CPU, TRACE_OPT_LOOKUPS));
  assert_int_equal(caw, 12); /* three interactions, two a column, and the running sum */
  double ccell = model_aux_cell_ms(&p, TRACE_CPU, TRACE_OPT_LOOKUPS);
  assert_true(e1.table_ms[TRACE_CPU] - e0.table_ms[TRACE_CPU] > 0.99 * ccell * 8192 * caw);
  assert_true(e1.table_ms[TRACE_CPU] - e0.table_ms[TRACE_CPU] < 1.01 * ccell * 8192 * caw);
  /* storage: 300 rows pad to 512, at STO_WIDTH + aux columns instead of STO_WIDTH */
  unsigned aw = stark_lookup_aux_width(trace_air(TRACE_STORAGE), trace_lookup_opts(TRACE_STORAGE, TRACE_OPT_LOOKUPS));
  assert_int_equal(aw, 4 * (5 + 1)); /* 10 interactions, 2 a column (max_degree 3) */
  double cell = model_aux_cell_ms(&p, TRACE_STORAGE, TRACE_OPT_LOOKUPS);
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
      cmocka_unit_test_setup_teardown(test_opcode_rom, setup, teardown),
      cmocka_unit_test_setup_teardown(test_forged_opcode_facts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cuda_same_proofs, setup, teardown),
      cmocka_unit_test(test_estimate),
      cmocka_unit_test_setup_teardown(test_range_counts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_block_balances, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tampered_limb, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_option_unchanged, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
