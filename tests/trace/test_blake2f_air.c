/* BLAKE2F AIR: EIP-152's test vectors give the same output through the
 * precompile and on the FINAL row of the generated trace; random calls of
 * many round counts (0 included) match the precompile, several to a trace;
 * every row pair satisfies the constraints (through stark_air_check and
 * through eval_ext directly), the base and extension evaluations agree,
 * padding rows are zero and hold; a change to one cell in any column group
 * on any kind of row breaks a constraint, as do wrong round counts and
 * broken call sequences; a small trace proves and verifies with the STARK
 * while a tampered one does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evm/precompiles/precompile.h"
#include "stark/air.h"
#include "stark/stark.h"
#include "trace/blake2f_air.h"

#define W BLAKE2F_AIR_WIDTH

#define ATU_SEED 0x243f6a8885a308d3ull
#include "air_test_util.h"

static blake2f_air_call rnd_call(uint32_t rounds) {
  blake2f_air_call c;
  c.rounds = rounds;
  for (int i = 0; i < 8; i++) c.h[i] = atu_rnd64();
  for (int i = 0; i < 16; i++) c.m[i] = atu_rnd64();
  c.t[0] = atu_rnd64();
  c.t[1] = atu_rnd64();
  c.f = (uint8_t)(atu_rnd64() & 1);
  return c;
}

/* ---- the reference: the precompile through its public interface ---- */

static void put_le64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint64_t get_le64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

/* EIP-152's 213-byte encoding of a call. */
static void encode_call(const blake2f_air_call *c, uint8_t in[213]) {
  in[0] = (uint8_t)(c->rounds >> 24);
  in[1] = (uint8_t)(c->rounds >> 16);
  in[2] = (uint8_t)(c->rounds >> 8);
  in[3] = (uint8_t)c->rounds;
  for (int i = 0; i < 8; i++) put_le64(in + 4 + 8 * i, c->h[i]);
  for (int i = 0; i < 16; i++) put_le64(in + 68 + 8 * i, c->m[i]);
  put_le64(in + 196, c->t[0]);
  put_le64(in + 204, c->t[1]);
  in[212] = c->f;
}

static void decode_call(const uint8_t in[213], blake2f_air_call *c) {
  c->rounds = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
  for (int i = 0; i < 8; i++) c->h[i] = get_le64(in + 4 + 8 * i);
  for (int i = 0; i < 16; i++) c->m[i] = get_le64(in + 68 + 8 * i);
  c->t[0] = get_le64(in + 196);
  c->t[1] = get_le64(in + 204);
  c->f = in[212];
}

static void precompile_out(const blake2f_air_call *c, uint64_t out[8]) {
  uint8_t in[213];
  encode_call(c, in);
  uint8_t *res = NULL;
  size_t res_len = 0;
  evm_pc_work work;
  memset(&work, 0, sizeof work);
  assert_int_equal(evm_pc_run(EVM_PC_BLAKE2F, BLK_FORK_CANCUN, in, sizeof in, &res, &res_len, &work),
                   EVM_PC_OK);
  assert_int_equal(res_len, 64);
  assert_true(work.rounds == c->rounds);
  for (int i = 0; i < 8; i++) out[i] = get_le64(res + 8 * i);
  free(res);
}

static void hex_bytes(const char *hex, uint8_t *out, size_t len) {
  assert_int_equal(strlen(hex), 2 * len);
  for (size_t i = 0; i < len; i++) {
    unsigned v = 0;
    for (int j = 0; j < 2; j++) {
      char ch = hex[2 * i + (size_t)j];
      unsigned d = ch >= '0' && ch <= '9' ? (unsigned)(ch - '0') : (unsigned)(ch - 'a' + 10);
      assert_true(d < 16);
      v = v << 4 | d;
    }
    out[i] = (uint8_t)v;
  }
}

/* ---- reading the trace ---- */

static uint64_t limbs_word(const bb_t *limbs) {
  uint64_t v = 0;
  for (unsigned k = 0; k < BLAKE2F_AIR_LIMBS; k++) {
    uint32_t limb = bb_to_u32(limbs[k]);
    assert_true(limb < 0x10000u);
    v |= (uint64_t)limb << (16 * k);
  }
  return v;
}

