/* RIPEMD-160 compression AIR: the reference (hash/ripemd160.h) agrees with
 * the EVM's RIPEMD160 precompile (OpenSSL where it has the digest) at every
 * input length 0..200; the generated trace computes the compression (each
 * compression's rows hold ripemd160_compress of its chaining value and block,
 * so chaining the AIR's outputs over a padded message gives the digest);
 * every row pair satisfies the constraints (through stark_air_check and
 * through eval_ext directly), the base and extension evaluations agree, a
 * change to one cell in any column group breaks a constraint, whole-
 * compression forgeries are refused, and the trace proves and verifies with
 * the STARK while a tampered one does not.
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
#include "hash/ripemd160.h"
#include "stark/air.h"
#include "stark/stark.h"
#include "trace/ripemd160_air.h"

#define W RIPEMD160_AIR_WIDTH
#define NR RIPEMD160_AIR_ROWS_PER_COMP

#define ATU_SEED 0x5851f42d4c957f2dull
#include "air_test_util.h"

typedef struct {
  uint32_t (*cv)[5];
  uint8_t (*blk)[64];
} inputs;

static inputs rnd_inputs(size_t n) {
  inputs in = {malloc(sizeof *in.cv * (n ? n : 1)), malloc(sizeof *in.blk * (n ? n : 1))};
  assert_true(in.cv && in.blk);
  for (size_t k = 0; k < n; k++) {
    for (int i = 0; i < 5; i++) in.cv[k][i] = (uint32_t)atu_rnd64();
    for (int i = 0; i < 64; i++) in.blk[k][i] = (uint8_t)atu_rnd64();
  }
  return in;
}

static void free_inputs(inputs *in) {
  free(in->cv);
  free(in->blk);
}

static int make_trace(const inputs *in, size_t n, bb_t **t, unsigned *log_n) {
  return ripemd160_air_trace((const uint32_t (*)[5])in->cv, (const uint8_t (*)[64])in->blk, n, t,
                             log_n);
}

/* A 32-bit word from two canonical 16-bit limb cells. */
static uint32_t word_at(const bb_t *row, unsigned col) {
  uint32_t lo = bb_to_u32(row[col]), hi = bb_to_u32(row[col + 1]);
  assert_true(lo < 65536 && hi < 65536);
  return lo | hi << 16;
}

static void hex_to(const char *hex, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned v = 0;
    for (int j = 0; j < 2; j++) {
      char c = hex[2 * i + (size_t)j];
      v = v * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    out[i] = (uint8_t)v;
  }
}

/* The digest of msg computed by the AIR: the padded blocks compressed in one
 * trace, compression by compression, each chaining value read from the
 * previous compression's output columns (so the trace is built n times). */
static void air_hash(const uint8_t *msg, size_t len, uint8_t out[20]) {
  size_t n = (size_t)ripemd160_compressions(len);
  uint32_t (*cv)[5] = calloc(n, sizeof *cv);
  uint8_t (*blk)[64] = calloc(n, sizeof *blk);
  assert_true(cv && blk);
  for (size_t k = 0; k < n; k++) ripemd160_padded_block(msg, len, k, blk[k]);
  memcpy(cv[0], ripemd160_iv, sizeof cv[0]);
  uint32_t h[5];
  for (size_t k = 0; k < n; k++) {
    bb_t *t;
    unsigned lg;
    assert_int_equal(ripemd160_air_trace((const uint32_t (*)[5])cv, (const uint8_t (*)[64])blk,
                                         k + 1, &t, &lg),
                     0);
    assert_int_equal(stark_air_check(ripemd160_air(), t, (size_t)1 << lg, NULL, NULL, NULL), 0);
    for (unsigned i = 0; i < 5; i++) h[i] = word_at(t + (k * NR + 79) * W, ripemd160_air_output_col(i, 0));
    if (k + 1 < n) memcpy(cv[k + 1], h, sizeof h);
    free(t);
  }
  for (int i = 0; i < 5; i++)
    for (int b = 0; b < 4; b++) out[4 * i + b] = (uint8_t)(h[i] >> (8 * b));
  free(cv);
  free(blk);
}

/* The reference agrees with the precompile at every length 0..200 (around
 * the block and padding boundaries), the precompile's compression count is
 * the number of blocks the AIR proves, and the AIR's chained outputs give
 * the digest on a sample of lengths. */
