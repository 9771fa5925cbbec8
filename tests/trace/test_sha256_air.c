/* SHA-256 compression AIR: the reference compression (hash/sha256.h) gives
 * the FIPS 180-4 digests and agrees with the EVM's SHA256 precompile; the
 * generated trace computes the compression (each compression's rows hold
 * sha256_compress of its chaining value and block, so chaining the AIR's
 * outputs over a padded message gives the message's digest); every row pair
 * satisfies the constraints (through stark_air_check and through eval_ext
 * directly), the base and extension evaluations agree, a change to one cell
 * in any column group breaks a constraint, and the trace proves and verifies
 * with the STARK while a tampered one does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evm/precompiles/precompile.h"
#include "hash/sha256.h"
#include "stark/air.h"
#include "stark/stark.h"
#include "trace/sha256_air.h"

#define W SHA256_AIR_WIDTH
#define NR SHA256_AIR_ROWS_PER_COMP

#define ATU_SEED 0x2545f4914f6cdd1dull
#include "air_test_util.h"

typedef struct {
  uint32_t (*cv)[8];
  uint8_t (*blk)[64];
} inputs;

static inputs rnd_inputs(size_t n) {
  inputs in = {malloc(sizeof *in.cv * (n ? n : 1)), malloc(sizeof *in.blk * (n ? n : 1))};
  assert_true(in.cv && in.blk);
  for (size_t k = 0; k < n; k++) {
    for (int i = 0; i < 8; i++) in.cv[k][i] = (uint32_t)atu_rnd64();
    for (int i = 0; i < 64; i++) in.blk[k][i] = (uint8_t)atu_rnd64();
  }
  return in;
}

static void free_inputs(inputs *in) {
  free(in->cv);
  free(in->blk);
}

static int make_trace(const inputs *in, size_t n, bb_t **t, unsigned *log_n) {
  return sha256_air_trace((const uint32_t (*)[8])in->cv, (const uint8_t (*)[64])in->blk, n, t,
                          log_n);
}

/* A 32-bit word from two canonical 16-bit limb cells. */
static uint32_t word_at(const bb_t *row, unsigned col) {
  uint32_t lo = bb_to_u32(row[col]), hi = bb_to_u32(row[col + 1]);
  assert_true(lo < 0x10000u && hi < 0x10000u);
  return lo | hi << 16;
}

static void hex_to(const char *hex, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
}

/* The padded message (FIPS 180-4, 5.1.1) as 64-byte blocks; *nb blocks. */
static uint8_t (*pad_message(const uint8_t *msg, size_t len, size_t *nb))[64] {
  size_t n = (len + 8) / 64 + 1;
  uint8_t (*b)[64] = calloc(n, sizeof *b);
  assert_non_null(b);
  if (len) memcpy(b, msg, len);
  ((uint8_t *)b)[len] = 0x80;
  uint64_t bits = (uint64_t)len * 8;
  for (int i = 0; i < 8; i++) ((uint8_t *)b)[64 * n - 1 - i] = (uint8_t)(bits >> (8 * i));
  *nb = n;
  return b;
}

/* SHA-256 of msg computed by the AIR alone: each block's compression is a
 * one-compression trace (checked against the constraints), the next block's
 * chaining value is read from the previous trace's output columns. */
static void air_hash(const uint8_t *msg, size_t len, uint8_t out[32]) {
  size_t nb;
  uint8_t (*b)[64] = pad_message(msg, len, &nb);
  uint32_t st[1][8];
  memcpy(st[0], sha256_iv, sizeof st[0]);
  for (size_t k = 0; k < nb; k++) {
    bb_t *t;
    unsigned lg;
    assert_int_equal(sha256_air_trace((const uint32_t (*)[8])st, (const uint8_t (*)[64])(b + k),
                                      1, &t, &lg),
                     0);
    assert_int_equal(lg, 6);
    assert_int_equal(stark_air_check(sha256_air(), t, 64, NULL, NULL, NULL), 0);
    for (unsigned i = 0; i < 8; i++) st[0][i] = word_at(t + 63 * W, sha256_air_output_col(i, 0));
    free(t);
  }
  for (int i = 0; i < 8; i++) {
    out[4 * i] = (uint8_t)(st[0][i] >> 24);
    out[4 * i + 1] = (uint8_t)(st[0][i] >> 16);
    out[4 * i + 2] = (uint8_t)(st[0][i] >> 8);
    out[4 * i + 3] = (uint8_t)st[0][i];
  }
  free(b);
}