static uint64_t bits_word(const bb_t *bits) {
  uint64_t v = 0;
  for (unsigned z = 0; z < 64; z++) {
    assert_true(bits[z] == 0 || bits[z] == BB_ONE);
    if (bits[z]) v |= 1ull << z;
  }
  return v;
}

static void row_out(const bb_t *row, uint64_t out[8]) {
  for (unsigned i = 0; i < 8; i++) {
    uint64_t v = 0;
    for (unsigned k = 0; k < BLAKE2F_AIR_LIMBS; k++) {
      uint32_t limb = bb_to_u32(row[blake2f_air_output_col(i, k)]);
      assert_true(limb < 0x10000u);
      v |= (uint64_t)limb << (16 * k);
    }
    out[i] = v;
  }
}

/* The call a FINAL row exposes: rounds, h, m, t, f. */
static void row_call(const bb_t *row, blake2f_air_call *c) {
  c->rounds = bb_to_u32(row[BLAKE2F_AIR_ROUNDS]);
  for (unsigned i = 0; i < 8; i++) c->h[i] = bits_word(row + blake2f_air_h_bit_col(i, 0));
  for (unsigned i = 0; i < 16; i++) c->m[i] = bits_word(row + blake2f_air_m_bit_col(i, 0));
  for (unsigned j = 0; j < 2; j++) c->t[j] = limbs_word(row + blake2f_air_t_col(j, 0));
  c->f = row[BLAKE2F_AIR_F] == BB_ONE ? 1 : 0;
  assert_true(row[BLAKE2F_AIR_F] == 0 || row[BLAKE2F_AIR_F] == BB_ONE);
}

static int same_call(const blake2f_air_call *a, const blake2f_air_call *b) {
  return a->rounds == b->rounds && !memcmp(a->h, b->h, sizeof a->h) &&
         !memcmp(a->m, b->m, sizeof a->m) && !memcmp(a->t, b->t, sizeof a->t) && a->f == b->f;
}

static int first_bad(const bb_t *t, size_t n, size_t *row) {
  int c = -1;
  size_t r = 0;
  int rc = stark_air_check(blake2f_air(), t, n, NULL, &r, &c);
  if (rc == 0) return -1;
  assert_int_equal(rc, STARK_ERR_CONSTRAINT);
  if (row) *row = r;
  return c;
}

/* First index of each constraint group, in the order blake2f_air.h lists. */
enum {
  CI_KIND = 0,
  CI_FIRST = CI_KIND + 4,
  CI_SEQ = CI_FIRST + 1,
  CI_R = CI_SEQ + 2,
  CI_CNT = CI_R + 30,
  CI_BOOL = CI_CNT + 4,
  CI_CARRY = CI_BOOL + 5633,
  CI_CARRIED = CI_CARRY + 128,
  CI_PAD = CI_CARRIED + 106,
  CI_INIT = CI_PAD + 170,
  CI_WORK = CI_INIT + 64,
  CI_CHAIN = CI_WORK + 1152,
  CI_OUT = CI_CHAIN + 64,
  CI_END = CI_OUT + 32
};

