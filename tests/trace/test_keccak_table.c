/* The keccak table proven (TRACE_OPT_PROVE_KECCAK): built from a small block
 * (KECCAK256 of 0, 1, 135, 136, 137, 272 and 300 bytes, CREATE and CREATE2, a
 * create transaction, storage writes for the post-state trie, and the block
 * witness), it has 24 rows per permutation, as many permutations as the
 * executor counts; every permutation's input is the sponge state that
 * hash/keccak.h's keccak_f1600 gives for the bytes hashed, its output is that
 * permutation's output, and the last output of each string starts with its
 * keccak256. Its shards satisfy the AIR, prove and verify, and a changed
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
#include "evm/txsig.h"
#include "hash/keccak.h"
#include "stark/stark.h"
#include "trace/keccak_air.h"
#include "trace/trace.h"

#define C 0x1000
#define W KECCAK_AIR_WIDTH
#define NR KECCAK_AIR_ROWS_PER_PERM

/* Every byte string hashed, in order: what the executor reported, then the
 * witness (each code, each transaction's signed encoding). */
typedef struct {
  uint8_t *p[256];
  size_t len[256];
  size_t n;
  uint64_t counted; /* on_keccak's permutations */
} strings;

static strings g_str;
static evm_tracer g_inner; /* the collector's own tracer */

static void add_string(strings *s, const uint8_t *d, size_t len) {
  assert_true(s->n < 256);
  s->p[s->n] = malloc(len ? len : 1);
  if (len) memcpy(s->p[s->n], d, len);
  s->len[s->n++] = len;
}

static void tee_keccak(void *ctx, uint64_t n, evm_keccak_source src) {
  g_str.counted += n;
  g_inner.on_keccak(ctx, n, src);
}

static void tee_keccak_data(void *ctx, const uint8_t *d, size_t len, evm_keccak_source src) {
  add_string(&g_str, d, len);
  g_inner.on_keccak_data(ctx, d, len, src);
}

static const char init_code[] = "60016000536001" "6000f3"; /* deploys the code 01 */

/* The block: one call to C with 300 bytes of calldata (the init code, then a
 * pattern), and one create transaction. C copies its calldata to memory,
 * hashes seven ranges, writes three slots, CREATE2s and CREATEs. */
static void build(tu_world *w) {
  static char code[1024], data[2 * 300 + 1];
  char *at = code;
  at += sprintf(at, "3660006000" "37");
  static const unsigned lens[] = {0, 1, 135, 136, 137, 272, 300}, offs[] = {0, 5, 0, 3, 7, 0, 0};
  for (size_t i = 0; i < 7; i++) at += sprintf(at, "61%04x60%02x2050", lens[i], offs[i]);
  for (unsigned k = 1; k <= 3; k++) at += sprintf(at, "60%02x60%02x55", k + 10, k);
  at += sprintf(at, "602a600a60006000f550");
  at += sprintf(at, "600a60006000f050");
  at += sprintf(at, "00");
  strcpy(data, init_code);
  for (size_t i = 10; i < 300; i++) sprintf(data + 2 * i, "%02x", (unsigned)((i * 7 + 3) & 0xff));
  tu_init(w, BLK_FORK_OSAKA);
  tu_contract(w, C, code, 0);
  tu_tx(w, C, 1000000, 0, data);
  tu_tx(w, 0, 200000, 0, init_code);
}

/* Run the block with a collector of opts, recording the strings. */
static void collect(tu_world *w, unsigned opts, trace_collector *c) {
  memset(&g_str, 0, sizeof g_str);
  build(w);
  trace_init_opts(c, w->b.env.fork, opts);
  g_inner = trace_tracer(c);
  evm_tracer t = g_inner;
  t.on_keccak = tee_keccak;
  if (t.on_keccak_data) t.on_keccak_data = tee_keccak_data;
  assert_int_equal(tu_run(w, &t), EVM_OK);
  for (size_t i = 0; i < w->b.n_txs; i++) assert_true(w->r.txs[i].status == EVM_TX_SUCCESS);
  trace_add_block_witness(c, &w->b);
  assert_int_equal(trace_finish(c), TRACE_OK);
}

static void free_strings(void) {
  for (size_t i = 0; i < g_str.n; i++) free(g_str.p[i]);
  memset(&g_str, 0, sizeof g_str);
}

