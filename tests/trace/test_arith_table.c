/* The arith table proven (TRACE_OPT_PROVE_ARITH): built from a small block
 * whose contract runs ADD, SUB, MUL, SDIV (with -2^255 / -1 and a division by
 * zero), MOD, ADDMOD, MULMOD (with a zero modulus), EXP (exponents 0, 300 and
 * 2^256 - 1), LT, SLT, EQ, ISZERO, CLZ, NOT, AND, BYTE, SIGNEXTEND, SHL, SHR
 * and SAR, all of which the AIR covers. The table holds exactly
 * the supported instructions the executor reported, in order, with rows =
 * the sum of arith_air_rows_for; every instruction's result on its last row
 * is the executor's; shards are cut at instruction boundaries and satisfy
 * the AIR at several sizes; a shard proves and verifies and a changed
 * constrained cell fails verification. Without the option the table stays
 * sized as before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../evm/evm_test_util.h"
#include "air_test_util.h"
#include "stark/stark.h"
#include "trace/arith_air.h"
#include "trace/trace.h"

#define C 0x1000
#define W ARITH_AIR_WIDTH
#define MAXOPS 64

/* Every on_arith_values event, supported or not. */
typedef struct {
  uint8_t op;
  uint8_t a[32], b[32], c[32], r[32];
} event;

static event g_ev[MAXOPS];
static size_t g_n;
static evm_tracer g_inner;

static void tee_values(void *ctx, uint8_t opcode, const u256 *a, const u256 *b, const u256 *c, const u256 *r) {
  assert_true(g_n < MAXOPS);
  event *e = &g_ev[g_n++];
  memset(e, 0, sizeof *e);
  e->op = opcode;
  u256_to_be(a, e->a);
  if (b) u256_to_be(b, e->b);
  if (c) u256_to_be(c, e->c);
  u256_to_be(r, e->r);
  if (g_inner.on_arith_values) g_inner.on_arith_values(ctx, opcode, a, b, c, r);
}

/* Code building: operands pushed so that the first named is on top. */
static char g_code[8192];
static char *g_at;

static void push_word(const char *hex64) { g_at += sprintf(g_at, "7f%s", hex64); }

static void op_n(uint8_t op, const char *a, const char *b, const char *c) {
  if (c) push_word(c);
  if (b) push_word(b);
  push_word(a);
  g_at += sprintf(g_at, "%02x50", op); /* op, POP */
}

#define ZERO "0000000000000000000000000000000000000000000000000000000000000000"
#define ONE "0000000000000000000000000000000000000000000000000000000000000001"
#define TWO "0000000000000000000000000000000000000000000000000000000000000002"
#define SEVEN "0000000000000000000000000000000000000000000000000000000000000007"
#define FOUR "0000000000000000000000000000000000000000000000000000000000000004"
#define E300 "000000000000000000000000000000000000000000000000000000000000012c"
#define ALLF "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define MIN "8000000000000000000000000000000000000000000000000000000000000000"
#define NEG7 "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff9"
#define BIG1 "c0ffee0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
#define BIG2 "f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff01"
#define MODN "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47"

/* Supported instructions the code runs, in order, and their rows from the
 * table in arith_air.h (so the recorded counts are checked independently). */
static const struct {
  uint8_t op;
  size_t rows;
} expect[] = {
    {0x01, 1}, {0x03, 1}, {0x02, 1}, {0x05, 5}, {0x05, 5}, {0x05, 5}, {0x1a, 2}, {0x06, 2},
    {0x08, 4}, {0x09, 4}, {0x09, 4}, {0x0b, 2}, {0x0a, 1}, {0x0a, 9 + 4 - 1}, {0x0a, 511},
    {0x10, 1}, {0x12, 1},
    {0x14, 1}, {0x15, 1}, {0x15, 1}, {0x1e, 1}, {0x19, 1}, {0x16, 1}, {0x1b, 2}, {0x1c, 2}, {0x1d, 2},
    {0x1d, 2},
};
#define NEXPECT (sizeof expect / sizeof expect[0])