static void test_shape(void **state) {
  (void)state;
  const stark_air *air = blake2f_air();
  assert_int_equal(blake2f_air_width(), 5816);
  assert_int_equal(air->width, 5816);
  assert_int_equal(CI_END, 7390);
  assert_int_equal(air->num_constraints, 7390);
  assert_int_equal(air->max_degree, 3);
  assert_int_equal(air->num_public, 0);
  assert_non_null(air->eval_ext);
  assert_non_null(air->eval_base);
  assert_int_equal(stark_air_quotient_chunks(air), 2);
  assert_int_equal(blake2f_air_call_rows(0), 2);
  assert_int_equal(blake2f_air_call_rows(12), 14);
  assert_true(blake2f_air_call_rows(UINT32_MAX) == (size_t)UINT32_MAX + 2);
  blake2f_air_call c[3];
  memset(c, 0, sizeof c);
  assert_int_equal(blake2f_air_rows(NULL, 0), 2);
  assert_int_equal(blake2f_air_rows(c, 1), 2);
  c[0].rounds = 1;
  assert_int_equal(blake2f_air_rows(c, 1), 4);
  c[1].rounds = 12;
  c[2].rounds = 0;
  assert_int_equal(blake2f_air_rows(c, 2), 32); /* 3 + 14 = 17 */
  assert_int_equal(blake2f_air_rows(c, 3), 32);
  assert_int_equal(blake2f_air_final_row(c, 0), 2);
  assert_int_equal(blake2f_air_final_row(c, 1), 16);
  assert_int_equal(blake2f_air_final_row(c, 2), 18);
  c[0].rounds = UINT32_MAX; /* EIP-152's vector 8: far more rows than a trace holds */
  assert_int_equal(blake2f_air_rows(c, 1), 0);
  c[0].rounds = (1u << STARK_MAX_LOG_ROWS) - 2;
  assert_true(blake2f_air_rows(c, 1) == (size_t)1 << STARK_MAX_LOG_ROWS);
  assert_int_equal(blake2f_air_rows(c, 2), 0);
  /* the output columns are distinct and lie in the OUT group */
  for (unsigned i = 0; i < 32; i++) {
    unsigned col = blake2f_air_output_col(i / 4, i % 4);
    assert_true(col >= BLAKE2F_AIR_OUT && col < BLAKE2F_AIR_OUT + 32);
    for (unsigned j = i + 1; j < 32; j++)
      assert_int_not_equal(col, blake2f_air_output_col(j / 4, j % 4));
  }
}

/* EIP-152 test vectors 4 to 7 (the valid ones that fit a trace): the
 * expected outputs are the EIP's; the precompile and the trace both give
 * them. */
static const char eip152_in_tail[] =
    "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5"
    "d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b"
    "6162630000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "03000000000000000000000000000000";

static const struct {
  const char *rounds; /* 4 bytes, big-endian */
  const char *f;
  const char *out;
} eip152[] = {
    {"00000000", "01",
     "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5"
     "d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b"},
    {"0000000c", "01",
     "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
     "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"},
    {"0000000c", "00",
     "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d28752"
     "98743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735"},
    {"00000001", "01",
     "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fb"
     "a551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421"},
};
#define NEIP (sizeof eip152 / sizeof *eip152)

static void test_eip152_vectors(void **state) {
  (void)state;
  blake2f_air_call calls[NEIP];
  uint64_t expect[NEIP][8];
  for (size_t v = 0; v < NEIP; v++) {
    uint8_t in[213], out[64];
    hex_bytes(eip152[v].rounds, in, 4);
    hex_bytes(eip152_in_tail, in + 4, 208);
    hex_bytes(eip152[v].f, in + 212, 1);
    hex_bytes(eip152[v].out, out, 64);
    decode_call(in, &calls[v]);
    for (int i = 0; i < 8; i++) expect[v][i] = get_le64(out + 8 * i);
    /* the precompile, on the raw bytes */
    uint8_t *res = NULL;
    size_t res_len = 0;
    evm_pc_work work;
    memset(&work, 0, sizeof work);
    assert_int_equal(evm_pc_run(EVM_PC_BLAKE2F, BLK_FORK_CANCUN, in, sizeof in, &res, &res_len,
                                &work),
                     EVM_PC_OK);
    assert_int_equal(res_len, 64);
    assert_memory_equal(res, out, 64);
    free(res);
    /* the trace of this call alone */
    bb_t *t;
    unsigned log_n;
    assert_int_equal(blake2f_air_trace(&calls[v], 1, &t, &log_n), 0);
    size_t n = (size_t)1 << log_n, fr = blake2f_air_final_row(&calls[v], 0);
    assert_int_equal(fr, calls[v].rounds + 1);
    assert_true(t[fr * W + BLAKE2F_AIR_FINAL] == BB_ONE);
    uint64_t got[8];
    row_out(t + fr * W, got);
    assert_memory_equal(got, expect[v], sizeof got);
    assert_int_equal(stark_air_check(blake2f_air(), t, n, NULL, NULL, NULL), 0);
    free(t);
  }
  /* all four in one trace */
  bb_t *t;
  unsigned log_n;
  assert_int_equal(blake2f_air_trace(calls, NEIP, &t, &log_n), 0);
  assert_int_equal(log_n, 6); /* 2 + 14 + 14 + 3 = 33 rows */
  for (size_t v = 0; v < NEIP; v++) {
    uint64_t got[8];
    blake2f_air_call back;
    const bb_t *row = t + blake2f_air_final_row(calls, v) * W;
    row_out(row, got);
    assert_memory_equal(got, expect[v], sizeof got);
    row_call(row, &back);
    assert_true(same_call(&back, &calls[v]));
  }
  assert_int_equal(stark_air_check(blake2f_air(), t, (size_t)1 << log_n, NULL, NULL, NULL), 0);
  free(t);
}