/* FIPS 180-4 / NIST example digests. */
static const struct {
  const char *msg;
  const char *digest;
} kat[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
     "mnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};
#define NKAT (sizeof kat / sizeof *kat)

static void test_reference_kat(void **state) {
  (void)state;
  for (size_t i = 0; i < NKAT; i++) {
    uint8_t want[32], got[32];
    hex_to(kat[i].digest, want, 32);
    sha256(kat[i].msg, strlen(kat[i].msg), got);
    assert_memory_equal(got, want, 32);
  }
  /* one million 'a' (FIPS 180-4 examples) */
  size_t len = 1000000;
  uint8_t *a = malloc(len);
  assert_non_null(a);
  memset(a, 'a', len);
  uint8_t want[32], got[32];
  hex_to("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", want, 32);
  sha256(a, len, got);
  assert_memory_equal(got, want, 32);
  free(a);
  /* the output may alias the input */
  uint8_t buf[32] = "abc";
  sha256(buf, 3, buf);
  hex_to(kat[1].digest, want, 32);
  assert_memory_equal(buf, want, 32);
}

/* The reference and the AIR agree with the EVM's SHA256 precompile (OpenSSL)
 * on every length around the block and padding boundaries, and the
 * precompile's compression count is the number of blocks the AIR proves. */
static void test_matches_precompile(void **state) {
  (void)state;
  uint8_t msg[200];
  for (size_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)atu_rnd64();
  for (size_t len = 0; len <= sizeof msg; len++) {
    uint8_t *out = NULL, ref[32];
    size_t out_len = 0;
    evm_pc_work w = {0};
    assert_int_equal(evm_pc_run(EVM_PC_SHA256, BLK_FORK_CANCUN, len ? msg : NULL, len, &out,
                                &out_len, &w),
                     EVM_PC_OK);
    assert_int_equal(out_len, 32);
    sha256(msg, len, ref);
    assert_memory_equal(ref, out, 32);
    size_t nb;
    free(pad_message(msg, len, &nb));
    assert_int_equal(w.compressions, nb);
    assert_int_equal(sha256_compressions(len), nb);
    if (len % 13 == 0 || (len >= 54 && len <= 57) || len == 64 || len == 119 || len == 120) {
      uint8_t got[32];
      air_hash(msg, len, got);
      assert_memory_equal(got, out, 32);
    }
    free(out);
  }
}

static void test_shape(void **state) {
  (void)state;
  const stark_air *air = sha256_air();
  assert_int_equal(sha256_air_width(), 631);
  assert_int_equal(air->width, 631);
  assert_int_equal(air->num_constraints, 1030);
  assert_int_equal(air->max_degree, 3);
  assert_int_equal(air->num_public, 0);
  assert_non_null(air->eval_ext);
  assert_non_null(air->eval_base);
  assert_int_equal(stark_air_quotient_chunks(air), 2);
  assert_int_equal(sha256_air_rows(0), 64);
  assert_int_equal(sha256_air_rows(1), 64);
  assert_int_equal(sha256_air_rows(2), 128);
  assert_int_equal(sha256_air_rows(3), 256);
  assert_int_equal(sha256_air_rows(4), 256);
  assert_int_equal(sha256_air_rows(5), 512);
  assert_int_equal(sha256_air_rows((size_t)1 << (STARK_MAX_LOG_ROWS - 6)),
                   (size_t)1 << STARK_MAX_LOG_ROWS);
  assert_int_equal(sha256_air_rows(((size_t)1 << (STARK_MAX_LOG_ROWS - 6)) + 1), 0);
  /* exposed columns: distinct, inside their groups */
  for (unsigned i = 0; i < 16; i++) {
    assert_int_equal(sha256_air_output_col(i / 2, i % 2), SHA256_AIR_OUT + i);
    assert_int_equal(sha256_air_input_col(i / 2, i % 2), SHA256_AIR_CV + i);
  }
  for (unsigned j = 0; j < 32; j++)
    assert_int_equal(sha256_air_block_col(j / 2, j % 2), SHA256_AIR_BLOCK + j);
}

/* The trace computes the compression: outputs, inputs, block, flags,
 * export, window and padding. */
static void test_trace_computes_compression(void **state) {
  (void)state;
  const size_t counts[] = {0, 1, 2, 3, 5};
  for (size_t ci = 0; ci < sizeof counts / sizeof *counts; ci++) {
    size_t nc = counts[ci];
    inputs in = rnd_inputs(nc);
    bb_t *t = NULL;
    unsigned log_n = 0;
    assert_int_equal(make_trace(&in, nc, &t, &log_n), 0);
    size_t n = (size_t)1 << log_n;
    assert_int_equal(n, sha256_air_rows(nc));
    uint32_t zcv[8] = {0}, zout[8] = {0};
    uint8_t zblk[64] = {0};
    sha256_compress(zout, zblk);
    for (size_t r = 0; r < n; r++) {
      const bb_t *row = t + r * W;
      size_t k = r / NR;
      int real = k < nc;
      const uint32_t *cv = real ? in.cv[k] : zcv;
      const uint8_t *blk = real ? in.blk[k] : zblk;
      uint32_t expect[8];
      if (real) {
        memcpy(expect, cv, sizeof expect);
        sha256_compress(expect, blk);
      } else {
        memcpy(expect, zout, sizeof expect);
      }
      for (unsigned i = 0; i < 8; i++) {
        assert_int_equal(word_at(row, sha256_air_output_col(i, 0)), expect[i]);
        assert_int_equal(word_at(row, sha256_air_input_col(i, 0)), cv[i]);
      }
      for (unsigned j = 0; j < 16; j++)
        assert_int_equal(word_at(row, sha256_air_block_col(j, 0)), sha256_block_word(blk, j));
      for (unsigned j = 0; j < NR; j++)
        assert_int_equal(row[SHA256_AIR_FLAGS + j], j == r % NR ? BB_ONE : 0);
      assert_int_equal(row[SHA256_AIR_EXPORT], real ? BB_ONE : 0);
      /* round 1's window is the block */
      if (r % NR == 1)
        for (unsigned j = 0; j < 16; j++)
          assert_int_equal(word_at(row, SHA256_AIR_M + 2 * j), sha256_block_word(blk, j));
    }
    assert_int_equal(stark_air_check(sha256_air(), t, n, NULL, NULL, NULL), 0);
    free(t);
    free_inputs(&in);
  }
}

/* The FIPS 180-4 "abc" and two-block examples through one trace: the blocks
 * of the padded messages, each block's chaining value the AIR's output for
 * the block before (read from the trace), the last outputs the digests. */
static void test_known_answers_one_trace(void **state) {
  (void)state;
  size_t nb1, nb2;
  uint8_t (*b1)[64] = pad_message((const uint8_t *)kat[1].msg, 3, &nb1);
  uint8_t (*b2)[64] = pad_message((const uint8_t *)kat[2].msg, 56, &nb2);
  assert_int_equal(nb1, 1);
  assert_int_equal(nb2, 2);
  /* compressions: abc, two-block 1st, two-block 2nd (chained) */
  uint32_t cv[3][8];
  uint8_t blk[3][64];
  memcpy(blk[0], b1[0], 64);
  memcpy(blk[1], b2[0], 64);
  memcpy(blk[2], b2[1], 64);
  memcpy(cv[0], sha256_iv, sizeof cv[0]);
  memcpy(cv[1], sha256_iv, sizeof cv[1]);
  memset(cv[2], 0, sizeof cv[2]);
  bb_t *t;
  unsigned lg;
  /* first pass with an unknown cv[2]; read block 1's output; refill */
  for (int pass = 0; pass < 2; pass++) {
    assert_int_equal(sha256_air_trace((const uint32_t (*)[8])cv, (const uint8_t (*)[64])blk, 3,
                                      &t, &lg),
                     0);
    assert_int_equal(lg, 8);
    if (pass == 0) {
      for (unsigned i = 0; i < 8; i++)
        cv[2][i] = word_at(t + (64 + 63) * W, sha256_air_output_col(i, 0));
      free(t);
    }
  }
  assert_int_equal(stark_air_check(sha256_air(), t, 256, NULL, NULL, NULL), 0);
  const size_t last_row[2] = {63, 191};
  for (int v = 0; v < 2; v++) {
    uint8_t want[32];
    hex_to(kat[1 + v].digest, want, 32);
    for (unsigned i = 0; i < 8; i++) {
      uint32_t wd = (uint32_t)want[4 * i] << 24 | (uint32_t)want[4 * i + 1] << 16 |
                    (uint32_t)want[4 * i + 2] << 8 | want[4 * i + 3];
      assert_int_equal(word_at(t + last_row[v] * W, sha256_air_output_col(i, 0)), wd);
    }
  }
  /* the second block's chaining value on its rows is the first block's output */
  for (unsigned i = 0; i < 8; i++)
    assert_int_equal(word_at(t + 128 * W, sha256_air_input_col(i, 0)),
                     word_at(t + 127 * W, sha256_air_output_col(i, 0)));
  free(t);
  free(b1);
  free(b2);
}

static void test_constraints_hold_ext(void **state) {
  (void)state;
  inputs in = rnd_inputs(3); /* 256 rows, one padding compression */
  bb_t *t;
  unsigned log_n;
  assert_int_equal(make_trace(&in, 3, &t, &log_n), 0);
  assert_int_equal(atu_check_ext(sha256_air(), t, (size_t)1 << log_n), -1);
  free(t);
  free_inputs(&in);
}

/* eval_base and eval_ext fold the same constraints: equal accumulators on
 * random rows and on trace rows with random selectors. */
static void test_base_ext_agree(void **state) {
  (void)state;
  inputs in = rnd_inputs(1);
  bb_t *t;
  unsigned log_n;
  assert_int_equal(make_trace(&in, 1, &t, &log_n), 0);
  atu_frames f = {t, W, 63};
  atu_base_ext_agree(sha256_air(), 8, atu_changed_frame, &f);
  free(t);
  free_inputs(&in);
}

/* Column groups, for sampling cells to tamper with. */
static const atu_group groups[] = {
    {"flags", SHA256_AIR_FLAGS, 64, 1},
    {"export", SHA256_AIR_EXPORT, 1, 1},
    {"cv", SHA256_AIR_CV, 16, 0},
    {"block", SHA256_AIR_BLOCK, 32, 0},
    {"out", SHA256_AIR_OUT, 16, 0},
    {"m (message window)", SHA256_AIR_M, 32, 0},
    {"nw", SHA256_AIR_NW, 2, 0},
    {"s0 bits", SHA256_AIR_S0B, 32, 1},
    {"s1 bits", SHA256_AIR_S1B, 32, 1},
    {"schedule carry", SHA256_AIR_SC, 4, 1},
    {"state bits", SHA256_AIR_ST, 256, 1},
    {"new a", SHA256_AIR_AN, 32, 1},
    {"new e", SHA256_AIR_EN, 32, 1},
    {"a carry", SHA256_AIR_CA, 6, 1},
    {"e carry", SHA256_AIR_CE, 6, 1},
    {"output bits", SHA256_AIR_OB, 64, 1},
    {"output carry", SHA256_AIR_OC, 4, 1},
};
#define NGROUPS (sizeof groups / sizeof *groups)

/* One changed cell anywhere (any group, any row, including the padding
 * compression and the first and last rows) breaks a constraint. */
static void test_tamper_any_cell(void **state) {
  (void)state;
  const stark_air *air = sha256_air();
  inputs in = rnd_inputs(3); /* 256 rows: 3 real compressions, 1 padding */
  bb_t *t;
  unsigned log_n;
  assert_int_equal(make_trace(&in, 3, &t, &log_n), 0);
  size_t n = (size_t)1 << log_n;
  assert_int_equal(n, 256);
  const size_t fixed_rows[] = {0, 1, 2, 59, 60, 62, 63, 64, 127, 191, 192, 255};
  const int nfixed = (int)(sizeof fixed_rows / sizeof *fixed_rows);
  int checked = 0;
  for (size_t gi = 0; gi < NGROUPS; gi++) {
    const atu_group *g = &groups[gi];
    for (int s = 0; s < 20; s++) {
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
  for (size_t gi = 0; gi < NGROUPS; gi++) {
    size_t r = atu_rnd_below((uint32_t)n);
    bb_t *cell = t + r * W + groups[gi].off + atu_rnd_below(groups[gi].len), old = *cell;
    *cell = atu_tampered(&groups[gi], old, 0);
    assert_true(atu_check_ext(sha256_air(), t, n) >= 0);
    *cell = old;
  }
  assert_int_equal(checked, (int)NGROUPS * 20 * 3);
  free(t);
  free_inputs(&in);
}

/* First index of each constraint group, in the order sha256_air.h lists. */
enum {
  CI_FLAGS = 0,
  CI_EXPORT = CI_FLAGS + 128,
  CI_CARRIED = CI_EXPORT + 2,
  CI_LOAD = CI_CARRIED + 64,
  CI_BOOL = CI_LOAD + 16,
  CI_OUTBITS = CI_BOOL + 400,
  CI_SREC = CI_OUTBITS + 68,
  CI_M0 = CI_SREC + 4,
  CI_NW = CI_M0 + 2,
  CI_BIND = CI_NW + 2,
  CI_WSHIFT = CI_BIND + 32,
  CI_NWSHIFT = CI_WSHIFT + 30,
  CI_ROUND = CI_NWSHIFT + 2,
  CI_STSHIFT = CI_ROUND + 4,
  CI_FF = CI_STSHIFT + 256,
  CI_OUTEQ = CI_FF + 4,
  CI_END = CI_OUTEQ + 16
};

static int first_bad(const bb_t *t, size_t n, size_t *row) {
  int c = -1;
  size_t r = 0;
  int rc = stark_air_check(sha256_air(), t, n, NULL, &r, &c);
  if (rc == 0) return -1;
  assert_int_equal(rc, STARK_ERR_CONSTRAINT);
  if (row) *row = r;
  return c;
}

static uint32_t bits_word(const bb_t *bits) {
  uint32_t v = 0;
  for (unsigned z = 0; z < 32; z++) {
    assert_true(bits[z] == 0 || bits[z] == BB_ONE);
    v |= (uint32_t)(bits[z] == BB_ONE) << z;
  }
  return v;
}

static void put_bits(bb_t *bits, uint32_t v, unsigned nb) {
  for (unsigned z = 0; z < nb; z++) bits[z] = (v >> z) & 1 ? BB_ONE : 0;
}

static uint32_t carry_at(const bb_t *bits, unsigned nb) {
  uint32_t v = 0;
  for (unsigned z = 0; z < nb; z++) v |= (uint32_t)(bits[z] == BB_ONE) << z;
  return v;
}

/* Edits of several cells of one row that keep that row's own constraints,
 * so that only the constraint tying it to its neighbour can see them: the
 * first failing constraint must be the one the header declares. */
static void test_targeted_forgeries(void **state) {
  (void)state;
  assert_int_equal(CI_END, 1030);
  inputs in = rnd_inputs(1);
  bb_t *t;
  unsigned lg;
  assert_int_equal(make_trace(&in, 1, &t, &lg), 0);
  size_t n = (size_t)1 << lg, bad_row = 0;
  bb_t *save = malloc(sizeof *save * W * n);
  assert_non_null(save);
  memcpy(save, t, sizeof *save * W * n);

  /* working variable d on row r replaced by d ^ 2^z, with that row's new e
   * (and its carries) recomputed for it: row r holds, but d is no longer
   * row r-1's c, so the shift of d on row r-1 fails first. */
  for (int trial = 0; trial < 6; trial++) {
    size_t r = 1 + atu_rnd_below(62);
    unsigned z = atu_rnd_below(32);
    bb_t *row = t + r * W;
    uint32_t d = bits_word(row + SHA256_AIR_ST + 96), d2 = d ^ (1u << z);
    uint32_t en = bits_word(row + SHA256_AIR_EN);
    uint32_t c0 = carry_at(row + SHA256_AIR_CE, 3), c1 = carry_at(row + SHA256_AIR_CE + 3, 3);
    /* the limb sums the e identity states, with d replaced */
    uint32_t s0 = (en & 0xffffu) + (c0 << 16) - (d & 0xffffu) + (d2 & 0xffffu);
    uint32_t n0 = s0 >> 16;
    uint32_t s1 = (en >> 16) + (c1 << 16) - (d >> 16) + (d2 >> 16) - c0 + n0;
    assert_true(n0 < 8 && (s1 >> 16) < 8);
    put_bits(row + SHA256_AIR_ST + 96, d2, 32);
    put_bits(row + SHA256_AIR_EN, (s0 & 0xffffu) | s1 << 16, 32);
    put_bits(row + SHA256_AIR_CE, n0, 3);
    put_bits(row + SHA256_AIR_CE + 3, s1 >> 16, 3);
    assert_int_equal(first_bad(t, n, &bad_row), CI_STSHIFT + 96 + (int)z);
    assert_int_equal(bad_row, r - 1);
    memcpy(t, save, sizeof *save * W * n);
  }

  /* a non-canonical schedule word: (NW_0 + 2^16, NW_1 - 1), the same
   * integer, with the low carry one less keeps both schedule identities; only
   * the next row's window (M[15] = NW) sees it.
   * Rounds 1..61 (rounds 0 and 63 do not pass NW on). */
  int done = 0;
  for (size_t r = 1; r < 62 && done < 3; r++) {
    bb_t *row = t + r * W;
    uint32_t c0 = carry_at(row + SHA256_AIR_SC, 2);
    if (!c0) continue;
    row[SHA256_AIR_NW] = bb_add(row[SHA256_AIR_NW], bb_from_u32(0x10000u));
    row[SHA256_AIR_NW + 1] = bb_sub(row[SHA256_AIR_NW + 1], BB_ONE);
    put_bits(row + SHA256_AIR_SC, c0 - 1, 2);
    assert_int_equal(first_bad(t, n, &bad_row), CI_NWSHIFT);
    assert_int_equal(bad_row, r);
    memcpy(t, save, sizeof *save * W * n);
    done++;
  }
  assert_int_equal(done, 3);

  /* a non-canonical message word (lo + 2^16, hi - 1: the same integer),
   * consistently in BLOCK and along the window's diagonal, is seen where its
   * bits are first recomposed: W[5] as M[1] on round 5 (S0B), W[14] as M[14]
   * on round 1 (S1B) */
  const unsigned ws[2] = {5, 14};
  const size_t ws_row[2] = {5, 1};
  const int ws_c[2] = {CI_SREC, CI_SREC + 2};
  for (int i = 0; i < 2; i++) {
    unsigned w = ws[i];
    bb_t lo = bb_add(t[sha256_air_block_col(w, 0)], bb_from_u32(0x10000u));
    bb_t hi = bb_sub(t[sha256_air_block_col(w, 1)], BB_ONE);
    for (size_t r = 0; r < n; r++) {
      t[r * W + sha256_air_block_col(w, 0)] = lo;
      t[r * W + sha256_air_block_col(w, 1)] = hi;
      if (r <= w + 1) { /* M[j] = W[r - 1 + j] */
        unsigned j = (unsigned)(w + 1 - r);
        t[r * W + SHA256_AIR_M + 2 * j] = lo;
        t[r * W + SHA256_AIR_M + 2 * j + 1] = hi;
      }
    }
    assert_int_equal(first_bad(t, n, &bad_row), ws_c[i]);
    assert_int_equal(bad_row, ws_row[i]);
    memcpy(t, save, sizeof *save * W * n);
  }

  /* round 0's M[0] (there is no W[-1]) changed with round 0's NW (which is
   * dropped) changed alike: only FLAGS[0] * M[0] sees it */
  t[SHA256_AIR_M] = bb_add(t[SHA256_AIR_M], BB_ONE);
  t[SHA256_AIR_NW] = bb_add(t[SHA256_AIR_NW], BB_ONE);
  assert_int_equal(first_bad(t, n, &bad_row), CI_M0);
  assert_int_equal(bad_row, 0);
  memcpy(t, save, sizeof *save * W * n);

  /* a carry held as bits (2, 0, .) in place of (0, 1, .), the same value,
   * is seen by booleanity alone (CE limb 0's bit 0 is the 395th boolean) */
  done = 0;
  for (size_t r = 0; r < n && !done; r++) {
    bb_t *ce = t + r * W + SHA256_AIR_CE;
    if (ce[0] != 0 || ce[1] != BB_ONE) continue;
    ce[0] = bb_from_u32(2);
    ce[1] = 0;
    assert_int_equal(first_bad(t, n, &bad_row), CI_BOOL + 394);
    assert_int_equal(bad_row, r);
    memcpy(t, save, sizeof *save * W * n);
    done = 1;
  }
  assert_true(done);

  assert_int_equal(first_bad(t, n, NULL), -1);
  free(save);
  free(t);
  free_inputs(&in);
}

/* Every constraint that ties a row to the next one is there, at the index
 * the header's order gives: a cell of a tied column changed on row r (round
 * 1..62) is seen first on row r - 1 by the tie of that very column. */
static void test_every_tie(void **state) {
  (void)state;
  inputs in = rnd_inputs(1);
  bb_t *t;
  unsigned lg;
  assert_int_equal(make_trace(&in, 1, &t, &lg), 0);
  size_t n = (size_t)1 << lg, bad_row = 0;
  int checked = 0;
  for (unsigned col = 0; col < W; col++) {
    size_t r = 1 + atu_rnd_below(62);
    int want;
    if (col < SHA256_AIR_EXPORT) {
      want = CI_FLAGS + 64 + (int)((col + 63) % 64);
    } else if (col == SHA256_AIR_EXPORT) {
      want = CI_EXPORT + 1;
    } else if (col < SHA256_AIR_M) {
      want = CI_CARRIED + (int)(col - SHA256_AIR_CV);
    } else if (col < SHA256_AIR_M + 30) {
      want = CI_WSHIFT + (int)(col - SHA256_AIR_M);
    } else if (col < SHA256_AIR_NW) {
      r = 2 + atu_rnd_below(61); /* M[15] enters from NW from round 1 on */
      want = CI_NWSHIFT + (int)(col - SHA256_AIR_M - 30);
    } else if (col >= SHA256_AIR_ST && col < SHA256_AIR_AN) {
      want = CI_STSHIFT + (int)(col - SHA256_AIR_ST);
    } else {
      continue; /* tied within the row only */
    }
    bb_t *cell = t + r * W + col, old = *cell;
    *cell = bb_add(old, BB_ONE);
    int c = first_bad(t, n, &bad_row);
    if (c != want || bad_row != r - 1)
      fail_msg("column %u row %zu: constraint %d on row %zu, want %d on row %zu", col, r, c,
               bad_row, want, r - 1);
    *cell = old;
    checked++;
  }
  assert_int_equal(checked, SHA256_AIR_NW + 256);
  /* round 0's M[15] (W[14]) enters round 1 by the shift, W[15] from the block */
  t[SHA256_AIR_M + 31] = bb_add(t[SHA256_AIR_M + 31], BB_ONE);
  assert_int_equal(first_bad(t, n, &bad_row), CI_WSHIFT + 29);
  assert_int_equal(bad_row, 0);
  t[SHA256_AIR_M + 31] = bb_sub(t[SHA256_AIR_M + 31], BB_ONE);
  t[W + SHA256_AIR_M + 31] = bb_add(t[W + SHA256_AIR_M + 31], BB_ONE);
  assert_int_equal(first_bad(t, n, &bad_row), CI_BIND + 31);
  assert_int_equal(bad_row, 1);
  free(t);
  free_inputs(&in);
}

/* Forgeries of several cells that keep the row-to-row copies consistent:
 * a claimed chaining value, block or output changed on all 64 rows of a
 * compression (also as a non-canonical limb pair of the same 32-bit value),
 * EXPORT, and compression boundaries. */
static void test_forgeries(void **state) {
  (void)state;
  const stark_air *air = sha256_air();
  inputs in = rnd_inputs(2), other = rnd_inputs(2);
  bb_t *t, *u;
  unsigned lg, lg_u;
  assert_int_equal(make_trace(&in, 2, &t, &lg), 0);
  assert_int_equal(make_trace(&other, 2, &u, &lg_u), 0);
  size_t n = (size_t)1 << lg, bad_row = 0;
  assert_int_equal(n, 128);
  /* each is caught on its own row by its own constraint (group starts below):
   * the state load on round 0, the block binding on round 1, the output
   * words' equality with the feed-forward bits on round 63 - i */
  unsigned cols[32];
  size_t want_row[32];
  int want_c[32];
  for (unsigned i = 0; i < 8; i++) {
    cols[i] = sha256_air_input_col(i, 0);
    want_row[i] = 64;
    want_c[i] = CI_LOAD + 2 * (int)i;
    cols[8 + i] = sha256_air_output_col(i, 0);
    want_row[8 + i] = 127 - i % 4;
    want_c[8 + i] = CI_OUTEQ + 4 * (int)(i % 4) + 2 * (int)(i / 4);
  }
  for (unsigned j = 0; j < 16; j++) {
    cols[16 + j] = sha256_air_block_col(j, 0);
    want_row[16 + j] = 65;
    want_c[16 + j] = CI_BIND + 2 * (int)j;
  }
  for (size_t ci = 0; ci < sizeof cols / sizeof *cols; ci++)
    for (int how = 0; how < 2; how++) {
      for (size_t r = 64; r < 128; r++) {
        bb_t *lo = t + r * W + cols[ci];
        if (how == 0) { /* another value */
          lo[0] = bb_add(lo[0], BB_ONE);
        } else { /* lo + 2^16, hi - 1: the same integer lo + 2^16 hi */
          lo[0] = bb_add(lo[0], bb_from_u32(0x10000u));
          lo[1] = bb_sub(lo[1], BB_ONE);
        }
      }
      int bad_c = -1;
      assert_int_equal(stark_air_check(air, t, n, NULL, &bad_row, &bad_c), STARK_ERR_CONSTRAINT);
      assert_int_equal(bad_row, want_row[ci]);
      assert_int_equal(bad_c, want_c[ci]);
      free(t);
      assert_int_equal(make_trace(&in, 2, &t, &lg), 0);
    }
  /* EXPORT: free per compression, constant within it, a bit */
  for (size_t r = 0; r < 64; r++) t[r * W + SHA256_AIR_EXPORT] = 0;
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), 0);
  for (size_t r = 0; r < 64; r++) t[r * W + SHA256_AIR_EXPORT] = bb_from_u32(2);
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  for (size_t r = 0; r < 64; r++) t[r * W + SHA256_AIR_EXPORT] = BB_ONE;
  t[10 * W + SHA256_AIR_EXPORT] = 0;
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  t[10 * W + SHA256_AIR_EXPORT] = BB_ONE;
  /* any compression may follow a round-63 row: splice other's first */
  memcpy(t + 64 * W, u, sizeof *t * W * 64);
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), 0);
  /* switching compression after round 31 fails at round 31 */
  memcpy(t + 96 * W, u + 96 * W, sizeof *t * W * 32);
  assert_int_equal(stark_air_check(air, t, n, NULL, &bad_row, NULL), STARK_ERR_CONSTRAINT);
  assert_int_equal(bad_row, 95);
  /* the same keeping the carried columns (flags to OUT) and the window, so
   * only the working-variable chaining can catch it */
  memcpy(t + 64 * W, u, sizeof *t * W * 64);
  for (size_t r = 96; r < 128; r++) {
    memcpy(t + r * W + SHA256_AIR_ST, u + r * W + SHA256_AIR_ST,
           sizeof *t * (SHA256_AIR_WIDTH - SHA256_AIR_ST));
  }
  assert_int_equal(stark_air_check(air, t, n, NULL, &bad_row, NULL), STARK_ERR_CONSTRAINT);
  assert_int_equal(bad_row, 95);
  /* rows shifted by one (row 0 computes round 1) fail on the first row */
  assert_int_equal(stark_air_check(air, u + W, 64, NULL, &bad_row, NULL), STARK_ERR_CONSTRAINT);
  assert_int_equal(bad_row, 0);
  free(t);
  free(u);
  free_inputs(&in);
  free_inputs(&other);
}