static void test_matches_precompile(void **state) {
  (void)state;
  uint8_t msg[200];
  for (size_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)atu_rnd64();
  for (size_t len = 0; len <= sizeof msg; len++) {
    uint8_t *out = NULL, ref[20];
    size_t out_len = 0;
    evm_pc_work w = {0};
    assert_int_equal(evm_pc_run(EVM_PC_RIPEMD160, BLK_FORK_CANCUN, len ? msg : NULL, len, &out,
                                &out_len, &w),
                     EVM_PC_OK);
    assert_int_equal(out_len, 32);
    static const uint8_t zero12[12];
    assert_memory_equal(out, zero12, 12);
    ripemd160(msg, len, ref);
    assert_memory_equal(ref, out + 12, 20);
    assert_int_equal(w.compressions, ripemd160_compressions(len));
    if (len % 29 == 0 || (len >= 55 && len <= 56) || len == 64 || len == 119 || len == 120) {
      uint8_t got[20];
      air_hash(msg, len, got);
      assert_memory_equal(got, out + 12, 20);
    }
    free(out);
  }
}

static void test_shape(void **state) {
  (void)state;
  const stark_air *air = ripemd160_air();
  assert_int_equal(ripemd160_air_width(), 901);
  assert_int_equal(air->width, 901);
  assert_int_equal(air->num_constraints, 1365);
  assert_int_equal(air->max_degree, 3);
  assert_int_equal(air->num_public, 0);
  assert_non_null(air->eval_ext);
  assert_non_null(air->eval_base);
  assert_int_equal(stark_air_quotient_chunks(air), 2);
  assert_int_equal(ripemd160_air_rows(0), 128);
  assert_int_equal(ripemd160_air_rows(1), 128);
  assert_int_equal(ripemd160_air_rows(2), 256);
  assert_int_equal(ripemd160_air_rows(3), 256);
  assert_int_equal(ripemd160_air_rows(4), 512);
  assert_int_equal(ripemd160_air_rows(7), 1024);
  size_t max = (size_t)1 << STARK_MAX_LOG_ROWS;
  assert_int_equal(ripemd160_air_rows(max / NR), max);
  assert_int_equal(ripemd160_air_rows(max / NR + 1), 0);
  for (unsigned i = 0; i < 10; i++) {
    assert_int_equal(ripemd160_air_output_col(i / 2, i % 2), RIPEMD160_AIR_OUT + i);
    assert_int_equal(ripemd160_air_input_col(i / 2, i % 2), RIPEMD160_AIR_CV + i);
  }
  for (unsigned j = 0; j < 32; j++)
    assert_int_equal(ripemd160_air_block_col(j / 2, j % 2), RIPEMD160_AIR_BLOCK + j);
}

/* The trace computes the compression: outputs, inputs, block, flags, export,
 * each line's state and the message word it reads, and the padding (the
 * compression cut by the end of the trace outputs zero). */
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
    assert_int_equal(n, ripemd160_air_rows(nc));
    uint32_t zcv[5] = {0}, zout[5] = {0};
    uint8_t zblk[64] = {0};
    ripemd160_compress(zout, zblk);
    for (size_t r = 0; r < n; r++) {
      const bb_t *row = t + r * W;
      size_t k = r / NR;
      int real = k < nc, cut = (k + 1) * NR > n;
      const uint32_t *cv = real ? in.cv[k] : zcv;
      const uint8_t *blk = real ? in.blk[k] : zblk;
      uint32_t expect[5] = {0};
      if (real) {
        memcpy(expect, cv, sizeof expect);
        ripemd160_compress(expect, blk);
      } else if (!cut) {
        memcpy(expect, zout, sizeof expect);
      }
      for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(word_at(row, ripemd160_air_output_col(i, 0)), expect[i]);
        assert_int_equal(word_at(row, ripemd160_air_input_col(i, 0)), cv[i]);
      }
      for (unsigned j = 0; j < 16; j++)
        assert_int_equal(word_at(row, ripemd160_air_block_col(j, 0)),
                         ripemd160_block_word(blk, j));
      for (unsigned j = 0; j < NR; j++)
        assert_int_equal(row[RIPEMD160_AIR_FLAGS + j], j == r % NR ? BB_ONE : 0);
      assert_int_equal(row[RIPEMD160_AIR_EXPORT], real ? BB_ONE : 0);
      for (unsigned L = 0; L < 2; L++) {
        uint32_t x = 0;
        const bb_t *xb = row + RIPEMD160_AIR_LINE(L) + RIPEMD160_AIR_L_XB;
        for (unsigned z = 0; z < 32; z++) x |= (uint32_t)(xb[z] == BB_ONE) << z;
        assert_int_equal(x, ripemd160_block_word(blk, ripemd160_r[L][r % NR]));
      }
    }
    assert_int_equal(stark_air_check(ripemd160_air(), t, n, NULL, NULL, NULL), 0);
    free(t);
    free_inputs(&in);
  }
}