/* Random calls, several to a trace, with round counts around the schedule's
 * period (0, 1, 9, 10, 11, 20, 21): each FINAL row holds the precompile's
 * output and the call's inputs; the kinds, the counter and the round index
 * follow the layout; padding rows are all zero; the constraints hold. */
static void test_calls_match_precompile(void **state) {
  (void)state;
  const uint32_t rounds[] = {0, 1, 2, 9, 10, 11, 0, 20, 21, 3, 0};
  const size_t nc = sizeof rounds / sizeof *rounds;
  blake2f_air_call calls[sizeof rounds / sizeof *rounds];
  for (size_t k = 0; k < nc; k++) calls[k] = rnd_call(rounds[k]);
  calls[1].f = 1;
  calls[2].f = 0;
  bb_t *t;
  unsigned log_n;
  assert_int_equal(blake2f_air_trace(calls, nc, &t, &log_n), 0);
  size_t n = (size_t)1 << log_n, row = 0;
  assert_int_equal(n, 128); /* 77 + 22 = 99 rows */
  for (size_t k = 0; k < nc; k++) {
    uint64_t expect[8], got[8];
    precompile_out(&calls[k], expect);
    size_t fr = blake2f_air_final_row(calls, k);
    assert_int_equal(fr, row + rounds[k] + 1);
    for (size_t r = row; r <= fr; r++) {
      const bb_t *q = t + r * W;
      int kind = r == row ? 0 : r == fr ? 2 : 1;
      for (int j = 0; j < 3; j++)
        assert_int_equal(q[BLAKE2F_AIR_INIT + j], j == kind ? BB_ONE : 0);
      uint32_t cnt = r == row ? 0 : (uint32_t)(r - row - 1);
      assert_int_equal(bb_to_u32(q[BLAKE2F_AIR_CNT]), cnt);
      for (unsigned s = 0; s < 10; s++)
        assert_int_equal(q[BLAKE2F_AIR_R + s], s == cnt % 10 ? BB_ONE : 0);
      blake2f_air_call back;
      row_call(q, &back);
      assert_true(same_call(&back, &calls[k]));
    }
    row_out(t + fr * W, got);
    assert_memory_equal(got, expect, sizeof got);
    row = fr + 1;
  }
  for (; row < n; row++)
    for (unsigned j = 0; j < W; j++) assert_int_equal(t[row * W + j], 0);
  assert_int_equal(stark_air_check(blake2f_air(), t, n, NULL, NULL, NULL), 0);
  assert_int_equal(atu_check_ext(blake2f_air(), t, n), -1);
  free(t);
  /* more random calls against the precompile, one trace each */
  for (int trial = 0; trial < 6; trial++) {
    blake2f_air_call c = rnd_call(atu_rnd_below(25));
    uint64_t expect[8], got[8];
    precompile_out(&c, expect);
    assert_int_equal(blake2f_air_trace(&c, 1, &t, &log_n), 0);
    row_out(t + blake2f_air_final_row(&c, 0) * W, got);
    assert_memory_equal(got, expect, sizeof got);
    assert_int_equal(stark_air_check(blake2f_air(), t, (size_t)1 << log_n, NULL, NULL, NULL), 0);
    free(t);
  }
}

/* A trace with no call is two zero rows and holds; a non-zero cell in a
 * padding row does not. */