static uint64_t lane_at(const bb_t *row, unsigned base) {
  uint64_t v = 0;
  for (int k = KECCAK_AIR_LIMBS - 1; k >= 0; k--) v = v << 16 | bb_to_u32(row[base + (unsigned)k]);
  return v;
}

static uint64_t out_lane(const bb_t *row, unsigned lane) {
  uint64_t v = 0;
  for (int k = KECCAK_AIR_LIMBS - 1; k >= 0; k--) v = v << 16 | bb_to_u32(row[keccak_air_output_col(lane % 5, lane / 5, (unsigned)k)]);
  return v;
}

/* Check the permutations of trace m (from permutation `first` on, `count`
 * of them) against the strings: input = state xor padded block, output =
 * keccak_f1600(input), the last output of a string = its keccak256. */
typedef struct {
  size_t str, block; /* position in the strings */
  uint64_t st[25];
} sponge;

static void padded_block(const uint8_t *d, size_t len, size_t block, uint8_t out[136]) {
  size_t off = block * 136, take = len - off < 136 ? len - off : 136;
  memset(out, 0, 136);
  if (take) memcpy(out, d + off, take);
  if (take < 136) {
    out[take] ^= 0x01;
    out[135] ^= 0x80;
  }
}

static void check_perms(sponge *sp, const bb_t *m, size_t count) {
  for (size_t k = 0; k < count; k++) {
    assert_true(sp->str < g_str.n);
    const uint8_t *d = g_str.p[sp->str];
    size_t len = g_str.len[sp->str];
    uint8_t blk[136];
    padded_block(d, len, sp->block, blk);
    if (sp->block == 0) memset(sp->st, 0, sizeof sp->st);
    for (int i = 0; i < 17; i++) {
      uint64_t v = 0;
      for (int b = 7; b >= 0; b--) v = v << 8 | blk[8 * i + b];
      sp->st[i] ^= v;
    }
    const bb_t *r0 = m + k * NR * W, *r23 = r0 + (NR - 1) * W;
    for (unsigned i = 0; i < 25; i++) {
      if (lane_at(r0, KECCAK_AIR_PREIMAGE + 4 * i) != sp->st[i])
        fail_msg("string %zu block %zu: PREIMAGE lane %u differs", sp->str, sp->block, i);
      assert_true(lane_at(r23, KECCAK_AIR_PREIMAGE + 4 * i) == sp->st[i]);
    }
    keccak_f1600(sp->st);
    for (unsigned i = 0; i < 25; i++)
      if (out_lane(r23, i) != sp->st[i]) fail_msg("string %zu block %zu: output lane %u differs", sp->str, sp->block, i);
    assert_int_equal(r23[KECCAK_AIR_EXPORT], BB_ONE);
    if ((sp->block + 1) * 136 > len) {
      /* last block: the digest is the first 32 bytes of the state */
      uint8_t h[32], got[32];
      keccak256(d, len, h);
      for (int i = 0; i < 32; i++) got[i] = (uint8_t)(sp->st[i / 8] >> (8 * (i % 8)));
      assert_memory_equal(got, h, 32);
      sp->str++;
      sp->block = 0;
    } else {
      sp->block++;
    }
  }
}

static uint64_t string_perms(void) {
  uint64_t p = 0;
  for (size_t i = 0; i < g_str.n; i++) p += keccak256_permutations(g_str.len[i]);
  return p;
}

/* The executor's strings, then the witness strings as the collector takes
 * them: each code, each signed transaction encoding. */
static void add_witness_strings(const blk_block *b) {
  for (size_t i = 0; i < b->n_codes; i++) add_string(&g_str, b->codes[i].data, b->codes[i].len);
  for (size_t i = 0; i < b->n_txs; i++) {
    uint8_t *enc;
    size_t len;
    assert_int_equal(evm_tx_encode(&b->txs[i], b->env.chain_id, &enc, &len), 0);
    add_string(&g_str, enc, len);
    free(enc);
  }
}

