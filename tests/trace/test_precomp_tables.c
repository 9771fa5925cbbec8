/* The sha256, blake2f and ripemd160 tables, sized by default and proven
 * with TRACE_OPT_PROVE_PRECOMPILES. Two blocks: the generators' "sha256"
 * scenario (STATICCALLs to 0x02 on 4 KiB inputs) and a small Prague block of
 * six calls to BLAKE2F (0x09) with 0, 12, 1 and 20 rounds, one with final
 * flag 2 and one 212 bytes long (those two fail). A wrapper around the
 * collector's tracer records what the executor reports: every
 * on_precompile (the independent row counts: 64 x sha256_compressions(len)
 * per SHA256 call, rounds + 2 per BLAKE2F input the test built valid) and
 * every on_precompile_input (only successful calls). With and without the
 * option every table has the same rows; with it the kept SHA-256
 * compressions of the first call chain from sha256_iv to the precompile's
 * output and the kept BLAKE2F calls are the inputs sent; shards are cut at
 * compression and call boundaries, satisfy their AIRs, prove and verify,
 * and a changed cell fails; precomp no longer counts either precompile.
 * A third block, the generators' "ripemd160" scenario (STATICCALLs to 0x03
 * on 4 KiB inputs): with and without the option the ripemd160 table has 80
 * rows per compression (counted here from the reported input lengths, and
 * the same in a counting collector) and precomp is empty; with it the
 * kept compressions chain from
 * ripemd160_iv to the precompile's output, and its shards (whole
 * compressions) prove and verify while a changed cell fails. */
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
#include "trace_test_util.h"
#include "cycles.h"
#include "gen.h"
#include "hash/ripemd160.h"
#include "hash/sha256.h"
#include "stark/stark.h"
#include "trace/blake2f_air.h"
#include "trace/ripemd160_air.h"
#include "trace/sha256_air.h"
#include "trace/trace.h"

#define P TRACE_OPT_PROVE_PRECOMPILES
#define C 0x1000
#define MAXEV 4096

/* CALLDATACOPY(0, 0, CALLDATASIZE); STATICCALL(GAS, 9, 0, CALLDATASIZE, 0, 64); POP; STOP */
#define B2_CODE "36" "6000" "6000" "37" "6040" "6000" "36" "6000" "6009" "5a" "fa" "50" "00"

/* What the executor reported. */
typedef struct {
  evm_pc_id id;
  uint64_t len;
} pc_event;

static pc_event g_pc[MAXEV];    /* on_precompile */
static size_t g_npc;
static size_t g_nin[EVM_PC_COUNT]; /* on_precompile_input, per precompile */
static uint8_t *g_first_sha;   /* the first SHA256 input reported */
static size_t g_first_sha_len;
static uint8_t *g_first_rmd;   /* the first RIPEMD160 input reported */
static size_t g_first_rmd_len;
static evm_tracer g_inner;

static void rec_precompile(void *ctx, evm_pc_id id, uint64_t input_len, const evm_pc_work *w) {
  assert_true(g_npc < MAXEV);
  g_pc[g_npc].id = id;
  g_pc[g_npc].len = input_len;
  g_npc++;
  g_inner.on_precompile(ctx, id, input_len, w);
}

static void rec_input(void *ctx, evm_pc_id id, const uint8_t *input, size_t len) {
  assert_true(g_npc > 0);
  assert_int_equal(g_pc[g_npc - 1].id, id); /* follows its on_precompile */
  assert_int_equal(g_pc[g_npc - 1].len, len);
  g_nin[id]++;
  if (id == EVM_PC_SHA256 && !g_first_sha) {
    g_first_sha = malloc(len ? len : 1);
    assert_non_null(g_first_sha);
    if (len) memcpy(g_first_sha, input, len);
    g_first_sha_len = len;
  }
  if (id == EVM_PC_RIPEMD160 && !g_first_rmd) {
    g_first_rmd = malloc(len ? len : 1);
    assert_non_null(g_first_rmd);
    if (len) memcpy(g_first_rmd, input, len);
    g_first_rmd_len = len;
  }
  if (g_inner.on_precompile_input) g_inner.on_precompile_input(ctx, id, input, len);
}

static void reset_events(void) {
  g_npc = 0;
  memset(g_nin, 0, sizeof g_nin);
  free(g_first_sha);
  g_first_sha = NULL;
  g_first_sha_len = 0;
  free(g_first_rmd);
  g_first_rmd = NULL;
  g_first_rmd_len = 0;
}

/* c collects b under opts through the recording wrapper (counting rows
 * only when count_only). */