/* The paper's "abc" (one block) and 56-byte (two blocks) examples through one
 * trace: each block's chaining value the AIR's output for the block before
 * (read from the trace), the last outputs the digests. */
static void test_known_answers_one_trace(void **state) {
  (void)state;
  const char *m1 = "abc", *m2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  const char *d1 = "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc";
  const char *d2 = "12a053384a9c0c88e405a06c27dcf49ada62eb2b";
  assert_int_equal(ripemd160_compressions(3), 1);
  assert_int_equal(ripemd160_compressions(56), 2);
  uint32_t cv[3][5];
  uint8_t blk[3][64];
  ripemd160_padded_block((const uint8_t *)m1, 3, 0, blk[0]);
  ripemd160_padded_block((const uint8_t *)m2, 56, 0, blk[1]);
  ripemd160_padded_block((const uint8_t *)m2, 56, 1, blk[2]);
  memcpy(cv[0], ripemd160_iv, sizeof cv[0]);
  memcpy(cv[1], ripemd160_iv, sizeof cv[1]);
  memset(cv[2], 0, sizeof cv[2]);
  bb_t *t;
  unsigned lg;
  for (int pass = 0; pass < 2; pass++) {
    assert_int_equal(ripemd160_air_trace((const uint32_t (*)[5])cv, (const uint8_t (*)[64])blk, 3,
                                         &t, &lg),
                     0);
    assert_int_equal(lg, 8);
    if (pass == 0) {
      for (unsigned i = 0; i < 5; i++)
        cv[2][i] = word_at(t + (NR + 79) * W, ripemd160_air_output_col(i, 0));
      free(t);
    }
  }
  assert_int_equal(stark_air_check(ripemd160_air(), t, 256, NULL, NULL, NULL), 0);
  const size_t last_row[2] = {79, 239};
  const char *dig[2] = {d1, d2};
  for (int v = 0; v < 2; v++) {
    uint8_t want[20];
    hex_to(dig[v], want, 20);
    for (unsigned i = 0; i < 5; i++) {
      uint32_t wd = (uint32_t)want[4 * i] | (uint32_t)want[4 * i + 1] << 8 |
                    (uint32_t)want[4 * i + 2] << 16 | (uint32_t)want[4 * i + 3] << 24;
      assert_int_equal(word_at(t + last_row[v] * W, ripemd160_air_output_col(i, 0)), wd);
    }
  }
  free(t);
}

static void test_constraints_hold_ext(void **state) {
  (void)state;
  inputs in = rnd_inputs(2); /* 256 rows: 2 real, 1 padding, 1 cut short */
  bb_t *t;
  unsigned log_n;
  assert_int_equal(make_trace(&in, 2, &t, &log_n), 0);
  assert_int_equal(atu_check_ext(ripemd160_air(), t, (size_t)1 << log_n), -1);
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
  atu_frames f = {t, W, 127};
  atu_base_ext_agree(ripemd160_air(), 10, atu_changed_frame, &f);
  free(t);
  free_inputs(&in);
}

#define LN(L, off) (RIPEMD160_AIR_LINE(L) + RIPEMD160_AIR_L_##off)

/* Column groups, for sampling cells to tamper with. */
static const atu_group groups[] = {
    {"flags", RIPEMD160_AIR_FLAGS, NR, 1},
    {"export", RIPEMD160_AIR_EXPORT, 1, 1},
    {"cv", RIPEMD160_AIR_CV, 10, 0},
    {"block", RIPEMD160_AIR_BLOCK, 32, 0},
    {"out", RIPEMD160_AIR_OUT, 10, 0},
    {"left state bits", LN(0, ST), 160, 1},
    {"left message bits", LN(0, XB), 32, 1},
    {"left sum bits", LN(0, SB), 32, 1},
    {"left sum carry", LN(0, CS), 4, 1},
    {"left new b bits", LN(0, TN), 32, 1},
    {"left new b carry", LN(0, CT), 2, 1},
    {"left products", LN(0, P), 32, 1},
    {"right state bits", LN(1, ST), 160, 1},
    {"right message bits", LN(1, XB), 32, 1},
    {"right sum bits", LN(1, SB), 32, 1},
    {"right sum carry", LN(1, CS), 4, 1},
    {"right new b bits", LN(1, TN), 32, 1},
    {"right new b carry", LN(1, CT), 2, 1},
    {"right products", LN(1, P), 32, 1},
    {"output bits", RIPEMD160_AIR_OB, 160, 1},
    {"output carry", RIPEMD160_AIR_OC, 20, 1},
};
#define NGROUPS (sizeof groups / sizeof *groups)