static void test_rows_and_values(void **state) {
  (void)state;
  tu_world w;
  trace_collector c;
  collect(&w, TRACE_OPT_PROVE_KECCAK, &c);
  const trace_table *t = &c.t[TRACE_KECCAK];
  uint64_t counted = g_str.counted, exec_perms = string_perms();
  /* the bytes account for every permutation the executor counted */
  assert_int_equal(exec_perms, counted);
  /* the KECCAK256 calls of the chosen lengths are there, in order */
  static const size_t lens[] = {0, 1, 135, 136, 137, 272, 300};
  for (size_t i = 0; i < 7; i++) assert_int_equal(g_str.len[i], lens[i]);
  add_witness_strings(&w.b);
  uint64_t perms = string_perms();
  assert_true(perms > counted);
  assert_int_equal(c.keccak_perms, perms);
  assert_int_equal(t->rows, NR * perms);
  assert_int_equal(t->width, W);
  assert_ptr_equal(trace_table_air(t), keccak_air());
  assert_null(t->data);

  /* one shard holds everything */
  assert_int_equal(trace_shard_count(t, 16), 1);
  bb_t *m;
  unsigned log_n;
  assert_int_equal(trace_shard(t, 16, 0, &m, &log_n), TRACE_OK);
  size_t rows = (size_t)1 << log_n;
  assert_int_equal(rows, keccak_air_rows(perms));
  sponge sp;
  memset(&sp, 0, sizeof sp);
  check_perms(&sp, m, perms);
  assert_int_equal(sp.str, g_str.n);
  /* padding: no exported row after the real permutations */
  size_t exported = 0;
  for (size_t r = 0; r < rows; r++) exported += m[r * W + KECCAK_AIR_EXPORT] == BB_ONE;
  assert_int_equal(exported, perms);
  assert_int_equal(stark_air_check(keccak_air(), m, rows, NULL, NULL, NULL), 0);
  free(m);
  free_strings();
  trace_free(&c);
  tu_free(&w);
}

/* Shards of 2^7 rows (5 permutations each): cut at permutation boundaries,
 * together they hold every permutation in order, each satisfies the AIR, the
 * last (with padding permutations) proves and verifies, and the first with
 * one changed constrained cell does not verify. */
static void test_shards_prove(void **state) {
  (void)state;
  tu_world w;
  trace_collector c;
  collect(&w, TRACE_OPT_PROVE_KECCAK, &c);
  add_witness_strings(&w.b);
  const trace_table *t = &c.t[TRACE_KECCAK];
  size_t perms = t->rows / NR, per = 128 / NR;
  size_t n = trace_shard_count(t, 7);
  assert_int_equal(n, (perms + per - 1) / per);
  assert_true(n >= 3);
  sponge sp;
  memset(&sp, 0, sizeof sp);
  bb_t *first = NULL;
  for (size_t k = 0; k < n; k++) {
    bb_t *m;
    unsigned log_n;
    assert_int_equal(trace_shard(t, 7, k, &m, &log_n), TRACE_OK);
    size_t cnt = k + 1 < n ? per : perms - k * per;
    assert_int_equal((size_t)1 << log_n, keccak_air_rows(cnt));
    assert_true(log_n <= 7);
    check_perms(&sp, m, cnt);
    assert_int_equal(stark_air_check(keccak_air(), m, (size_t)1 << log_n, NULL, NULL, NULL), 0);
    if (k == n - 1) assert_int_equal(atu_prove_verify(keccak_air(), m, log_n, 1), STARK_OK);
    if (k == 0)
      first = m;
    else
      free(m);
  }
  assert_int_equal(sp.str, g_str.n);
  bb_t *m;
  unsigned log_n;
  assert_int_equal(trace_shard(t, 7, n, &m, &log_n), TRACE_E_ARG);
  assert_null(m);

  /* constrained cells: a permutation's input on its first row, a round
   * input inside a permutation, a theta bit, the round output that carries
   * into the next row, and the output's lane 0 on a round-23 row */
  const struct {
    size_t row;
    unsigned col;
  } cells[] = {
      {0, KECCAK_AIR_PREIMAGE + 9},
      {NR + 6, KECCAK_AIR_A + 4 * 7 + 2},
      {3, KECCAK_AIR_CP + 64 * 2 + 17},
      {2 * NR + 10, KECCAK_AIR_APP + 4 * 12 + 1},
      {2 * NR - 1, KECCAK_AIR_APPP00 + 3},
  };
  for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
    atu_cell_breaks_proof(keccak_air(), first, 128, 7, cells[i].row, cells[i].col);
  assert_int_equal(atu_prove_verify(keccak_air(), first, 7, 1), STARK_OK);
  free(first);
  free_strings();
  trace_free(&c);
  tu_free(&w);
}