static void run_block_mode(const blk_block *b, unsigned opts, int count_only, trace_collector *c) {
  reset_events();
  trace_run_recorded(b, opts, count_only, c, &g_inner, rec_precompile, rec_input);
}

static void run_block(const blk_block *b, unsigned opts, trace_collector *c) {
  run_block_mode(b, opts, 0, c);
}

static void sha_block(blk_block *b) {
  gen_params gp = {100000, BLK_FORK_OSAKA, 0};
  assert_int_equal(gen_worst_case("sha256", &gp, b), GEN_OK);
}

/* ---- BLAKE2F block ---- */

typedef struct {
  uint32_t rounds;
  uint8_t f;
  size_t len; /* 213, or 212 for the bad length */
} b2_input;

static const b2_input b2_inputs[] = {
    {0, 1, 213}, {12, 0, 213}, {7, 2, 213}, {1, 1, 213}, {5, 0, 212}, {20, 0, 213},
};
#define B2_N (sizeof b2_inputs / sizeof b2_inputs[0])

static int b2_valid(const b2_input *in) { return in->len == 213 && in->f <= 1; }

/* The EIP-152 input of b2_inputs[i]: h, m, t bytes from a formula. */
static void b2_bytes(size_t i, uint8_t out[213]) {
  const b2_input *in = &b2_inputs[i];
  out[0] = (uint8_t)(in->rounds >> 24);
  out[1] = (uint8_t)(in->rounds >> 16);
  out[2] = (uint8_t)(in->rounds >> 8);
  out[3] = (uint8_t)in->rounds;
  for (int k = 4; k < 212; k++) out[k] = (uint8_t)(k * 29 + 7 * i + 3);
  out[212] = in->f;
}

static void b2_world(tu_world *w) {
  tu_init(w, BLK_FORK_PRAGUE);
  tu_contract(w, C, B2_CODE, 0);
  for (size_t i = 0; i < B2_N; i++) {
    uint8_t in[213];
    char hex[2 * 213 + 1];
    b2_bytes(i, in);
    for (size_t k = 0; k < b2_inputs[i].len; k++) sprintf(hex + 2 * k, "%02x", in[k]);
    hex[2 * b2_inputs[i].len] = 0;
    tu_tx(w, C, 200000, 0, hex);
  }
}

static uint64_t b2_expected_rows(void) {
  uint64_t rows = 0;
  for (size_t i = 0; i < B2_N; i++)
    if (b2_valid(&b2_inputs[i])) rows += (uint64_t)b2_inputs[i].rounds + 2;
  return rows;
}

/* A word from its two 16-bit limbs at col. */
static uint32_t word32(const bb_t *row, unsigned col) {
  uint32_t lo = bb_to_u32(row[col]), hi = bb_to_u32(row[col + 1]);
  assert_true(lo < 65536 && hi < 65536);
  return lo | hi << 16;
}

static uint64_t word64(const bb_t *row, unsigned col) {
  uint64_t v = 0;
  for (int k = 3; k >= 0; k--) {
    uint32_t l = bb_to_u32(row[col + (unsigned)k]);
    assert_true(l < 65536);
    v = v << 16 | l;
  }
  return v;
}

/* ---- tests ---- */

/* Rows: with and without the option the same in every table, and the
 * independent count; the kept compressions chain to the precompile's
 * output. */