static void test_padding(void **state) {
  (void)state;
  bb_t *t;
  unsigned log_n;
  assert_int_equal(blake2f_air_trace(NULL, 0, &t, &log_n), 0);
  assert_int_equal(log_n, 1);
  for (unsigned j = 0; j < 2 * W; j++) assert_int_equal(t[j], 0);
  assert_int_equal(stark_air_check(blake2f_air(), t, 2, NULL, NULL, NULL), 0);
  assert_int_equal(atu_check_ext(blake2f_air(), t, 2), -1);
  free(t);
  blake2f_air_call c = rnd_call(1); /* 3 rows, one padding row */
  assert_int_equal(blake2f_air_trace(&c, 1, &t, &log_n), 0);
  assert_int_equal(log_n, 2);
  bb_t *pad = t + 3 * W;
  const unsigned cols[] = {BLAKE2F_AIR_R + 4, BLAKE2F_AIR_CNT, BLAKE2F_AIR_ROUNDS, BLAKE2F_AIR_F,
                           BLAKE2F_AIR_T + 5, BLAKE2F_AIR_OUT + 9, BLAKE2F_AIR_H + 100,
                           BLAKE2F_AIR_M + 900, BLAKE2F_AIR_V + 700,
                           BLAKE2F_AIR_G + 3 * BLAKE2F_AIR_G_WIDTH + 200,
                           BLAKE2F_AIR_G + BLAKE2F_AIR_G_K3 + 1};
  for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
    pad[cols[i]] = BB_ONE;
    size_t bad_row = 0;
    assert_true(first_bad(t, 4, &bad_row) >= 0);
    assert_int_equal(bad_row, 3);
    pad[cols[i]] = 0;
  }
  assert_int_equal(first_bad(t, 4, NULL), -1);
  free(t);
}

/* eval_base and eval_ext fold the same constraints: equal accumulators on
 * random rows and on trace rows with one changed cell and random selectors. */
static void test_base_ext_agree(void **state) {
  (void)state;
  blake2f_air_call c = rnd_call(11);
  bb_t *t;
  unsigned log_n;
  assert_int_equal(blake2f_air_trace(&c, 1, &t, &log_n), 0);
  atu_frames f = {t, W, 14};
  atu_base_ext_agree(blake2f_air(), 8, atu_changed_frame, &f);
  free(t);
}

/* Column groups, for sampling cells to tamper with. */
#define GCOL(g, o) (BLAKE2F_AIR_G + BLAKE2F_AIR_G_WIDTH * (g) + (o))
static const atu_group groups[] = {
    {"kind", BLAKE2F_AIR_INIT, 3, 1},
    {"r", BLAKE2F_AIR_R, 10, 1},
    {"cnt", BLAKE2F_AIR_CNT, 1, 0},
    {"rounds", BLAKE2F_AIR_ROUNDS, 1, 0},
    {"f", BLAKE2F_AIR_F, 1, 1},
    {"t", BLAKE2F_AIR_T, 8, 0},
    {"out", BLAKE2F_AIR_OUT, 32, 0},
    {"h", BLAKE2F_AIR_H, 512, 1},
    {"m", BLAKE2F_AIR_M, 1024, 1},
    {"v", BLAKE2F_AIR_V, 1024, 1},
    {"g0 a1", GCOL(0, BLAKE2F_AIR_G_A1), 64, 1},
    {"g1 c1", GCOL(1, BLAKE2F_AIR_G_C1), 64, 1},
    {"g2 a2", GCOL(2, BLAKE2F_AIR_G_A2), 64, 1},
    {"g3 d2", GCOL(3, BLAKE2F_AIR_G_D2), 64, 1},
    {"g4 c2", GCOL(4, BLAKE2F_AIR_G_C2), 64, 1},
    {"g5 b2", GCOL(5, BLAKE2F_AIR_G_B2), 64, 1},
    {"g6 bits", GCOL(6, 0), 384, 1},
    {"g7 bits", GCOL(7, 0), 384, 1},
    {"g0 carries", GCOL(0, BLAKE2F_AIR_G_K1), 16, 0},
    {"g7 carries", GCOL(7, BLAKE2F_AIR_G_K1), 16, 0},
};
#define NGROUPS (sizeof groups / sizeof *groups)

/* Calls of 3, 0 and 1 rounds: rows 0 INIT, 1-3 ROUND, 4 FINAL, 5 INIT,
 * 6 FINAL, 7 INIT, 8 ROUND, 9 FINAL, 10-15 padding. */