/* One changed cell anywhere (any group, any row, including the padding
 * compressions, the one cut short, and the first and last rows) breaks a
 * constraint. */
static void test_tamper_any_cell(void **state) {
  (void)state;
  const stark_air *air = ripemd160_air();
  inputs in = rnd_inputs(2); /* 256 rows: 2 real, 1 padding, 1 cut short */
  bb_t *t;
  unsigned log_n;
  assert_int_equal(make_trace(&in, 2, &t, &log_n), 0);
  size_t n = (size_t)1 << log_n;
  assert_int_equal(n, 256);
  const size_t fixed_rows[] = {0, 1, 15, 16, 78, 79, 80, 159, 160, 239, 240, 241, 254, 255};
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
    assert_true(atu_check_ext(air, t, n) >= 0);
    *cell = old;
  }
  assert_int_equal(checked, (int)NGROUPS * 20 * 3);
  free(t);
  free_inputs(&in);
}

/* Sets columns [col, col + len) to vals on rows [r0, r1). */
static void set_rows(bb_t *t, size_t r0, size_t r1, unsigned col, const bb_t *vals, unsigned len) {
  for (size_t r = r0; r < r1; r++) memcpy(t + r * W + col, vals, sizeof *vals * len);
}

static void limbs_of(bb_t *dst, const uint32_t *w, unsigned nw) {
  for (unsigned i = 0; i < nw; i++) {
    dst[2 * i] = bb_from_u32(w[i] & 0xffffu);
    dst[2 * i + 1] = bb_from_u32(w[i] >> 16);
  }
}

/* Forgeries consistent across a whole compression (so the carried columns'
 * ties hold): each is refused. */
static void test_whole_compression_forgeries(void **state) {
  (void)state;
  const stark_air *air = ripemd160_air();
  inputs in = rnd_inputs(2);
  bb_t *t, *orig;
  unsigned log_n;
  assert_int_equal(make_trace(&in, 2, &t, &log_n), 0);
  size_t n = (size_t)1 << log_n, bytes = n * W * sizeof *t;
  orig = malloc(bytes);
  assert_non_null(orig);
  memcpy(orig, t, bytes);
  bb_t v[32];
  /* another output on every row of compression 0 (say, compression 1's) */
  uint32_t other[5];
  memcpy(other, in.cv[1], sizeof other);
  ripemd160_compress(other, in.blk[1]);
  limbs_of(v, other, 5);
  set_rows(t, 0, NR, RIPEMD160_AIR_OUT, v, 10);
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  memcpy(t, orig, bytes);
  /* the output with one bit flipped, on every row */
  memcpy(other, in.cv[0], sizeof other);
  ripemd160_compress(other, in.blk[0]);
  other[3] ^= 1u << 17;
  limbs_of(v, other, 5);
  set_rows(t, 0, NR, RIPEMD160_AIR_OUT, v, 10);
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  memcpy(t, orig, bytes);
  /* a different chaining value claimed on every row */
  uint32_t cv[5];
  memcpy(cv, in.cv[0], sizeof cv);
  cv[2] ^= 0x80000000u;
  limbs_of(v, cv, 5);
  set_rows(t, 0, NR, RIPEMD160_AIR_CV, v, 10);
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  memcpy(t, orig, bytes);
  /* a different message word claimed on every row */
  uint32_t words[16];
  for (unsigned j = 0; j < 16; j++) words[j] = ripemd160_block_word(in.blk[0], j);
  words[9] += 1;
  limbs_of(v, words, 16);
  set_rows(t, 0, NR, RIPEMD160_AIR_BLOCK, v, 32);
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  memcpy(t, orig, bytes);
  /* the compression cut short by the end of the trace: exporting it, or
   * claiming an output for it, is refused */
  assert_true((n / NR) * NR < n);
  bb_t one = BB_ONE;
  set_rows(t, (n / NR) * NR, n, RIPEMD160_AIR_EXPORT, &one, 1);
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  memcpy(t, orig, bytes);
  set_rows(t, (n / NR) * NR, n, RIPEMD160_AIR_OUT + 3, &one, 1);
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), STARK_ERR_CONSTRAINT);
  memcpy(t, orig, bytes);
  /* a padding compression exported */
  set_rows(t, 2 * NR, 3 * NR, RIPEMD160_AIR_EXPORT, &one, 1);
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), 0); /* EXPORT is free per
                                                                        compression */
  memcpy(t, orig, bytes);
  /* the honest trace still holds */
  assert_int_equal(stark_air_check(air, t, n, NULL, NULL, NULL), 0);
  free(orig);
  free(t);
  free_inputs(&in);
}