static void test_sha256_rows_and_chain(void **state) {
  (void)state;
  blk_block b;
  sha_block(&b);
  trace_collector s, p;
  run_block(&b, 0, &s);
  size_t n_sha = 0;
  uint64_t want = 0;
  for (size_t i = 0; i < g_npc; i++) {
    assert_int_equal(g_pc[i].id, EVM_PC_SHA256);
    want += SHA256_AIR_ROWS_PER_COMP * sha256_compressions((size_t)g_pc[i].len);
    n_sha++;
  }
  assert_true(n_sha >= 10);
  assert_int_equal(g_nin[EVM_PC_SHA256], n_sha); /* SHA256 never fails once it runs */
  assert_int_equal(s.t[TRACE_SHA256].rows, want);
  assert_true(want > (1u << 12));
  assert_int_equal(s.t[TRACE_SHA256].width, 0);
  assert_null(s.t[TRACE_SHA256].air);
  assert_null(s.t[TRACE_SHA256].sha_state);
  assert_int_equal(s.t[TRACE_PRECOMP].rows, 0); /* SHA256 adds nothing to precomp */
  assert_int_equal(s.t[TRACE_BLAKE2F].rows, 0);

  run_block(&b, P, &p);
  assert_int_equal(g_npc, n_sha);
  for (int i = 0; i < TRACE_COUNT; i++) assert_int_equal(p.t[i].rows, s.t[i].rows);
  const trace_table *t = &p.t[TRACE_SHA256];
  assert_int_equal(t->width, SHA256_AIR_WIDTH);
  assert_ptr_equal(t->air, sha256_air());
  assert_int_equal(t->sha_n * SHA256_AIR_ROWS_PER_COMP, t->rows);

  /* the first call: 4096 bytes, 65 compressions from the IV */
  assert_non_null(g_first_sha);
  size_t n0 = (size_t)sha256_compressions(g_first_sha_len);
  assert_int_equal(g_first_sha_len, 4096);
  assert_int_equal(n0, 65);
  uint32_t st[8];
  memcpy(st, sha256_iv, sizeof st);
  for (size_t k = 0; k < n0; k++) {
    assert_memory_equal(t->sha_state[k], st, sizeof st);
    if (k < 64) assert_memory_equal(t->sha_block[k], g_first_sha + 64 * k, 64);
    sha256_compress(st, t->sha_block[k]);
  }
  assert_int_equal(t->sha_block[64][0], 0x80); /* padding block: 0x80, zeros, 32768 bits */
  assert_int_equal(t->sha_block[64][62], 0x80);
  assert_int_equal(t->sha_block[64][63], 0x00);
  uint8_t digest[32], *out = NULL;
  size_t out_len = 0;
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 4; j++) digest[4 * i + j] = (uint8_t)(st[i] >> (24 - 8 * j));
  assert_int_equal(evm_pc_run(EVM_PC_SHA256, BLK_FORK_OSAKA, g_first_sha, g_first_sha_len, &out, &out_len, NULL),
                   EVM_PC_OK);
  assert_int_equal(out_len, 32);
  assert_memory_equal(digest, out, 32);
  free(out);
  /* the second call starts from the IV again */
  assert_memory_equal(t->sha_state[n0], sha256_iv, sizeof st);

  trace_free(&p);
  trace_free(&s);
  reset_events();
  blk_free(&b);
}

/* Shards of whole compressions; the 2-compression shard of log_shard 7
 * holds the kept pairs and their outputs, proves and verifies, and a
 * changed cell fails. */
static void test_sha256_shards(void **state) {
  (void)state;
  blk_block b;
  sha_block(&b);
  trace_collector p;
  run_block(&b, P, &p);
  const trace_table *t = &p.t[TRACE_SHA256];
  size_t n = t->sha_n;
  assert_int_equal(trace_shard_count(t, 7), (n + 1) / 2);
  assert_int_equal(trace_shard_count(t, 6), n);
  assert_int_equal(trace_shard_count(t, 3), n); /* below 64 rows: one compression a shard */
  assert_int_equal(trace_shard_count(t, 14), (n + 255) / 256);
  bb_t *m;
  unsigned log_n;
  assert_int_equal(trace_shard(t, 3, 0, &m, &log_n), TRACE_OK);
  assert_int_equal(log_n, 6);
  free(m);
  assert_int_equal(trace_shard(t, 7, (n + 1) / 2, &m, &log_n), TRACE_E_ARG);
  assert_null(m);
  /* the last shard of log_shard 7: one compression (64 rows) when n is odd */
  assert_int_equal(trace_shard(t, 7, (n - 1) / 2, &m, &log_n), TRACE_OK);
  assert_int_equal(log_n, n % 2 ? 6 : 7);
  assert_int_equal(stark_air_check(sha256_air(), m, (size_t)1 << log_n, NULL, NULL, NULL), STARK_OK);
  free(m);

  size_t k = 1; /* compressions 2 and 3 */
  assert_int_equal(trace_shard(t, 7, k, &m, &log_n), TRACE_OK);
  assert_int_equal(log_n, 7);
  for (size_t j = 0; j < 2; j++) {
    uint32_t st[8];
    memcpy(st, t->sha_state[2 * k + j], sizeof st);
    sha256_compress(st, t->sha_block[2 * k + j]);
    for (size_t r = 0; r < 64; r += 63) {
      const bb_t *row = m + (64 * j + r) * SHA256_AIR_WIDTH;
      assert_int_equal(bb_to_u32(row[SHA256_AIR_EXPORT]), 1);
      for (unsigned i = 0; i < 8; i++) {
        assert_int_equal(word32(row, sha256_air_input_col(i, 0)), t->sha_state[2 * k + j][i]);
        assert_int_equal(word32(row, sha256_air_output_col(i, 0)), st[i]);
      }
      for (unsigned i = 0; i < 16; i++)
        assert_int_equal(word32(row, sha256_air_block_col(i, 0)), sha256_block_word(t->sha_block[2 * k + j], i));
    }
  }
  assert_int_equal(atu_prove_verify(sha256_air(), m, log_n, 1), STARK_OK);
  const struct {
    size_t row;
    unsigned col;
  } cells[] = {
      {70, SHA256_AIR_CV + 3},       /* the second compression's input */
      {63, SHA256_AIR_OUT + 0},      /* the first's output, last round */
      {100, SHA256_AIR_ST + 40},     /* a working-variable bit */
  };
  for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
    atu_cell_breaks_proof(sha256_air(), m, 128, log_n, cells[i].row, cells[i].col);
  free(m);
  trace_free(&p);
  reset_events();
  blk_free(&b);
}