static bb_t *tamper_trace(size_t *n) {
  blake2f_air_call calls[3] = {rnd_call(3), rnd_call(0), rnd_call(1)};
  bb_t *t;
  unsigned log_n;
  assert_int_equal(blake2f_air_trace(calls, 3, &t, &log_n), 0);
  assert_int_equal(log_n, 4);
  *n = 16;
  return t;
}

/* One changed cell anywhere (any group, any kind of row: INIT, ROUND, FINAL,
 * padding, the first and the last row) breaks a constraint. */
static void test_tamper_any_cell(void **state) {
  (void)state;
  const stark_air *air = blake2f_air();
  size_t n;
  bb_t *t = tamper_trace(&n);
  const size_t fixed_rows[] = {0, 1, 3, 4, 5, 6, 8, 9, 10, 15};
  const size_t nfixed = sizeof fixed_rows / sizeof *fixed_rows;
  int checked = 0;
  for (size_t gi = 0; gi < NGROUPS; gi++) {
    const atu_group *g = &groups[gi];
    for (size_t s = 0; s < nfixed + 6; s++) {
      size_t r = s < nfixed ? fixed_rows[s] : atu_rnd_below((uint32_t)n);
      unsigned col = g->off + (s < 2 ? (s == 0 ? 0 : g->len - 1) : atu_rnd_below(g->len));
      bb_t *cell = t + r * W + col, old = *cell;
      for (int how = 0; how < 3; how++) {
        *cell = atu_tampered(g, old, how);
        int rc = stark_air_check(air, t, n, NULL, NULL, NULL);
        if (rc != STARK_ERR_CONSTRAINT)
          fail_msg("group %s row %zu col %u (how %d) not caught", g->name, r, col, how);
        checked++;
      }
      *cell = old;
    }
  }
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), 0);
  /* a few through eval_ext alone */
  for (size_t gi = 0; gi < NGROUPS; gi++) {
    size_t r = atu_rnd_below((uint32_t)n);
    bb_t *cell = t + r * W + groups[gi].off + atu_rnd_below(groups[gi].len), old = *cell;
    *cell = atu_tampered(&groups[gi], old, 1);
    assert_true(atu_check_ext(blake2f_air(), t, n) >= 0);
    *cell = old;
  }
  assert_int_equal(checked, (int)(NGROUPS * (nfixed + 6) * 3));
  free(t);
}