/* With shards below 32 rows each permutation is a shard of 32 rows. */
static void test_small_shards(void **state) {
  (void)state;
  tu_world w;
  trace_collector c;
  collect(&w, TRACE_OPT_PROVE_KECCAK, &c);
  add_witness_strings(&w.b);
  const trace_table *t = &c.t[TRACE_KECCAK];
  size_t perms = t->rows / NR;
  assert_int_equal(trace_shard_count(t, 3), perms);
  sponge sp;
  memset(&sp, 0, sizeof sp);
  for (size_t k = 0; k < perms; k++) {
    bb_t *m;
    unsigned log_n;
    assert_int_equal(trace_shard(t, 3, k, &m, &log_n), TRACE_OK);
    assert_int_equal(log_n, 5);
    check_perms(&sp, m, 1);
    if (k < 2) assert_int_equal(stark_air_check(keccak_air(), m, 32, NULL, NULL, NULL), 0);
    free(m);
  }
  free_strings();
  trace_free(&c);
  tu_free(&w);
}

/* Without the option: sized as before, from the counts and the witness
 * estimate; no values, no AIR. */
static void test_sized_by_default(void **state) {
  (void)state;
  tu_world w;
  trace_collector c;
  collect(&w, 0, &c);
  const trace_table *t = &c.t[TRACE_KECCAK];
  assert_int_equal(g_str.n, 0); /* on_keccak_data is not asked for */
  uint64_t witness = 0;
  for (size_t i = 0; i < w.b.n_codes; i++) witness += w.b.codes[i].len / 136 + 1;
  for (size_t i = 0; i < w.b.n_txs; i++) witness += (w.b.txs[i].data.len + 128) / 136 + 1;
  assert_int_equal(c.keccak_perms, g_str.counted + witness);
  assert_int_equal(t->rows, NR * c.keccak_perms);
  assert_int_equal(t->width, 0);
  assert_null(t->air);
  assert_null(t->keccak_in);
  bb_t *m;
  unsigned log_n;
  assert_int_equal(trace_shard(t, 10, 0, &m, &log_n), TRACE_E_ARG);
  /* the other tables are the same in both modes */
  assert_ptr_equal(trace_table_air(&c.t[TRACE_CPU]), trace_air(TRACE_CPU));
  assert_null(trace_table_air(&c.t[TRACE_ARITH]));
  free_strings();
  trace_free(&c);
  tu_free(&w);
}

static void test_modes(void **state) {
  (void)state;
  const unsigned P = TRACE_OPT_PROVE_KECCAK;
  for (int i = 0; i < TRACE_COUNT; i++) {
    trace_table_id id = (trace_table_id)i;
    int always = id == TRACE_CPU || id == TRACE_MEMORY || id == TRACE_STORAGE;
    assert_int_equal(trace_table_proven(id, 0), always);
    assert_int_equal(trace_table_proven(id, P), always || id == TRACE_KECCAK);
    assert_int_equal(trace_air(id) != NULL, always);
    assert_int_equal(trace_air_opts(id, P) != NULL, always || id == TRACE_KECCAK);
    assert_int_equal(trace_table_width(id), trace_table_width_opts(id, 0));
    if (always) assert_int_equal(trace_table_width_opts(id, P), trace_table_width(id));
    if (trace_air_opts(id, P)) assert_int_equal(trace_air_opts(id, P)->width, trace_table_width_opts(id, P));
  }
  assert_ptr_equal(trace_air_opts(TRACE_KECCAK, P), keccak_air());
  assert_int_equal(trace_table_width_opts(TRACE_KECCAK, P), W);
  assert_int_equal(trace_table_width(TRACE_KECCAK), 0);
  assert_false(trace_table_proven(TRACE_COUNT, P));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rows_and_values),
      cmocka_unit_test(test_shards_prove),
      cmocka_unit_test(test_small_shards),
      cmocka_unit_test(test_sized_by_default),
      cmocka_unit_test(test_modes),
  };
  return cmocka_run_group_tests_name("keccak_table", tests, NULL, NULL);
}