/* Rows: rounds + 2 per valid call in both modes, nothing for the two that
 * fail, nothing in precomp; the kept calls are the inputs sent. */
static void test_blake2f_rows_and_inputs(void **state) {
  (void)state;
  tu_world w, w2;
  trace_collector s, p;
  b2_world(&w);
  run_block(&w.b, 0, &s);
  size_t n_b2 = 0;
  for (size_t i = 0; i < g_npc; i++) n_b2 += g_pc[i].id == EVM_PC_BLAKE2F;
  assert_int_equal(n_b2, B2_N);                    /* all six ran */
  assert_int_equal(g_nin[EVM_PC_BLAKE2F], 4);     /* four succeeded */
  assert_int_equal(b2_expected_rows(), 2 + 14 + 3 + 22);
  assert_int_equal(s.t[TRACE_BLAKE2F].rows, b2_expected_rows());
  assert_int_equal(s.t[TRACE_BLAKE2F].pad_rows, 0); /* short calls share shards */
  assert_int_equal(s.t[TRACE_BLAKE2F].width, 0);
  assert_null(s.t[TRACE_BLAKE2F].b2_calls);
  assert_int_equal(s.t[TRACE_PRECOMP].rows, 0);
  assert_int_equal(s.t[TRACE_SHA256].rows, 0);

  b2_world(&w2);
  run_block(&w2.b, P, &p);
  for (int i = 0; i < TRACE_COUNT; i++) assert_int_equal(p.t[i].rows, s.t[i].rows);
  const trace_table *t = &p.t[TRACE_BLAKE2F];
  assert_int_equal(t->width, BLAKE2F_AIR_WIDTH);
  assert_ptr_equal(t->air, blake2f_air());
  assert_int_equal(t->b2_n, 4);
  size_t k = 0;
  for (size_t i = 0; i < B2_N; i++) {
    if (!b2_valid(&b2_inputs[i])) continue;
    uint8_t in[213];
    b2_bytes(i, in);
    const blake2f_air_call *e = &t->b2_calls[k++];
    assert_int_equal(e->rounds, b2_inputs[i].rounds);
    assert_int_equal(e->f, b2_inputs[i].f);
    for (int j = 0; j < 8; j++)
      for (int x = 0; x < 8; x++) assert_int_equal((uint8_t)(e->h[j] >> (8 * x)), in[4 + 8 * j + x]);
    for (int j = 0; j < 16; j++)
      for (int x = 0; x < 8; x++) assert_int_equal((uint8_t)(e->m[j] >> (8 * x)), in[68 + 8 * j + x]);
    for (int j = 0; j < 2; j++)
      for (int x = 0; x < 8; x++) assert_int_equal((uint8_t)(e->t[j] >> (8 * x)), in[196 + 8 * j + x]);
  }
  trace_free(&p);
  trace_free(&s);
  tu_free(&w2);
  tu_free(&w);
  reset_events();
}

/* Shards at call boundaries: at 2^4 rows {0 rounds, 12 rounds} (16 rows),
 * {1 round} (3 rows, 4 padded), {20 rounds} (22 rows, a shard of its own
 * of 32). The first proves and verifies, its FINAL rows hold the
 * precompile's outputs, and a changed cell fails. */