/* Proving two compressions: verifies with blowup 2 (default security) and
 * blowup 4 (reduced parameters); a serialised proof verifies too. */
static void test_prove_verify(void **state) {
  (void)state;
  inputs in = rnd_inputs(2);
  bb_t *t;
  unsigned log_n;
  assert_int_equal(make_trace(&in, 2, &t, &log_n), 0);
  assert_int_equal(log_n, 7);
  atu_prove_verify_honest(sha256_air(), t, log_n);
  free(t);
  free_inputs(&in);
}

/* One changed cell per column group: the checking prover refuses it, and the
 * proof forced without the check does not verify. */
static void test_prove_tampered(void **state) {
  (void)state;
  inputs in = rnd_inputs(1);
  bb_t *t;
  unsigned log_n;
  assert_int_equal(make_trace(&in, 1, &t, &log_n), 0);
  atu_prove_tampered(sha256_air(), t, log_n, groups, NGROUPS);
  free(t);
  free_inputs(&in);
}

static void test_args(void **state) {
  (void)state;
  bb_t *t = (bb_t *)(uintptr_t)1;
  unsigned lg = 0;
  uint32_t cv[2][8] = {{0}};
  uint8_t blk[2][64] = {{0}};
  const uint32_t (*ccv)[8] = (const uint32_t (*)[8])cv;
  const uint8_t (*cblk)[64] = (const uint8_t (*)[64])blk;
  assert_int_equal(sha256_air_trace(NULL, cblk, 1, &t, &lg), STARK_ERR_ARG);
  assert_null(t);
  assert_int_equal(sha256_air_trace(ccv, NULL, 1, &t, &lg), STARK_ERR_ARG);
  assert_int_equal(sha256_air_trace(NULL, NULL, 0, NULL, &lg), STARK_ERR_ARG);
  assert_int_equal(sha256_air_trace(NULL, NULL, 0, &t, NULL), STARK_ERR_ARG);
  size_t too_many = (size_t)1 << STARK_MAX_LOG_ROWS;
  assert_int_equal(sha256_air_trace(ccv, cblk, too_many, &t, &lg), STARK_ERR_ARG);
  assert_int_equal(sha256_air_trace(NULL, NULL, 0, &t, &lg), 0);
  assert_int_equal(lg, 6);
  assert_int_equal(stark_air_check(sha256_air(), t, 64, NULL, NULL, NULL), 0);
  assert_int_equal(sha256_air_fill(ccv, cblk, 2, t, 64), STARK_ERR_ARG);  /* too few rows */
  assert_int_equal(sha256_air_fill(ccv, cblk, 0, t, 32), STARK_ERR_ARG);  /* under 64 */
  assert_int_equal(sha256_air_fill(ccv, cblk, 0, t, 96), STARK_ERR_ARG);  /* not a power of 2 */
  assert_int_equal(sha256_air_fill(ccv, cblk, 0, NULL, 64), STARK_ERR_ARG);
  assert_int_equal(sha256_air_fill(NULL, cblk, 1, t, 64), STARK_ERR_ARG);
  assert_int_equal(sha256_air_fill(ccv, cblk, 1, t, 64), 0);
  free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reference_kat),
      cmocka_unit_test(test_matches_precompile),
      cmocka_unit_test(test_shape),
      cmocka_unit_test(test_trace_computes_compression),
      cmocka_unit_test(test_known_answers_one_trace),
      cmocka_unit_test(test_constraints_hold_ext),
      cmocka_unit_test(test_base_ext_agree),
      cmocka_unit_test(test_tamper_any_cell),
      cmocka_unit_test(test_forgeries),
      cmocka_unit_test(test_targeted_forgeries),
      cmocka_unit_test(test_every_tie),
      cmocka_unit_test(test_prove_verify),
      cmocka_unit_test(test_prove_tampered),
      cmocka_unit_test(test_args),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