static void build(tu_world *w) {
  g_at = g_code;
  op_n(0x01, ALLF, BIG1, NULL);       /* ADD, wraps */
  op_n(0x03, SEVEN, BIG2, NULL);      /* SUB, borrows */
  op_n(0x02, BIG1, BIG2, NULL);       /* MUL */
  op_n(0x05, NEG7, TWO, NULL);        /* SDIV -7 / 2 = -3 */
  op_n(0x05, MIN, ALLF, NULL);        /* SDIV -2^255 / -1 */
  op_n(0x05, BIG1, ZERO, NULL);       /* SDIV by zero */
  op_n(0x1a, FOUR, BIG1, NULL);       /* BYTE 4 of BIG1: 0x23 */
  op_n(0x06, BIG2, MODN, NULL);       /* MOD */
  op_n(0x08, BIG1, BIG2, MODN);       /* ADDMOD */
  op_n(0x09, BIG1, BIG2, MODN);       /* MULMOD */
  op_n(0x09, BIG1, BIG2, ZERO);       /* MULMOD by zero */
  op_n(0x0b, ZERO, NEG7, NULL);       /* SIGNEXTEND of the byte 0xf9: -7 */
  op_n(0x0a, BIG1, ZERO, NULL);       /* EXP x^0 */
  op_n(0x0a, SEVEN, E300, NULL);      /* EXP 7^300: 9 bits, 4 set */
  op_n(0x0a, BIG2, ALLF, NULL);       /* EXP with a 256-bit exponent */
  op_n(0x10, SEVEN, BIG1, NULL);      /* LT */
  op_n(0x12, NEG7, TWO, NULL);        /* SLT */
  op_n(0x14, BIG1, BIG1, NULL);       /* EQ */
  op_n(0x15, ZERO, NULL, NULL);       /* ISZERO */
  op_n(0x15, BIG2, NULL, NULL);       /* ISZERO */
  op_n(0x1e, BIG2, NULL, NULL);       /* CLZ of a value with its top bit set: 0 */
  op_n(0x19, BIG1, NULL, NULL);       /* NOT */
  op_n(0x16, BIG1, BIG2, NULL);       /* AND */
  op_n(0x1b, FOUR, BIG1, NULL);       /* SHL */
  op_n(0x1c, E300, BIG1, NULL);       /* SHR by 300 */
  op_n(0x1d, FOUR, NEG7, NULL);       /* SAR of a negative value */
  op_n(0x1d, E300, MIN, NULL);        /* SAR by 300 */
  g_at += sprintf(g_at, "00");
  tu_init(w, BLK_FORK_OSAKA);
  tu_contract(w, C, g_code, 0);
  tu_tx(w, C, 1000000, 0, "");
}

static void collect(tu_world *w, unsigned opts, trace_collector *c) {
  g_n = 0;
  build(w);
  trace_init_opts(c, w->b.env.fork, opts);
  g_inner = trace_tracer(c);
  evm_tracer t = g_inner;
  t.on_arith_values = tee_values;
  assert_int_equal(tu_run(w, &t), EVM_OK);
  assert_true(w->r.txs[0].status == EVM_TX_SUCCESS);
  trace_add_block_witness(c, &w->b);
  assert_int_equal(trace_finish(c), TRACE_OK);
}

static const uint8_t *cword(const event *e) { return e->op == 0x08 || e->op == 0x09 ? e->c : NULL; }

/* The supported events, in order, into sup[] (indices into g_ev). */
static size_t supported(size_t *sup) {
  size_t n = 0;
  for (size_t i = 0; i < g_n; i++)
    if (arith_air_supports(g_ev[i].op)) sup[n++] = i;
  return n;
}

/* Walk the shards of t at log_shard: each holds whole instructions, greedily
 * (the next instruction joins while the rows fit, at least one), in order;
 * each instruction's last row carries the executor's result; each shard
 * satisfies the AIR. Returns the shard count. */
static size_t check_shards(const trace_table *t, unsigned log_shard) {
  size_t sup[MAXOPS], n = supported(sup), next = 0, per = (size_t)1 << log_shard;
  size_t shards = trace_shard_count(t, log_shard);
  for (size_t k = 0; k < shards; k++) {
    bb_t *m;
    unsigned log_n;
    assert_int_equal(trace_shard(t, log_shard, k, &m, &log_n), TRACE_OK);
    size_t rows = (size_t)1 << log_n, at = 0;
    assert_true(log_n >= 1);
    while (next < n) {
      const event *e = &g_ev[sup[next]];
      size_t r = arith_air_rows_for(e->op, e->a, e->b, cword(e));
      if (at && at + r > per) break;
      assert_true(at + r <= rows);
      uint8_t got[32];
      assert_int_equal(arith_air_result(m + (at + r - 1) * W, got), 0);
      if (memcmp(got, e->r, 32) != 0) fail_msg("instruction %zu (opcode 0x%02x): result differs", next, e->op);
      at += r;
      next++;
    }
    assert_true(at >= 1);
    /* the smallest power of two, at least 2, holding the rows */
    assert_true(rows >= 2 && (rows == 2 || rows / 2 < at));
    for (size_t i = at * W; i < rows * W; i++) assert_int_equal(m[i], 0);
    assert_int_equal(stark_air_check(arith_air(), m, rows, NULL, NULL, NULL), 0);
    free(m);
  }
  assert_int_equal(next, n);
  bb_t *m;
  unsigned log_n;
  assert_int_equal(trace_shard(t, log_shard, shards, &m, &log_n), TRACE_E_ARG);
  assert_null(m);
  return shards;
}