static void test_blake2f_shards(void **state) {
  (void)state;
  tu_world w;
  trace_collector p;
  b2_world(&w);
  run_block(&w.b, P, &p);
  const trace_table *t = &p.t[TRACE_BLAKE2F];
  assert_int_equal(trace_shard_count(t, 4), 3);
  assert_int_equal(trace_shard_count(t, 1), 4);
  assert_int_equal(trace_shard_count(t, 6), 1);
  bb_t *m;
  unsigned log_n;
  unsigned want_log[3] = {4, 2, 5};
  for (size_t k = 0; k < 3; k++) {
    assert_int_equal(trace_shard(t, 4, k, &m, &log_n), TRACE_OK);
    assert_int_equal(log_n, want_log[k]);
    assert_int_equal(stark_air_check(blake2f_air(), m, (size_t)1 << log_n, NULL, NULL, NULL), STARK_OK);
    free(m);
  }
  assert_int_equal(trace_shard(t, 4, 3, &m, &log_n), TRACE_E_ARG);
  assert_int_equal(trace_shard(t, 6, 0, &m, &log_n), TRACE_OK);
  assert_int_equal(log_n, 6); /* 41 rows */
  free(m);

  assert_int_equal(trace_shard(t, 4, 0, &m, &log_n), TRACE_OK);
  /* FINAL rows 1 and 15: the precompile's outputs of inputs 0 and 1 */
  size_t final_row[2] = {1, 15};
  for (size_t i = 0; i < 2; i++) {
    uint8_t in[213], *out = NULL;
    size_t out_len = 0;
    b2_bytes(i, in);
    assert_int_equal(evm_pc_run(EVM_PC_BLAKE2F, BLK_FORK_PRAGUE, in, 213, &out, &out_len, NULL), EVM_PC_OK);
    assert_int_equal(out_len, 64);
    const bb_t *row = m + final_row[i] * BLAKE2F_AIR_WIDTH;
    assert_int_equal(bb_to_u32(row[BLAKE2F_AIR_FINAL]), 1);
    for (unsigned j = 0; j < 8; j++) {
      uint64_t v = word64(row, blake2f_air_output_col(j, 0));
      for (int x = 0; x < 8; x++) assert_int_equal((uint8_t)(v >> (8 * x)), out[8 * j + (unsigned)x]);
    }
    free(out);
  }
  assert_int_equal(atu_prove_verify(blake2f_air(), m, log_n, 1), STARK_OK);
  const struct {
    size_t row;
    unsigned col;
  } cells[] = {
      {1, BLAKE2F_AIR_OUT + 5},            /* the 0-round call's output */
      {8, BLAKE2F_AIR_V + 64 * 3 + 17},    /* a state bit of the 12-round call */
      {15, BLAKE2F_AIR_CNT},               /* its FINAL row's round count */
  };
  for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
    atu_cell_breaks_proof(blake2f_air(), m, 16, log_n, cells[i].row, cells[i].col);
  free(m);
  trace_free(&p);
  tu_free(&w);
  reset_events();
}

/* The generator's 100,000-round call (one at 200k gas): 100,002 rows, a
 * shard of its own of 2^17 rows when proven, so the cost model sees 2^17
 * rows (trace_estimate_rows), sized, proven and counting alike; the other
 * tables' estimate rows are their rows. */
static void test_blake2f_estimate_rows(void **state) {
  (void)state;
  blk_block b;
  gen_params gp = {200000, BLK_FORK_OSAKA, 0};
  assert_int_equal(gen_worst_case("blake2f", &gp, &b), GEN_OK);
  for (int mode = 0; mode < 3; mode++) {
    trace_collector c;
    run_block_mode(&b, mode == 1 ? P : 0, mode == 2, &c);
    assert_int_equal(c.t[TRACE_BLAKE2F].rows, 100002);
    assert_int_equal(c.t[TRACE_BLAKE2F].pad_rows, ((size_t)1 << 17) - 100002);
    uint64_t rows[TRACE_COUNT];
    trace_estimate_rows(&c, rows);
    for (int i = 0; i < TRACE_COUNT; i++)
      assert_int_equal(rows[i], i == TRACE_BLAKE2F ? (uint64_t)1 << 17 : (uint64_t)c.t[i].rows);
    if (mode == 1) assert_int_equal(trace_shard_count(&c.t[TRACE_BLAKE2F], TRACE_WIDE_MAX_LOG_SHARD), 1);
    trace_free(&c);
    reset_events();
  }
  blk_free(&b);
}

/* A call no STARK of this build can hold: TRACE_E_RANGE, nothing
 * allocated. */
static void test_blake2f_too_tall(void **state) {
  (void)state;
  blake2f_air_call call[2];
  memset(call, 0, sizeof call);
  call[0].rounds = 3;
  call[1].rounds = 0xffffffffu;
  trace_table t;
  memset(&t, 0, sizeof t);
  t.id = TRACE_BLAKE2F;
  t.width = BLAKE2F_AIR_WIDTH;
  t.air = blake2f_air();
  t.b2_calls = call;
  t.b2_n = 2;
  t.rows = 5 + (size_t)0xffffffffu + 2;
  assert_int_equal(trace_shard_count(&t, 14), 2);
  bb_t dummy = 0, *m = &dummy;
  unsigned log_n;
  assert_int_equal(trace_shard(&t, 14, 1, &m, &log_n), TRACE_E_RANGE);
  assert_null(m);
  assert_int_equal(trace_shard(&t, 14, 0, &m, &log_n), TRACE_OK);
  assert_int_equal(log_n, 3);
  free(m);
}

