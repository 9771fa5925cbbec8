/* pcw_run_wide (MODEXP with a modulus past 32 bytes) against the precompile
 * and against a second statement of its step schedule: a reference built
 * here on GMP integers (limbs taken by shifts, not arrays) derives the
 * sequence of limb steps pc_witness.h documents, and every reported step
 * (a, b, t, c) must equal it, in order; the reference also checks that
 * the steps' schoolbook sums are the products they stand for
 * (x y == q m + r, r < m). Outputs and statuses equal evm_pc_run's, the
 * count-only path gives the same count, and pcw_run refuses exactly the
 * calls pcw_run_wide takes (and the reverse); pcw_address names the five
 * precompiles pcw_run covers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmp.h>

#include "evm/precompiles/precompile.h"
#include "trace/pc_witness.h"

static uint64_t g_rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd64(void) {
  uint64_t z = (g_rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* ---- the reported steps ---- */

typedef struct {
  uint8_t *w; /* 128 bytes a step: a, b, t, c */
  size_t n, cap;
} steps;

static void on_step(void *ctx, const uint8_t a[32], const uint8_t b[32], const uint8_t t[32], const uint8_t c[32]) {
  steps *s = ctx;
  if (s->n == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 1024;
    s->w = realloc(s->w, s->cap * 128);
    assert_non_null(s->w);
  }
  uint8_t *o = s->w + s->n++ * 128;
  memcpy(o, a, 32);
  memcpy(o + 32, b, 32);
  memcpy(o + 64, t, 32);
  memcpy(o + 96, c, 32);
}

/* ---- the reference schedule on GMP integers ---- */

typedef struct {
  steps s;
  mpz_t m, tmp;
  size_t k;
} ref;

static void limb(mpz_t out, const mpz_t x, size_t i) {
  mpz_tdiv_q_2exp(out, x, 256 * (mp_bitcnt_t)i);
  mpz_tdiv_r_2exp(out, out, 256);
}

static void word(uint8_t b[32], const mpz_t z) {
  size_t n = 0;
  uint8_t t[32];
  memset(b, 0, 32);
  if (mpz_sgn(z)) mpz_export(t, &n, 1, 1, 1, 0, z);
  assert_true(n <= 32);
  memcpy(b + 32 - n, t, n);
}

/* One step: recorded, then t = (a b + t + c) mod 2^256, c = the rest. */
static void rstep(ref *r, mpz_t t, mpz_t c, const mpz_t a, const mpz_t b) {
  uint8_t w[4][32];
  word(w[0], a);
  word(w[1], b);
  word(w[2], t);
  word(w[3], c);
  on_step(&r->s, w[0], w[1], w[2], w[3]);
  mpz_mul(r->tmp, a, b);
  mpz_add(r->tmp, r->tmp, t);
  mpz_add(r->tmp, r->tmp, c);
  mpz_tdiv_r_2exp(t, r->tmp, 256);
  mpz_tdiv_q_2exp(c, r->tmp, 256);
}

/* T (n limbs, as mpz) += x y by operand scanning over nx and ny limbs; the
 * limbs' value afterwards must be the sum. */
static void rmul(ref *r, mpz_t *T, size_t n, const mpz_t x, size_t nx, const mpz_t y, size_t ny) {
  mpz_t before, xi, yj, c, v;
  mpz_inits(before, xi, yj, c, v, NULL);
  for (size_t i = n; i-- > 0;) {
    mpz_mul_2exp(before, before, 256);
    mpz_add(before, before, T[i]);
  }
  for (size_t i = 0; i < nx; i++) {
    limb(xi, x, i);
    mpz_set_ui(c, 0);
    for (size_t j = 0; j < ny; j++) {
      limb(yj, y, j);
      rstep(r, T[i + j], c, xi, yj);
    }
    assert_int_equal(mpz_sgn(T[i + ny]), 0);
    mpz_set(T[i + ny], c);
  }
  for (size_t i = n; i-- > 0;) {
    mpz_mul_2exp(v, v, 256);
    mpz_add(v, v, T[i]);
  }
  mpz_addmul(before, x, y);
  assert_int_equal(mpz_cmp(v, before), 0);
  mpz_clears(before, xi, yj, c, v, NULL);
}

static mpz_t *limbs_new(size_t n) {
  mpz_t *T = malloc(n * sizeof *T);
  assert_non_null(T);
  for (size_t i = 0; i < n; i++) mpz_init(T[i]);
  return T;
}
static void limbs_free(mpz_t *T, size_t n) {
  for (size_t i = 0; i < n; i++) mpz_clear(T[i]);
  free(T);
}

/* q m + rr with rr < m, then rr < m shown by K steps; returns nothing: the
 * identities are asserted. */