static void test_rows_and_values(void **state) {
  (void)state;
  tu_world w;
  trace_collector c;
  collect(&w, TRACE_OPT_PROVE_ARITH, &c);
  const trace_table *t = &c.t[TRACE_ARITH];
  size_t sup[MAXOPS], n = supported(sup);
  /* every instruction the code runs was reported and is in the table */
  assert_int_equal(g_n, NEXPECT);
  assert_int_equal(n, NEXPECT);
  assert_int_equal(t->arith_n, NEXPECT);
  size_t sum = 0, indep = 0;
  for (size_t i = 0; i < n; i++) {
    const event *e = &g_ev[sup[i]];
    assert_int_equal(e->op, expect[i].op);
    size_t r = arith_air_rows_for(e->op, e->a, e->b, cword(e));
    if (r != expect[i].rows) fail_msg("instruction %zu (opcode 0x%02x): %zu rows, expected %zu", i, e->op, r, expect[i].rows);
    sum += r;
    indep += expect[i].rows;
  }
  assert_int_equal(sum, indep);
  assert_int_equal(t->rows, sum);
  assert_int_equal(t->width, W);
  assert_ptr_equal(trace_table_air(t), arith_air());
  assert_null(t->data);
  /* a few results known by hand: -7 / 2 = -3, -2^255 / -1 = -2^255, x / 0 = 0 */
  uint8_t neg3[32], min[32];
  memset(neg3, 0xff, 32);
  neg3[31] = 0xfd;
  memset(min, 0, 32);
  min[0] = 0x80;
  assert_memory_equal(g_ev[sup[3]].r, neg3, 32);
  assert_memory_equal(g_ev[sup[4]].r, min, 32);
  for (int i = 0; i < 32; i++) assert_int_equal(g_ev[sup[5]].r[i], 0);
  /* BYTE 4 of c0 ff ee 01 23 ..: 0x23; SIGNEXTEND(0, -7) = -7 */
  assert_int_equal(g_ev[sup[6]].op, 0x1a);
  for (int i = 0; i < 31; i++) assert_int_equal(g_ev[sup[6]].r[i], 0);
  assert_int_equal(g_ev[sup[6]].r[31], 0x23);
  uint8_t neg7[32];
  memset(neg7, 0xff, 32);
  neg7[31] = 0xf9;
  assert_int_equal(g_ev[sup[11]].op, 0x0b);
  assert_memory_equal(g_ev[sup[11]].r, neg7, 32);
  assert_int_equal(g_ev[sup[20]].op, 0x1e);
  for (int i = 0; i < 32; i++) assert_int_equal(g_ev[sup[20]].r[i], 0);
  /* one shard holds everything */
  assert_int_equal(check_shards(t, 12), 1);
  /* the other tables do not change with the option */
  trace_collector d;
  tu_world w2;
  size_t n_ev = g_n;
  collect(&w2, 0, &d);
  assert_int_equal(g_n, n_ev);
  for (int i = 0; i < TRACE_COUNT; i++) {
    if (i == TRACE_ARITH) continue;
    assert_int_equal(c.t[i].rows, d.t[i].rows);
    assert_int_equal(c.t[i].width, d.t[i].width);
    if (c.t[i].data) assert_memory_equal(c.t[i].data, d.t[i].data, c.t[i].rows * c.t[i].width * sizeof(bb_t));
  }
  trace_free(&d);
  tu_free(&w2);
  trace_free(&c);
  tu_free(&w);
}

/* Shards of 2^1 .. 2^10 rows: instructions never split; below 2^9 rows the
 * 511-row EXP is a shard of 512 rows of its own. */
static void test_shard_sizes(void **state) {
  (void)state;
  tu_world w;
  trace_collector c;
  collect(&w, TRACE_OPT_PROVE_ARITH, &c);
  const trace_table *t = &c.t[TRACE_ARITH];
  static const unsigned sizes[] = {1, 2, 3, 5, 9, 10};
  size_t prev = 0;
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    size_t s = check_shards(t, sizes[i]);
    if (i) assert_true(s <= prev);
    prev = s;
  }
  /* the counts from the rows of the table in arith_air.h */
  for (unsigned ls = 1; ls <= 10; ls++) {
    size_t per = (size_t)1 << ls, n = 0, at = 0;
    for (size_t i = 0; i < NEXPECT; i++) {
      if (at && at + expect[i].rows > per) at = 0;
      if (at == 0) n++;
      at += expect[i].rows;
    }
    assert_int_equal(trace_shard_count(t, ls), n);
  }
  assert_int_equal(trace_shard_count(t, 1), 22);
  assert_int_equal(trace_shard_count(t, 10), 1);
  trace_free(&c);
  tu_free(&w);
}