/* Targeted forgeries, each seen first by the constraint group meant for it. */
static void test_forgeries(void **state) {
  (void)state;
  size_t n, bad_row = 0;
  bb_t *t = tamper_trace(&n);
  bb_t *save = malloc(sizeof *save * W * n);
  assert_non_null(save);
  memcpy(save, t, sizeof *save * W * n);

  /* a claimed round count other than the rows done: ROUNDS = 4 on every row
   * of the 3-round call is refused on its FINAL row */
  for (size_t r = 0; r <= 4; r++) t[r * W + BLAKE2F_AIR_ROUNDS] = bb_from_u32(4);
  assert_int_equal(first_bad(t, n, &bad_row), CI_CNT + 2);
  assert_int_equal(bad_row, 4);
  memcpy(t, save, sizeof *save * W * n);

  /* ending a call early: the last ROUND row made FINAL leaves a FINAL
   * followed by a FINAL, and its counter short of ROUNDS */
  t[3 * W + BLAKE2F_AIR_ROUND] = 0;
  t[3 * W + BLAKE2F_AIR_FINAL] = BB_ONE;
  assert_true(first_bad(t, n, &bad_row) >= 0);
  assert_int_equal(bad_row, 3);
  memcpy(t, save, sizeof *save * W * n);

  /* a call that starts without INIT (row 7 made padding): a padding row
   * followed by a ROUND row */
  t[7 * W + BLAKE2F_AIR_INIT] = 0;
  assert_true(first_bad(t, n, &bad_row) >= 0);
  assert_int_equal(bad_row, 7);
  memcpy(t, save, sizeof *save * W * n);

  /* a trace whose row 0 is a ROUND row (the rows shifted by one) fails the
   * first-row constraint, even though every row pair inside is a valid
   * continuation */
  assert_int_equal(first_bad(t + W, 8, &bad_row), CI_FIRST);
  assert_int_equal(bad_row, 0);

  /* a changed message word on every row of a call is refused by the rounds
   * (the work no longer adds up), first on its first ROUND row or INIT row */
  for (size_t r = 0; r <= 4; r++) {
    bb_t *bit = t + r * W + blake2f_air_m_bit_col(0, 5);
    *bit = *bit ? 0 : BB_ONE;
  }
  assert_true(first_bad(t, n, &bad_row) >= CI_WORK);
  assert_true(bad_row <= 1);
  memcpy(t, save, sizeof *save * W * n);

  /* a changed h on every row of a call breaks INIT's v = h */
  for (size_t r = 0; r <= 4; r++) {
    bb_t *bit = t + r * W + blake2f_air_h_bit_col(3, 40);
    *bit = *bit ? 0 : BB_ONE;
  }
  assert_int_equal(first_bad(t, n, &bad_row), CI_INIT + 4 * 3 + 2);
  assert_int_equal(bad_row, 0);
  memcpy(t, save, sizeof *save * W * n);

  /* a changed t limb on every row of a call breaks INIT's t0 = v12 ^ IV[4] */
  for (size_t r = 0; r <= 4; r++) {
    bb_t *limb = t + r * W + blake2f_air_t_col(0, 0);
    *limb = bb_from_u32(bb_to_u32(*limb) ^ 1u);
  }
  assert_int_equal(first_bad(t, n, &bad_row), CI_INIT + 32 + 20);
  assert_int_equal(bad_row, 0);
  memcpy(t, save, sizeof *save * W * n);

  /* the final flag flipped on a whole call breaks INIT's v14 */
  for (size_t r = 0; r <= 4; r++) {
    bb_t *f = t + r * W + BLAKE2F_AIR_F;
    *f = *f ? 0 : BB_ONE;
  }
  assert_int_equal(first_bad(t, n, &bad_row), CI_INIT + 60);
  assert_int_equal(bad_row, 0);
  memcpy(t, save, sizeof *save * W * n);

  /* V bits z, z+1 of one limb on the FINAL row changed from (0, 1) to
   * (2, 0) keep the limb, so the state chain holds: booleanity sees them */
  int done = 0;
  for (unsigned w = 0; w < 16 && !done; w++)
    for (unsigned z = 0; z + 1 < 16 && !done; z++) {
      bb_t *b = t + 4 * W + BLAKE2F_AIR_V + 64 * w + z;
      if (b[0] != 0 || b[1] != BB_ONE) continue;
      b[0] = bb_from_u32(2);
      b[1] = 0;
      int c = first_bad(t, n, &bad_row);
      assert_int_equal(c, CI_BOOL + 1 + 512 + 1024 + 64 * (int)w + (int)z);
      assert_int_equal(bad_row, 4);
      done = 1;
    }
  assert_true(done);
  memcpy(t, save, sizeof *save * W * n);

  assert_int_equal(first_bad(t, n, NULL), -1);
  free(save);
  free(t);
}

/* Any call may follow a FINAL row: swapping in another trace's call of the
 * same length keeps a valid trace; switching to another call's rows in the
 * middle of a call does not. */
static void test_boundaries(void **state) {
  (void)state;
  blake2f_air_call a[2] = {rnd_call(4), rnd_call(5)}, b[2] = {rnd_call(4), rnd_call(5)};
  bb_t *t, *u;
  unsigned lt, lu;
  assert_int_equal(blake2f_air_trace(a, 2, &t, &lt), 0);
  assert_int_equal(blake2f_air_trace(b, 2, &u, &lu), 0);
  size_t n = (size_t)1 << lt, bad_row = 0;
  assert_int_equal(n, 16);
  memcpy(t + 6 * W, u + 6 * W, sizeof *t * W * 7); /* call b[1] in place of a[1] */
  assert_int_equal(first_bad(t, n, NULL), -1);
  /* rows 9.. of the other trace's call from the middle of a[1]: the inputs
   * change inside a call */
  free(t);
  assert_int_equal(blake2f_air_trace(a, 2, &t, &lt), 0);
  memcpy(t + 9 * W, u + 9 * W, sizeof *t * W * 4);
  assert_true(first_bad(t, n, &bad_row) >= 0);
  assert_int_equal(bad_row, 8);
  /* the same with the inputs (ROUNDS, F, T, H, M) kept: only the state chain
   * can see the switch */
  for (size_t r = 9; r < 13; r++) {
    memcpy(t + r * W + BLAKE2F_AIR_ROUNDS, t + 8 * W + BLAKE2F_AIR_ROUNDS,
           sizeof *t * (BLAKE2F_AIR_OUT - BLAKE2F_AIR_ROUNDS));
    memcpy(t + r * W + BLAKE2F_AIR_H, t + 8 * W + BLAKE2F_AIR_H, sizeof *t * (512 + 1024));
  }
  assert_int_equal(first_bad(t, n, &bad_row), CI_CHAIN);
  assert_int_equal(bad_row, 8);
  free(t);
  free(u);
}