static void rcheck(ref *r, const mpz_t q, size_t kq, const mpz_t rr) {
  size_t n = kq + r->k;
  mpz_t *T = limbs_new(n);
  mpz_t d, di, ri, c, one, mm1;
  mpz_inits(d, di, ri, c, one, mm1, NULL);
  for (size_t i = 0; i < r->k; i++) limb(T[i], rr, i);
  rmul(r, T, n, q, kq, r->m, r->k);
  assert_true(mpz_cmp(rr, r->m) < 0);
  mpz_sub_ui(d, r->m, 1);
  mpz_sub(d, d, rr);
  mpz_set_ui(one, 1);
  mpz_sub_ui(mm1, r->m, 1);
  for (size_t i = 0; i < r->k; i++) {
    limb(di, d, i);
    limb(ri, rr, i);
    rstep(r, ri, c, di, one);
    mpz_t want;
    mpz_init(want);
    limb(want, mm1, i);
    assert_int_equal(mpz_cmp(ri, want), 0);
    mpz_clear(want);
  }
  assert_int_equal(mpz_sgn(c), 0);
  mpz_clears(d, di, ri, c, one, mm1, NULL);
  limbs_free(T, n);
}

/* x = x y mod m with its steps. */
static void rmodmul(ref *r, mpz_t x, const mpz_t y) {
  size_t k = r->k;
  mpz_t *T = limbs_new(2 * k);
  mpz_t q, rr;
  mpz_inits(q, rr, NULL);
  rmul(r, T, 2 * k, x, k, y, k);
  mpz_mul(q, x, y);
  mpz_tdiv_qr(q, rr, q, r->m);
  rcheck(r, q, k, rr);
  mpz_set(x, rr);
  mpz_clears(q, rr, NULL);
  limbs_free(T, 2 * k);
}

static size_t get_len(const uint8_t *in) {
  size_t v = 0;
  for (int i = 24; i < 32; i++) v = v << 8 | in[i];
  return v;
}

/* The reference steps and result of a MODEXP input whose lengths are all
 * present in it and whose modulus value is past 32 bytes. */
static void reference(ref *r, const uint8_t *in, size_t len, mpz_t result) {
  size_t bl = get_len(in), el = get_len(in + 32), ml = get_len(in + 64);
  assert_int_equal(len, 96 + bl + el + ml);
  mpz_t b, e, q, rr;
  mpz_inits(b, e, q, rr, NULL);
  mpz_init(r->m);
  mpz_init(r->tmp);
  memset(&r->s, 0, sizeof r->s);
  if (bl) mpz_import(b, bl, 1, 1, 1, 0, in + 96);
  if (el) mpz_import(e, el, 1, 1, 1, 0, in + 96 + bl);
  mpz_import(r->m, ml, 1, 1, 1, 0, in + 96 + bl + el);
  size_t mbytes = (mpz_sizeinbase(r->m, 2) + 7) / 8;
  assert_true(mbytes > 32);
  r->k = (mbytes + 31) / 32;
  mpz_set_ui(result, 1);
  if (mpz_sgn(e)) {
    if (mpz_cmp(b, r->m) >= 0) {
      size_t kb = ((mpz_sizeinbase(b, 2) + 7) / 8 + 31) / 32;
      mpz_tdiv_qr(q, rr, b, r->m);
      rcheck(r, q, kb - r->k + 1, rr);
      mpz_set(b, rr);
    }
    mpz_set(result, b);
    for (size_t i = mpz_sizeinbase(e, 2) - 1; i-- > 0;) {
      rmodmul(r, result, result);
      if (mpz_tstbit(e, i)) rmodmul(r, result, b);
    }
  }
  mpz_clears(b, e, q, rr, NULL);
}

static void ref_free(ref *r) {
  free(r->s.w);
  mpz_clears(r->m, r->tmp, NULL);
}

/* ---- checks ---- */

/* A MODEXP input: lengths, random operands, the modulus's top byte set
 * (mz leading zero bytes first), the exponent's first byte e0. */
static size_t input(uint8_t *in, size_t bl, size_t el, size_t ml, size_t mz, int e0) {
  memset(in, 0, 96);
  for (int i = 0; i < 8; i++) {
    in[31 - i] = (uint8_t)(bl >> (8 * i));
    in[63 - i] = (uint8_t)(el >> (8 * i));
    in[95 - i] = (uint8_t)(ml >> (8 * i));
  }
  for (size_t i = 0; i < bl + el + ml; i++) in[96 + i] = (uint8_t)rnd64();
  uint8_t *m = in + 96 + bl + el;
  memset(m, 0, mz);
  if (mz < ml) m[mz] |= 0x80;
  if (el && e0 >= 0) in[96 + bl] = (uint8_t)e0;
  return 96 + bl + el + ml;
}