/* The first shard of 2^5 rows (ADD .. the first MULMOD, 30 rows) proves and
 * verifies; with one
 * changed constrained cell it does not. */
static void test_shard_proves(void **state) {
  (void)state;
  tu_world w;
  trace_collector c;
  collect(&w, TRACE_OPT_PROVE_ARITH, &c);
  const trace_table *t = &c.t[TRACE_ARITH];
  bb_t *m;
  unsigned log_n;
  assert_int_equal(trace_shard(t, 5, 0, &m, &log_n), TRACE_OK);
  assert_int_equal(log_n, 5);
  assert_int_equal(atu_prove_verify(arith_air(), m, log_n, 1), STARK_OK);
  /* the ADD's result limb, an SDIV's operand limb on its first row, a carry
   * bit of the MUL, the selector of the second SDIV's last row */
  const struct {
    size_t row;
    unsigned col;
  } cells[] = {
      {0, ARITH_AIR_R + 3},
      {3, ARITH_AIR_A + 31},
      {2, ARITH_AIR_CARRY + 20},
      {12, ARITH_AIR_SEL + ARITH_AIR_K_SDIV_FIX},
  };
  for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
    bb_t *cell = &m[cells[i].row * W + cells[i].col], saved = *cell;
    *cell = bb_add(saved, BB_ONE);
    assert_int_equal(stark_air_check(arith_air(), m, 32, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
    int rc = atu_prove_verify(arith_air(), m, 5, 0);
    if (rc == STARK_OK) fail_msg("cell %zu (row %zu, column %u) changed and the proof still verifies", i, cells[i].row, cells[i].col);
    *cell = saved;
  }
  free(m);
  trace_free(&c);
  tu_free(&w);
}

/* Without the option: sized from on_arith's cost classes as before (every
 * arithmetic instruction, CLZ included); no values. */
static void test_sized_by_default(void **state) {
  (void)state;
  tu_world w;
  trace_collector c;
  collect(&w, 0, &c);
  const trace_table *t = &c.t[TRACE_ARITH];
  assert_int_equal(t->width, 0);
  assert_null(t->air);
  assert_null(t->arith_ops);
  assert_int_equal(t->arith_n, 0);
  assert_true(t->rows >= g_n);
  bb_t *m;
  unsigned log_n;
  assert_int_equal(trace_shard(t, 10, 0, &m, &log_n), TRACE_E_ARG);
  trace_free(&c);
  tu_free(&w);
}

static void test_modes(void **state) {
  (void)state;
  const unsigned A = TRACE_OPT_PROVE_ARITH, K = TRACE_OPT_PROVE_KECCAK;
  for (int i = 0; i < TRACE_COUNT; i++) {
    trace_table_id id = (trace_table_id)i;
    int always = id == TRACE_CPU || id == TRACE_MEMORY || id == TRACE_STORAGE;
    assert_int_equal(trace_table_proven(id, A), always || id == TRACE_ARITH);
    assert_int_equal(trace_table_proven(id, A | K), always || id == TRACE_ARITH || id == TRACE_KECCAK);
    assert_int_equal(trace_air_opts(id, A) != NULL, always || id == TRACE_ARITH);
    if (trace_air_opts(id, A)) assert_int_equal(trace_air_opts(id, A)->width, trace_table_width_opts(id, A));
    unsigned cap = trace_max_log_shard(id, A | K);
    assert_int_equal(cap == 14, id == TRACE_ARITH || id == TRACE_KECCAK);
    assert_true(trace_max_log_shard(id, 0) > 20);
  }
  assert_ptr_equal(trace_air_opts(TRACE_ARITH, A), arith_air());
  assert_int_equal(trace_table_width_opts(TRACE_ARITH, A), W);
  assert_int_equal(trace_table_width_opts(TRACE_ARITH, K), 0);
  assert_int_equal(trace_table_width(TRACE_ARITH), 0);
  assert_null(trace_air(TRACE_ARITH));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rows_and_values),
      cmocka_unit_test(test_shard_sizes),
      cmocka_unit_test(test_shard_proves),
      cmocka_unit_test(test_sized_by_default),
      cmocka_unit_test(test_modes),
  };
  return cmocka_run_group_tests_name("arith_table", tests, NULL, NULL);
}