/* A call of 2 rounds and one of 12 (32 rows): verifies with blowup 2
 * (default security) and blowup 4 (reduced parameters), also after a round
 * trip through bytes. */
static void test_prove_verify(void **state) {
  (void)state;
  blake2f_air_call calls[2] = {rnd_call(2), rnd_call(12)};
  bb_t *t;
  unsigned log_n;
  assert_int_equal(blake2f_air_trace(calls, 2, &t, &log_n), 0);
  assert_int_equal(log_n, 5);
  atu_prove_verify_honest(blake2f_air(), t, log_n);
  free(t);
}

/* One changed cell per column group: the checking prover refuses it, and the
 * proof forced without the check does not verify. */
static void test_prove_tampered(void **state) {
  (void)state;
  blake2f_air_call calls[2] = {rnd_call(2), rnd_call(0)};
  bb_t *t;
  unsigned log_n;
  assert_int_equal(blake2f_air_trace(calls, 2, &t, &log_n), 0);
  assert_int_equal(log_n, 3);
  atu_prove_tampered(blake2f_air(), t, log_n, groups, NGROUPS);
  free(t);
}

static void test_args(void **state) {
  (void)state;
  bb_t *t = (bb_t *)(uintptr_t)1;
  unsigned lg = 0;
  assert_int_equal(blake2f_air_trace(NULL, 1, &t, &lg), STARK_ERR_ARG);
  assert_null(t);
  assert_int_equal(blake2f_air_trace(NULL, 0, NULL, &lg), STARK_ERR_ARG);
  assert_int_equal(blake2f_air_trace(NULL, 0, &t, NULL), STARK_ERR_ARG);
  blake2f_air_call c = rnd_call(UINT32_MAX);
  assert_int_equal(blake2f_air_trace(&c, 1, &t, &lg), STARK_ERR_ARG);
  c.rounds = 1;
  c.f = 2; /* EIP-152: a flag other than 0 or 1 is an invalid input */
  assert_int_equal(blake2f_air_trace(&c, 1, &t, &lg), STARK_ERR_ARG);
  assert_null(t);
  c.f = 1;
  assert_int_equal(blake2f_air_trace(NULL, 0, &t, &lg), 0);
  assert_int_equal(blake2f_air_fill(&c, 1, t, 2), STARK_ERR_ARG); /* 3 rows needed */
  assert_int_equal(blake2f_air_fill(&c, 0, t, 3), STARK_ERR_ARG); /* not a power of 2 */
  assert_int_equal(blake2f_air_fill(&c, 0, NULL, 2), STARK_ERR_ARG);
  assert_int_equal(blake2f_air_fill(NULL, 1, t, 2), STARK_ERR_ARG);
  c.rounds = 0;
  assert_int_equal(blake2f_air_fill(&c, 1, t, 2), 0);
  assert_int_equal(stark_air_check(blake2f_air(), t, 2, NULL, NULL, NULL), 0);
  free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shape),
      cmocka_unit_test(test_eip152_vectors),
      cmocka_unit_test(test_calls_match_precompile),
      cmocka_unit_test(test_padding),
      cmocka_unit_test(test_base_ext_agree),
      cmocka_unit_test(test_tamper_any_cell),
      cmocka_unit_test(test_forgeries),
      cmocka_unit_test(test_boundaries),
      cmocka_unit_test(test_prove_verify),
      cmocka_unit_test(test_prove_tampered),
      cmocka_unit_test(test_args),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