/* The cycles tee forwards the inputs: a collector behind it keeps the same
 * tables as one run alone. */
static void test_cycles_tee_forwards(void **state) {
  (void)state;
  tu_world w;
  b2_world(&w);
  trace_collector c;
  trace_init_opts(&c, w.b.env.fork, P);
  evm_tracer tr = trace_tracer(&c);
  cycles_acc acc;
  cycles_acc_init(&acc);
  cycles_tee tee = {&acc, &tr};
  evm_tracer tt = cycles_tracer_tee(&tee);
  assert_non_null(tt.on_precompile_input);
  assert_int_equal(tu_run(&w, &tt), EVM_OK);
  assert_int_equal(c.t[TRACE_BLAKE2F].b2_n, 4);
  assert_int_equal(c.t[TRACE_BLAKE2F].rows, b2_expected_rows());
  trace_free(&c);
  tu_free(&w);
  /* a next tracer without it: not set */
  evm_tracer none;
  memset(&none, 0, sizeof none);
  cycles_tee t2 = {&acc, &none};
  assert_null(cycles_tracer_tee(&t2).on_precompile_input);
}

/* ---- RIPEMD-160 ---- */

static void rmd_block(blk_block *b) {
  gen_params gp = {100000, BLK_FORK_OSAKA, 0};
  assert_int_equal(gen_worst_case("ripemd160", &gp, b), GEN_OK);
}

/* Rows: with and without the option 80 per compression in ripemd160 (from
 * the reported lengths; the same in a counting collector) and none in
 * precomp, every other table unchanged; the kept compressions of
 * the first call chain from the IV to the precompile's output and the second
 * call starts from the IV again. */
static void test_ripemd160_rows_and_chain(void **state) {
  (void)state;
  blk_block b;
  rmd_block(&b);
  trace_collector s, p, q;
  run_block(&b, 0, &s);
  size_t n_rmd = 0;
  uint64_t want_rows = 0, comps = 0;
  for (size_t i = 0; i < g_npc; i++) {
    assert_int_equal(g_pc[i].id, EVM_PC_RIPEMD160);
    uint64_t nc = ripemd160_compressions((size_t)g_pc[i].len);
    want_rows += RIPEMD160_AIR_ROWS_PER_COMP * nc;
    comps += nc;
    n_rmd++;
  }
  assert_true(n_rmd >= 2);
  assert_int_equal(g_nin[EVM_PC_RIPEMD160], n_rmd); /* RIPEMD160 never fails once it runs */
  assert_int_equal(s.t[TRACE_PRECOMP].rows, 0);
  assert_int_equal(s.t[TRACE_RIPEMD160].rows, want_rows);
  assert_int_equal(s.t[TRACE_RIPEMD160].width, 0);
  assert_null(s.t[TRACE_RIPEMD160].air);
  assert_null(s.t[TRACE_RIPEMD160].rmd_state);

  run_block(&b, P, &p);
  assert_int_equal(g_npc, n_rmd);
  for (int i = 0; i < TRACE_COUNT; i++)
    assert_int_equal(p.t[i].rows, s.t[i].rows);
  const trace_table *t = &p.t[TRACE_RIPEMD160];
  assert_int_equal(t->rows, want_rows);
  assert_int_equal(t->rmd_n, comps);
  assert_int_equal(t->width, RIPEMD160_AIR_WIDTH);
  assert_ptr_equal(t->air, ripemd160_air());
  assert_int_equal(trace_max_log_shard(TRACE_RIPEMD160, P), TRACE_WIDE_MAX_LOG_SHARD);

  /* a counting collector with the option: the same rows, nothing kept */
  run_block_mode(&b, P, 1, &q);
  for (int i = 0; i < TRACE_COUNT; i++) assert_int_equal(q.t[i].rows, p.t[i].rows);
  assert_null(q.t[TRACE_RIPEMD160].rmd_state);
  trace_free(&q);

  /* the first call: 4096 bytes, 65 compressions from the IV */
  run_block(&b, P, &q); /* again, for the recorded first input */
  trace_free(&q);
  assert_non_null(g_first_rmd);
  size_t n0 = (size_t)ripemd160_compressions(g_first_rmd_len);
  assert_int_equal(g_first_rmd_len, 4096);
  assert_int_equal(n0, 65);
  uint32_t st[5];
  memcpy(st, ripemd160_iv, sizeof st);
  for (size_t k = 0; k < n0; k++) {
    assert_memory_equal(t->rmd_state[k], st, sizeof st);
    if (k < 64) assert_memory_equal(t->rmd_block[k], g_first_rmd + 64 * k, 64);
    ripemd160_compress(st, t->rmd_block[k]);
  }
  assert_int_equal(t->rmd_block[64][0], 0x80); /* padding block: 0x80, zeros, 32768 bits LE */
  assert_int_equal(t->rmd_block[64][56], 0x00);
  assert_int_equal(t->rmd_block[64][57], 0x80);
  assert_int_equal(t->rmd_block[64][63], 0x00);
  uint8_t digest[20], *out = NULL;
  size_t out_len = 0;
  for (int i = 0; i < 5; i++)
    for (int j = 0; j < 4; j++) digest[4 * i + j] = (uint8_t)(st[i] >> (8 * j));
  assert_int_equal(evm_pc_run(EVM_PC_RIPEMD160, BLK_FORK_OSAKA, g_first_rmd, g_first_rmd_len, &out,
                              &out_len, NULL),
                   EVM_PC_OK);
  assert_int_equal(out_len, 32);
  assert_memory_equal(digest, out + 12, 20);
  free(out);
  assert_memory_equal(t->rmd_state[n0], ripemd160_iv, sizeof st);

  trace_free(&p);
  trace_free(&s);
  reset_events();
  blk_free(&b);
}