/* pcw_run_wide on one input against the precompile and the reference;
 * returns the count. */
static uint64_t wide_check(const uint8_t *in, size_t len, blk_fork fork) {
  uint8_t *ref_out = NULL;
  size_t ref_len = 0;
  evm_pc_work w = {0};
  int prc = evm_pc_run(EVM_PC_MODEXP, fork, in, len, &ref_out, &ref_len, &w);
  assert_int_equal(prc, EVM_PC_OK);
  assert_int_equal(pcw_run(PCW_ADDR_MODEXP, in, len, fork, NULL, NULL, NULL, NULL, NULL), PCW_E_UNSUPPORTED);

  steps got = {0};
  uint64_t cnt = 0, cnt0 = 0;
  uint8_t *out = NULL;
  size_t out_len = 0;
  assert_int_equal(pcw_run_wide(PCW_ADDR_MODEXP, in, len, fork, on_step, &got, &cnt, &out, &out_len), PCW_OK);
  assert_int_equal(pcw_run_wide(PCW_ADDR_MODEXP, in, len, fork, NULL, NULL, &cnt0, NULL, NULL), PCW_OK);
  assert_int_equal(cnt, got.n);
  assert_int_equal(cnt0, cnt);
  assert_int_equal(out_len, ref_len);
  assert_memory_equal(out, ref_out, out_len);

  ref r;
  mpz_t res;
  mpz_init(res);
  reference(&r, in, len, res);
  assert_int_equal(r.s.n, got.n);
  for (size_t i = 0; i < got.n; i++)
    if (memcmp(r.s.w + 128 * i, got.w + 128 * i, 128) != 0) fail_msg("step %zu of %zu differs", i, got.n);
  uint8_t *want = calloc(1, out_len), *digits = calloc(1, (mpz_sizeinbase(res, 2) + 7) / 8 + 1);
  assert_non_null(want);
  assert_non_null(digits);
  size_t n = 0;
  if (mpz_sgn(res)) mpz_export(digits, &n, 1, 1, 1, 0, res);
  assert_true(n <= out_len);
  memcpy(want + out_len - n, digits, n);
  assert_memory_equal(out, want, out_len);
  free(want);
  free(digits);
  mpz_clear(res);
  ref_free(&r);
  free(got.w);
  free(out);
  free(ref_out);
  return cnt;
}

/* Random widths from 33 to 200 bytes, bases below and above m, exponents
 * of a few bytes: every step is the reference's. */
static void test_random(void **s) {
  (void)s;
  static uint8_t in[96 + 600];
  for (int k = 0; k < 60; k++) {
    size_t ml = 33 + (size_t)(rnd64() % 168), mz = (size_t)(rnd64() % 3);
    if (ml - mz <= 32) mz = 0;
    size_t bl = (size_t)(rnd64() % 260), el = 1 + (size_t)(rnd64() % 3);
    size_t len = input(in, bl, el, ml, mz, -1);
    wide_check(in, len, k % 2 ? BLK_FORK_OSAKA : BLK_FORK_PRAGUE);
  }
}

/* The count of pc_witness.h on chosen shapes. */
static void test_counts(void **s) {
  (void)s;
  static uint8_t in[96 + 3 * 1024];
  /* 64-byte modulus (K = 2), base below m, e = 5 = 101b: two squarings and
   * one product, 2 K^2 + K = 10 steps each. */
  size_t len = input(in, 64, 1, 64, 0, 5);
  in[96] = 0x01; /* base below m */
  assert_int_equal(wide_check(in, len, BLK_FORK_OSAKA), 3 * 10);
  /* e = 0 and e = 1: no products. */
  len = input(in, 64, 1, 64, 0, 0);
  assert_int_equal(wide_check(in, len, BLK_FORK_OSAKA), 0);
  len = input(in, 64, 1, 64, 0, 1);
  in[96] = 0x01;
  assert_int_equal(wide_check(in, len, BLK_FORK_OSAKA), 0);
  /* A 96-byte base at or above a 33-byte modulus (K = 2): q has
   * 3 - 2 + 1 = 2 limbs, so 2 * 2 + 2 = 6 reduction steps, then e = 1. */
  len = input(in, 96, 1, 33, 0, 1);
  in[96] = 0xff;
  assert_int_equal(wide_check(in, len, BLK_FORK_OSAKA), 6);
  /* The generator's base-heavy shape: 1024-byte base and modulus (K = 32),
   * e = 0xff: 7 squarings and 7 products of 2,080 steps, plus a reduction
   * when the base is not below m. */
  len = input(in, 1024, 1, 1024, 0, 0xff);
  in[96] = 0x01;
  assert_int_equal(wide_check(in, len, BLK_FORK_OSAKA), 14 * 2080);
  /* The top byte of m equal to the base's: the comparison goes on below. */
  len = input(in, 40, 1, 40, 0, 2);
  memcpy(in + 96, in + 96 + 41, 40);
  in[96 + 39] = 0; /* b = m with its last byte cleared: b < m unless m's last byte is 0 */
  uint8_t mlast = in[96 + 41 + 39];
  assert_int_equal(wide_check(in, len, BLK_FORK_OSAKA), (mlast ? 0 : 1 * 2 + 2) + 10);
  /* b == m: q has 2 - 2 + 1 = 1 limb (4 steps), r = 0, then 0^2. */
  memcpy(in + 96, in + 96 + 41, 40);
  assert_int_equal(wide_check(in, len, BLK_FORK_OSAKA), 1 * 2 + 2 + 10);
}