/* One compression proves and verifies with blowup 2 (default security) and
 * blowup 4 (reduced parameters); a serialised proof verifies too. */
static void test_prove_verify(void **state) {
  (void)state;
  inputs in = rnd_inputs(1);
  bb_t *t;
  unsigned log_n;
  assert_int_equal(make_trace(&in, 1, &t, &log_n), 0);
  assert_int_equal(log_n, 7);
  atu_prove_verify_honest(ripemd160_air(), t, log_n);
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
  atu_prove_tampered(ripemd160_air(), t, log_n, groups, NGROUPS);
  free(t);
  free_inputs(&in);
}

static void test_args(void **state) {
  (void)state;
  bb_t *t = (bb_t *)(uintptr_t)1;
  unsigned lg = 0;
  uint32_t cv[2][5] = {{0}};
  uint8_t blk[2][64] = {{0}};
  const uint32_t (*ccv)[5] = (const uint32_t (*)[5])cv;
  const uint8_t (*cblk)[64] = (const uint8_t (*)[64])blk;
  assert_int_equal(ripemd160_air_trace(NULL, cblk, 1, &t, &lg), STARK_ERR_ARG);
  assert_null(t);
  assert_int_equal(ripemd160_air_trace(ccv, NULL, 1, &t, &lg), STARK_ERR_ARG);
  assert_int_equal(ripemd160_air_trace(NULL, NULL, 0, NULL, &lg), STARK_ERR_ARG);
  assert_int_equal(ripemd160_air_trace(NULL, NULL, 0, &t, NULL), STARK_ERR_ARG);
  size_t too_many = (size_t)1 << STARK_MAX_LOG_ROWS;
  assert_int_equal(ripemd160_air_trace(ccv, cblk, too_many, &t, &lg), STARK_ERR_ARG);
  assert_int_equal(ripemd160_air_trace(NULL, NULL, 0, &t, &lg), 0);
  assert_int_equal(lg, 7);
  assert_int_equal(stark_air_check(ripemd160_air(), t, 128, NULL, NULL, NULL), 0);
  assert_int_equal(ripemd160_air_fill(ccv, cblk, 2, t, 128), STARK_ERR_ARG); /* 160 rows */
  bb_t *t2 = malloc(sizeof *t2 * W * 256);
  assert_non_null(t2);
  assert_int_equal(ripemd160_air_fill(ccv, cblk, 2, t2, 256), 0);
  free(t2);
  assert_int_equal(ripemd160_air_fill(ccv, cblk, 0, t, 64), STARK_ERR_ARG);  /* under 128 */
  assert_int_equal(ripemd160_air_fill(ccv, cblk, 0, t, 96), STARK_ERR_ARG);  /* not a power of 2 */
  assert_int_equal(ripemd160_air_fill(ccv, cblk, 0, NULL, 128), STARK_ERR_ARG);
  assert_int_equal(ripemd160_air_fill(NULL, cblk, 1, t, 128), STARK_ERR_ARG);
  assert_int_equal(ripemd160_air_fill(ccv, cblk, 1, t, 128), 0);
  free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_matches_precompile),
      cmocka_unit_test(test_shape),
      cmocka_unit_test(test_trace_computes_compression),
      cmocka_unit_test(test_known_answers_one_trace),
      cmocka_unit_test(test_constraints_hold_ext),
      cmocka_unit_test(test_base_ext_agree),
      cmocka_unit_test(test_tamper_any_cell),
      cmocka_unit_test(test_whole_compression_forgeries),
      cmocka_unit_test(test_prove_verify),
      cmocka_unit_test(test_prove_tampered),
      cmocka_unit_test(test_args),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