/* Shards of whole compressions: 3 a shard at log_shard 8 (240 rows padded to
 * 256), one a shard below; the second shard of log_shard 8 holds the kept
 * pairs and their outputs, proves and verifies, and a changed cell fails. */
static void test_ripemd160_shards(void **state) {
  (void)state;
  blk_block b;
  rmd_block(&b);
  trace_collector p;
  run_block(&b, P, &p);
  const trace_table *t = &p.t[TRACE_RIPEMD160];
  size_t n = t->rmd_n;
  assert_true(n >= 6);
  assert_int_equal(trace_shard_count(t, 8), (n + 2) / 3);
  assert_int_equal(trace_shard_count(t, 7), n);
  assert_int_equal(trace_shard_count(t, 2), n); /* below 80 rows: one compression a shard */
  assert_int_equal(trace_shard_count(t, 14), (n + 203) / 204);
  bb_t *m;
  unsigned log_n;
  assert_int_equal(trace_shard(t, 2, 0, &m, &log_n), TRACE_OK);
  assert_int_equal(log_n, 7);
  assert_int_equal(stark_air_check(ripemd160_air(), m, 128, NULL, NULL, NULL), STARK_OK);
  free(m);
  assert_int_equal(trace_shard(t, 8, (n + 2) / 3, &m, &log_n), TRACE_E_ARG);
  assert_null(m);
  /* the last shard of log_shard 8: the compressions left over */
  assert_int_equal(trace_shard(t, 8, (n - 1) / 3, &m, &log_n), TRACE_OK);
  assert_int_equal(log_n, n % 3 == 1 ? 7 : 8);
  assert_int_equal(stark_air_check(ripemd160_air(), m, (size_t)1 << log_n, NULL, NULL, NULL),
                   STARK_OK);
  free(m);

  size_t k = 1; /* compressions 3, 4 and 5 */
  assert_int_equal(trace_shard(t, 8, k, &m, &log_n), TRACE_OK);
  assert_int_equal(log_n, 8);
  for (size_t j = 0; j < 3; j++) {
    uint32_t st[5];
    memcpy(st, t->rmd_state[3 * k + j], sizeof st);
    ripemd160_compress(st, t->rmd_block[3 * k + j]);
    for (size_t r = 0; r < 80; r += 79) {
      const bb_t *row = m + (80 * j + r) * RIPEMD160_AIR_WIDTH;
      assert_int_equal(bb_to_u32(row[RIPEMD160_AIR_EXPORT]), 1);
      for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(word32(row, ripemd160_air_input_col(i, 0)), t->rmd_state[3 * k + j][i]);
        assert_int_equal(word32(row, ripemd160_air_output_col(i, 0)), st[i]);
      }
      for (unsigned i = 0; i < 16; i++)
        assert_int_equal(word32(row, ripemd160_air_block_col(i, 0)),
                         ripemd160_block_word(t->rmd_block[3 * k + j], i));
    }
  }
  assert_int_equal(bb_to_u32(m[240 * RIPEMD160_AIR_WIDTH + RIPEMD160_AIR_EXPORT]), 0); /* padding */
  assert_int_equal(atu_prove_verify(ripemd160_air(), m, log_n, 1), STARK_OK);
  const struct {
    size_t row;
    unsigned col;
  } cells[] = {
      {90, RIPEMD160_AIR_CV + 3},                                  /* the second compression's input */
      {79, RIPEMD160_AIR_OUT + 0},                                 /* the first's output, step 79 */
      {170, RIPEMD160_AIR_LINE(1) + RIPEMD160_AIR_L_ST + 77},      /* a right-line state bit */
      {250, RIPEMD160_AIR_EXPORT},                                 /* padding exported */
  };
  for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
    atu_cell_breaks_proof(ripemd160_air(), m, 256, log_n, cells[i].row, cells[i].col);
  free(m);
  trace_free(&p);
  reset_events();
  blk_free(&b);
}