/* What each entry refuses or fails. */
static void test_boundaries(void **s) {
  (void)s;
  static uint8_t in[96 + 2100];
  uint64_t cnt = 7;
  /* A 40-byte modulus with 8 leading zeros fits 32 bytes: pcw_run's. */
  size_t len = input(in, 8, 1, 40, 8, 3);
  assert_int_equal(pcw_run_wide(PCW_ADDR_MODEXP, in, len, BLK_FORK_OSAKA, NULL, NULL, &cnt, NULL, NULL),
                   PCW_E_UNSUPPORTED);
  assert_int_equal(cnt, 0);
  assert_int_equal(pcw_run(PCW_ADDR_MODEXP, in, len, BLK_FORK_OSAKA, NULL, NULL, &cnt, NULL, NULL), PCW_OK);
  /* With 7 leading zeros it is wide. */
  len = input(in, 8, 1, 40, 7, 3);
  assert_int_equal(pcw_run(PCW_ADDR_MODEXP, in, len, BLK_FORK_OSAKA, NULL, NULL, &cnt, NULL, NULL),
                   PCW_E_UNSUPPORTED);
  wide_check(in, len, BLK_FORK_OSAKA);
  /* mod_len 0 and another address. */
  len = input(in, 8, 1, 0, 0, 3);
  assert_int_equal(pcw_run_wide(PCW_ADDR_MODEXP, in, len, BLK_FORK_OSAKA, NULL, NULL, &cnt, NULL, NULL),
                   PCW_E_UNSUPPORTED);
  assert_int_equal(pcw_run_wide(PCW_ADDR_ECADD, in, len, BLK_FORK_OSAKA, NULL, NULL, &cnt, NULL, NULL),
                   PCW_E_UNSUPPORTED);
  /* Osaka's 1024-byte bound fails the call with no steps; Prague computes it. */
  len = input(in, 1025, 1, 40, 0, 3);
  cnt = 7;
  assert_int_equal(pcw_run_wide(PCW_ADDR_MODEXP, in, len, BLK_FORK_OSAKA, NULL, NULL, &cnt, NULL, NULL), PCW_FAIL);
  assert_int_equal(cnt, 0);
  in[96] = 0x01; /* 1025-byte base: still far above m */
  wide_check(in, len, BLK_FORK_PRAGUE);
  /* pcw_address: the five precompiles pcw_run covers, each at its address */
  int covered = 0;
  for (int id = 0; id < EVM_PC_COUNT; id++) covered += pcw_address((evm_pc_id)id) != 0;
  assert_int_equal(covered, 5);
  assert_int_equal(pcw_address(EVM_PC_MODEXP), PCW_ADDR_MODEXP);
  assert_int_equal(pcw_address(EVM_PC_BN_ADD), PCW_ADDR_ECADD);
  assert_int_equal(pcw_address(EVM_PC_BN_MUL), PCW_ADDR_ECMUL);
  assert_int_equal(pcw_address(EVM_PC_BN_PAIRING), PCW_ADDR_ECPAIRING);
  assert_int_equal(pcw_address(EVM_PC_P256VERIFY), PCW_ADDR_P256VERIFY);
  /* Arguments. */
  uint8_t *out = NULL;
  assert_int_equal(pcw_run_wide(PCW_ADDR_MODEXP, in, len, BLK_FORK_OSAKA, NULL, NULL, &cnt, &out, NULL), PCW_E_ARG);
  assert_int_equal(pcw_run_wide(PCW_ADDR_MODEXP, NULL, 5, BLK_FORK_OSAKA, NULL, NULL, &cnt, NULL, NULL), PCW_E_ARG);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_random),
      cmocka_unit_test(test_counts),
      cmocka_unit_test(test_boundaries),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