static void test_modes(void **state) {
  (void)state;
  for (int i = 0; i < TRACE_COUNT; i++) {
    trace_table_id id = (trace_table_id)i;
    int always = id == TRACE_CPU || id == TRACE_MEMORY || id == TRACE_STORAGE;
    int ours = id == TRACE_SHA256 || id == TRACE_BLAKE2F || id == TRACE_RIPEMD160 || id == TRACE_MODMUL ||
               id == TRACE_BLS12;
    assert_int_equal(trace_table_proven(id, P), always || ours);
    assert_int_equal(trace_table_proven(id, 0), always);
    assert_int_equal(trace_table_proven(id, TRACE_OPT_PROVE_KECCAK | TRACE_OPT_PROVE_ARITH |
                                                 TRACE_OPT_PROVE_ECRECOVER) && ours,
                     0);
    if (trace_air_opts(id, P)) assert_int_equal(trace_air_opts(id, P)->width, trace_table_width_opts(id, P));
    if (ours) {
      assert_int_equal(trace_max_log_shard(id, P), TRACE_WIDE_MAX_LOG_SHARD);
      assert_int_equal(trace_max_log_shard(id, 0), TRACE_NO_LOG_SHARD_CAP);
      assert_int_equal(trace_table_width(id), 0);
      assert_null(trace_air(id));
    } else if (!always) {
      assert_int_equal(trace_max_log_shard(id, P), TRACE_NO_LOG_SHARD_CAP);
    }
  }
  assert_string_equal(trace_table_name(TRACE_SHA256), "sha256");
  assert_string_equal(trace_table_name(TRACE_BLAKE2F), "blake2f");
  assert_string_equal(trace_table_name(TRACE_RIPEMD160), "ripemd160");
  assert_ptr_equal(trace_air_opts(TRACE_RIPEMD160, P), ripemd160_air());
  assert_int_equal(trace_table_width_opts(TRACE_RIPEMD160, P), 901);
  assert_ptr_equal(trace_air_opts(TRACE_SHA256, P), sha256_air());
  assert_ptr_equal(trace_air_opts(TRACE_BLAKE2F, P), blake2f_air());
  assert_int_equal(trace_table_width_opts(TRACE_SHA256, P), 631);
  assert_int_equal(trace_table_width_opts(TRACE_BLAKE2F, P), 5816);
  /* the tables before them keep their ids */
  assert_int_equal(TRACE_PRECOMP, 5);
  assert_int_equal(TRACE_ECRECOVER, 6);
  assert_int_equal(TRACE_SHA256, 7);
  assert_int_equal(TRACE_BLAKE2F, 8);
  assert_int_equal(TRACE_RIPEMD160, 9);
  assert_int_equal(TRACE_MODMUL, 10);
  assert_int_equal(TRACE_BLS12, 11);
  assert_int_equal(TRACE_COUNT, 15);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sha256_rows_and_chain),
      cmocka_unit_test(test_sha256_shards),
      cmocka_unit_test(test_blake2f_rows_and_inputs),
      cmocka_unit_test(test_blake2f_shards),
      cmocka_unit_test(test_blake2f_too_tall),
      cmocka_unit_test(test_blake2f_estimate_rows),
      cmocka_unit_test(test_cycles_tee_forwards),
      cmocka_unit_test(test_ripemd160_rows_and_chain),
      cmocka_unit_test(test_ripemd160_shards),
      cmocka_unit_test(test_modes),
  };
  return cmocka_run_group_tests_name("precomp_tables", tests, NULL, NULL);
}
